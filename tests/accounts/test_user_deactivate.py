"""Deactivating a user closes their connections over every protocol and revokes their tokens."""

import pytest
from django.core.management import CommandError, call_command

from accounts import services
from accounts.models import DeviceSession, User
from tests.accounts.support import assert_all_closed, assert_token_refused, connected_everywhere, phone_user
from tests.helpers import PASSWORD, SamaClient, db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_service_closes_every_connection_of_the_user_and_no_one_elses():
    user, code = await phone_user()
    connected = await connected_everywhere(user, code)
    bystander = await sama_connected(await db(make_user)())
    await db(services.user_deactivate)(user)
    await assert_all_closed(connected)
    await bystander.nothing()
    assert await db(DeviceSession.objects.filter(user=user).exists)() is False
    assert (await db(User.objects.get)(pk=user.pk)).is_active is False
    for token in connected.tokens.values():
        await assert_token_refused(token)
    await connected.close()
    await bystander.close()


async def test_the_command_deactivates_by_login_in_any_case():
    user, code = await phone_user()
    connected = await connected_everywhere(user, code)
    await db(call_command)("deactivate_user", user.username.upper())
    await assert_all_closed(connected)
    await assert_token_refused(connected.tokens["sama"])
    await connected.close()


def test_the_command_refuses_an_unknown_login():
    with pytest.raises(CommandError, match="No user"):
        call_command("deactivate_user", "nobody-here")


async def test_a_deactivated_user_cannot_log_in_with_a_password():
    user = await db(make_user)()
    await db(services.user_deactivate)(user)
    client = await SamaClient().open()
    response = await client.request("user_login", {"login": user.username, "password": PASSWORD, "device_id": "d"})
    assert response["error"]["status"] == 401, response
    await client.close()


async def test_reactivating_lets_the_user_log_in_again():
    user = await db(make_user)()
    await db(services.user_deactivate)(user)
    await db(services.user_activate)(user)
    client = await SamaClient().open()
    response = await client.request("user_login", {"login": user.username, "password": PASSWORD, "device_id": "d"})
    assert response["user"]["_id"] == str(user.pk), response
    await client.close()
