"""The admin deactivates users, logs them out everywhere, deletes them and ends device sessions
through the account services: the users' connections close in every protocol."""

import pytest

from accounts.models import DeviceSession, User
from tests.accounts.support import assert_all_closed, assert_token_refused, close_code, connected_everywhere, phone_user
from tests.helpers import db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)

USERS = "/admin/accounts/user/"


def _change_form(user: User, *, is_active: bool) -> dict:
    """The user change form as submitted, unchanged but for `is_active` (an unticked box is absent)."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "phone": user.phone,
        "country_code": user.country_code,
        "phone_number": user.phone_number,
        "about": user.about,
    }
    if is_active:
        data["is_active"] = "on"
    return data


async def _post(admin_client, url: str, data: dict) -> None:
    response = await db(admin_client.post)(url, data)
    errors = response.context["adminform"].form.errors if response.status_code == 200 and response.context else None
    assert response.status_code == 302, (response.status_code, errors)


async def test_unticking_is_active_on_the_change_form_closes_every_connection(admin_client):
    user, code = await phone_user()
    connected = await connected_everywhere(user, code)
    await _post(admin_client, f"{USERS}{user.pk}/change/", _change_form(user, is_active=False))
    await assert_all_closed(connected)
    await assert_token_refused(connected.tokens["sama"])
    assert (await db(User.objects.get)(pk=user.pk)).is_active is False
    await connected.close()


async def test_ticking_is_active_again_lets_the_user_log_in(admin_client):
    user = await db(make_user)()
    await _post(admin_client, f"{USERS}{user.pk}/change/", _change_form(user, is_active=False))
    await _post(admin_client, f"{USERS}{user.pk}/change/", _change_form(user, is_active=True))
    client = await sama_connected(user)  # a new session of the active user
    await client.close()


async def test_the_change_form_without_an_is_active_change_closes_nothing(admin_client):
    user = await db(make_user)()
    client = await sama_connected(user)
    await _post(admin_client, f"{USERS}{user.pk}/change/", {**_change_form(user, is_active=True), "about": "edited"})
    await client.nothing()
    assert (await db(User.objects.get)(pk=user.pk)).about == "edited"
    await client.close()


async def test_the_deactivate_action_closes_every_connection(admin_client):
    user, code = await phone_user()
    connected = await connected_everywhere(user, code)
    bystander = await sama_connected(await db(make_user)())
    await _post(admin_client, USERS, {"action": "deactivate", "_selected_action": [str(user.pk)]})
    await assert_all_closed(connected)
    await bystander.nothing()
    assert (await db(User.objects.get)(pk=user.pk)).is_active is False
    await connected.close()
    await bystander.close()


async def test_the_log_out_everywhere_action_closes_every_connection_and_keeps_the_user_active(admin_client):
    user, code = await phone_user()
    connected = await connected_everywhere(user, code)
    await _post(admin_client, USERS, {"action": "log_out_everywhere", "_selected_action": [str(user.pk)]})
    await assert_all_closed(connected)
    for token in connected.tokens.values():
        await assert_token_refused(token)
    assert (await db(User.objects.get)(pk=user.pk)).is_active is True
    await connected.close()


async def test_deleting_a_user_in_the_admin_closes_their_connections(admin_client):
    user, code = await phone_user()
    connected = await connected_everywhere(user, code)
    await _post(admin_client, f"{USERS}{user.pk}/delete/", {"post": "yes"})
    await assert_all_closed(connected)
    assert await db(User.objects.filter(pk=user.pk).exists)() is False
    await connected.close()


async def test_ending_a_device_session_closes_the_connections_bound_to_it(admin_client):
    user = await db(make_user)()
    phone, laptop = await sama_connected(user, "phone"), await sama_connected(user, "laptop")
    session = await db(DeviceSession.objects.get)(user=user, device_id="phone")
    await _post(
        admin_client, "/admin/accounts/devicesession/", {"action": "end_sessions", "_selected_action": [session.pk]}
    )
    assert await close_code(phone) == 4401
    await laptop.nothing()
    await phone.close()
    await laptop.close()


async def test_the_delete_selected_action_deletes_users_through_the_service(admin_client):
    user = await db(make_user)()
    client = await sama_connected(user)
    await _post(admin_client, USERS, {"action": "delete_selected", "_selected_action": [str(user.pk)], "post": "yes"})
    assert await close_code(client) == 4401
    assert await db(User.objects.filter(pk=user.pk).exists)() is False
    await client.close()
