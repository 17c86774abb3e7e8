"""chat/user: create, get, delete, and the user created/deleted events."""

import pytest

from accounts.models import User
from tests.helpers import db, make_user
from tests.realtime.nkchat.client import NkClient, ev, nk_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def test_create_answers_the_user_id_and_the_user_can_log_in():
    client = await NkClient().open()
    data = {"login": "user@domain.com", "name": "Name", "surname": "Surname", "password": "1234"}
    created = await client.ok("user", "create", data)
    user = await db(User.objects.get)(username="user@domain.com")
    assert created == {"user_id": str(user.pk)}
    await client.login_as(user, "1234")
    got = await client.ok("user", "get", {"user_id": created["user_id"]})
    assert got == {
        "user_id": str(user.pk),
        "login": "user@domain.com",
        "name": "Name",
        "surname": "Surname",
        "email": "",
        "phone": "",
        "created_time": got["created_time"],
        "updated_time": got["updated_time"],
    }
    assert isinstance(got["created_time"], int) and got["created_time"] > 1_600_000_000_000
    await client.close()


CREATE_ERRORS = [
    ({"login": "taken", "password": "1234"}, {"error": "User already exists", "code": 422}),
    ({"login": "TAKEN", "password": "1234"}, {"error": "User already exists", "code": 422}),
    ({"password": "1234"}, {"error": "login must be 1-150 letters, digits or . @ + - _", "code": 422}),
    # a trailing newline once passed the pattern's `$`: an account that looked like another's
    (
        {"login": "someone\n", "password": "1234"},
        {"error": "login must be 1-150 letters, digits or . @ + - _", "code": 422},
    ),
    ({"login": "someone"}, {"error": "password is required", "code": 422}),
    (
        {"login": "someone", "password": "1234", "name": 5},
        {"error": "name must be a string", "code": 422},
    ),
    # the limit is the domain's, which calls the field first_name
    (
        {"login": "someone", "password": "1234", "name": "n" * 151},
        {"error": "name must be a string of at most 150 characters", "code": 422},
    ),
    (
        {"login": "someone", "password": "1234", "surname": "s" * 151},
        {"error": "surname must be a string of at most 150 characters", "code": 422},
    ),
]


async def test_create_errors():
    await db(make_user)("taken")
    client = await NkClient().open()
    for data, error in CREATE_ERRORS:
        assert await client.error("user", "create", data) == error, data
    await client.close()


async def test_get_errors():
    alice = await db(make_user)()
    client = await nk_connected(alice)
    assert await client.error("user", "get", {"user_id": "999999"}) == {"error": "User not found", "code": 404}
    assert await client.error("user", "get", {}) == {"error": "user_id is required", "code": 422}
    assert await client.error("user", "get", {"user_id": "abc"}) == {"error": "user_id is not a valid id", "code": 422}
    await client.close()


async def test_a_user_deletes_themselves_but_not_others():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await nk_connected(alice)
    refused = await a.error("user", "delete", {"user_id": str(bob.pk)})
    assert refused == {"error": "Only staff delete other users", "code": 403}
    assert await db(User.objects.filter(pk=bob.pk).exists)()
    assert await a.ok("user", "delete", {"user_id": str(alice.pk)}) == {}
    assert not await db(User.objects.filter(pk=alice.pk).exists)()
    # the connection is logged out, and keeps working
    assert await a.error("user", "get", {"user_id": str(bob.pk)}) == {"error": "Not logged in", "code": 401}
    assert await a.error("user", "delete", {"user_id": str(bob.pk)}) == {"error": "Not logged in", "code": 401}
    await a.close()


async def test_staff_delete_anyone():
    staff, bob = await db(make_user)("admin"), await db(make_user)()
    await db(User.objects.filter(pk=staff.pk).update)(is_staff=True)
    client = await NkClient().open()
    await client.login_as(await db(User.objects.get)(pk=staff.pk))
    assert await client.ok("user", "delete", {"user_id": bob.pk}) == {}
    assert not await db(User.objects.filter(pk=bob.pk).exists)()
    assert await client.error("user", "delete", {"user_id": bob.pk}) == {"error": "User not found", "code": 404}
    await client.close()


async def test_user_created_and_deleted_events_reach_subscribers_only():
    alice, bob = await db(make_user)(), await db(make_user)()
    subscribed = await nk_connected(alice)
    await subscribed.subscribe(subclass="user")
    other = await nk_connected(bob)
    await other.subscribe(subclass="conversation")
    anonymous = await NkClient().open()
    created = await anonymous.ok("user", "create", {"login": "carol", "password": "1234"})
    assert await subscribed.event() == ev("user", "created", created["user_id"])
    await other.nothing()
    await anonymous.login_as(await db(User.objects.get)(username="carol"), "1234")
    await anonymous.ok("user", "delete", {"user_id": created["user_id"]})
    assert await subscribed.event() == ev("user", "deleted", created["user_id"])
    await other.nothing()
    await anonymous.nothing()
    for client in (subscribed, other, anonymous):
        await client.close()


async def test_user_events_for_users_created_over_sama():
    alice = await db(make_user)()
    client = await nk_connected(alice)
    await client.subscribe(subclass="*", type="created")
    bob = await db(make_user)()
    assert await client.event() == ev("user", "created", bob.pk)
    await client.close()
