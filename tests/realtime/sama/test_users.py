from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import User
from tests.helpers import PASSWORD, SamaClient, db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def test_user_create_answers_the_user():
    client = await SamaClient().open()
    response = await client.request("user_create", {"login": "user_1", "password": "pass1234"}, "r1")
    user = response["user"]
    assert set(user) >= {"_id", "login", "created_at", "updated_at"}
    assert user["login"] == "user_1"
    assert isinstance(user["_id"], str)
    stored = await db(User.objects.get)(pk=int(user["_id"]))
    # ISO 8601 in UTC to the millisecond, as the stored time reads (truncated, not rounded)
    assert user["created_at"] == stored.date_joined.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:23] + "Z"
    await client.close()


async def test_user_create_refuses_a_taken_login_whatever_its_case():
    await db(make_user)("Alice")
    client = await SamaClient().open()
    response = await client.request("user_create", {"login": "alice", "password": "pass1234"}, "r2")
    assert response == {"id": "r2", "error": {"status": 422, "message": "User already exists"}}
    await client.close()


async def test_user_create_refuses_missing_password():
    client = await SamaClient().open()
    response = await client.request("user_create", {"login": "bob"}, "r3")
    assert response["error"]["status"] == 422
    await client.close()


async def test_request_before_authentication_is_refused_and_socket_stays_usable():
    client = await SamaClient().open()
    response = await client.request("user_search", {"keyword": "a"}, "r4")
    assert response == {"id": "r4", "error": {"status": 401, "message": "Unauthorized"}}
    response = await client.request("user_create", {"login": "carol", "password": "pass1234"}, "r5")
    assert response["user"]["login"] == "carol"
    await client.close()


async def test_invalid_json_and_unknown_requests_get_errors():
    client = await SamaClient().open()
    await client.send("{not json")
    assert await client.receive() == {
        "response": {"id": None, "error": {"status": 422, "message": "Frame is not valid JSON"}}
    }
    await client.send("[1, 2]")
    assert (await client.receive())["response"]["error"]["status"] == 422
    response = await client.request("no_such_thing", {}, "r6")
    assert response == {"id": "r6", "error": {"status": 422, "message": "Unknown request"}}
    await client.close()


async def test_user_login_with_password_then_with_token():
    user = await db(make_user)("dave")
    client = await SamaClient().open()
    response = await client.request(
        "user_login", {"login": "DAVE", "password": PASSWORD, "device_id": "d1"}, "421cda83:user_login"
    )
    assert response["id"] == "421cda83:user_login"
    assert response["user"]["_id"] == str(user.pk)
    token = response["token"]
    other = await SamaClient().open()
    again = await other.request("user_login", {"token": token}, "3")
    assert again["user"]["login"] == "dave" and again["token"]
    await client.close()
    await other.close()


async def test_user_login_with_a_wrong_password_is_401():
    await db(make_user)("erin")
    client = await SamaClient().open()
    response = await client.request("user_login", {"login": "erin", "password": "nope", "device_id": "d"}, "x")
    assert response == {"id": "x", "error": {"status": 401, "message": "Incorrect login or password"}}
    await client.close()


async def test_connect_with_a_bad_token_is_401():
    client = await SamaClient().open()
    response = await client.request("connect", {"token": "garbage", "device_id": "d"}, "c")
    assert response == {"id": "c", "error": {"status": 401, "message": "Invalid or expired token"}}
    await client.close()


async def test_user_logout_ends_the_session():
    user = await db(make_user)()
    client = await sama_connected(user)
    assert await client.request("user_logout", {}, "3") == {"id": "3", "success": True}
    response = await client.request("user_search", {"keyword": ""}, "4")
    assert response["error"]["status"] == 401
    await client.close()


async def test_user_edit_changes_profile_and_password():
    user = await db(make_user)("frank")
    client = await sama_connected(user)
    response = await client.request(
        "user_edit",
        {"current_password": PASSWORD, "new_password": "newpass99", "email": "f@example.com", "phone": "123"},
        "e1",
    )
    assert response["user"]["id"] == str(user.pk)
    assert response["user"]["login"] == "frank"
    assert response["user"]["email"] == "f@example.com"
    wrong = await client.request("user_edit", {"current_password": "bad", "new_password": "another1"}, "e2")
    assert wrong == {"id": "e2", "error": {"status": 403, "message": "Incorrect current password"}}
    bad_email = await client.request("user_edit", {"email": "not-an-email"}, "e3")
    assert bad_email["error"]["status"] == 422
    await client.close()


async def test_user_search_and_get_users_by_ids():
    me = await db(make_user)("searcher")
    sam = await db(make_user)("sam_one", first_name="Sam")
    other = await db(make_user)("samuel")
    await db(make_user)("zed")
    client = await sama_connected(me)
    response = await client.request("user_search", {"keyword": "sam", "limit": 100, "ignore_ids": [str(other.pk)]})
    assert [u["login"] for u in response["users"]] == ["sam_one"]
    response = await client.request("get_users_by_ids", {"ids": [str(sam.pk), str(other.pk)]})
    assert [u["_id"] for u in response["users"]] == [str(sam.pk), str(other.pk)]
    # Without the `request` wrapper, as the document shows it.
    await client.send({"get_users_by_ids": {"ids": [str(sam.pk)]}, "id": "4"})
    frame = await client.receive()
    assert frame["response"]["id"] == "4" and frame["response"]["users"][0]["login"] == "sam_one"
    bad = await client.request("get_users_by_ids", {"ids": "nope"}, "5")
    assert bad == {"id": "5", "error": {"status": 422, "message": "ids must be a list"}}
    await client.close()


async def test_user_search_takes_both_bounds_of_updated_at():
    me = await db(make_user)("searcher")
    older, newer = await db(make_user)("sam_older"), await db(make_user)("sam_newer")
    then = datetime(2024, 3, 1, tzinfo=UTC)
    await db(User.objects.filter(pk=older.pk).update)(updated_at=then)
    await db(User.objects.filter(pk=newer.pk).update)(updated_at=then + timedelta(days=2))
    bound = int((then + timedelta(days=1)).timestamp() * 1000)
    client = await sama_connected(me)

    async def found(updated_at: dict) -> list[str]:
        response = await client.request("user_search", {"keyword": "sam", "updated_at": updated_at, "ignore_ids": []})
        return [u["login"] for u in response["users"]]

    assert await found({"lt": bound}) == ["sam_older"]
    assert await found({"gt": bound}) == ["sam_newer"]
    assert await found({"gt": bound, "lt": bound}) == []
    bad = await client.request("user_search", {"keyword": "sam", "updated_at": {"lt": "soon"}}, "b")
    assert bad == {"id": "b", "error": {"status": 422, "message": "updated_at.lt must be a timestamp in milliseconds"}}
    await client.close()


async def test_user_search_lists_staff_only_when_named():
    """The rule is `accounts.selectors.user_search`'s (tests/accounts/test_user_search.py); over SAMA
    with the exact answer."""
    me = await db(make_user)("searcher")
    staff = await db(make_user)("helpdesk", first_name="Hanna")
    await db(User.objects.filter(pk=staff.pk).update)(is_staff=True)
    await db(make_user)("helen", first_name="Helen")
    client = await sama_connected(me)

    def found(response):
        return [u["login"] for u in response["users"]]

    assert found(await client.request("user_search", {"keyword": ""})) == ["helen"]
    assert found(await client.request("user_search", {"keyword": "h"})) == ["helen"]
    assert found(await client.request("user_search", {"keyword": "help"})) == []
    named = await client.request("user_search", {"keyword": "HelpDesk"}, "n")
    assert named["id"] == "n" and found(named) == ["helpdesk"]
    assert set(named["users"][0]) >= {"_id", "login", "first_name", "last_name"}
    assert found(await client.request("user_search", {"keyword": "hanna"})) == ["helpdesk"]
    await client.close()


async def test_user_delete():
    user = await db(make_user)("gone")
    client = await sama_connected(user)
    assert await client.request("user_delete", {}, "3") == {"id": "3", "success": True}
    fresh = await SamaClient().open()
    response = await fresh.request("user_login", {"login": "gone", "password": PASSWORD, "device_id": "d"}, "l")
    assert response["error"]["status"] == 401
    await client.close()
    await fresh.close()
