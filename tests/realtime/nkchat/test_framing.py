"""NkCHAT framing: answers echo the tid, every failure answers the error shape, the socket survives."""

import pytest

from accounts.models import DeviceSession
from tests.helpers import access_token_for, db, make_user
from tests.realtime.nkchat.client import NkClient, nk_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def test_login_with_password_answers_session_and_user():
    alice = await db(make_user)("alice@example.com")
    client = await NkClient().open()
    answer = await client.request("core", "user", "login", {"user": "ALICE@example.com", "password": "secret-pass-1"})
    session = await db(DeviceSession.objects.get)(user=alice)
    assert answer == {
        "result": "ok",
        "data": {"session_id": str(session.pk), "user_id": str(alice.pk)},
        "tid": answer["tid"],
    }
    assert (await client.ok("user", "get", {"user_id": str(alice.pk)}))["login"] == "alice@example.com"
    # a second login resumes the same device session
    second = await NkClient().open()
    again = await second.request("core", "user", "login", {"user": "alice@example.com", "password": "secret-pass-1"})
    assert again["data"] == answer["data"]
    await client.close()
    await second.close()


async def test_login_with_access_token():
    alice = await db(make_user)()
    token = await db(access_token_for)(alice, "phone")
    client = await NkClient().open()
    answer = await client.request("core", "user", "login", {"token": token})
    assert answer["result"] == "ok" and answer["data"]["user_id"] == str(alice.pk)
    await client.close()


LOGIN_FAILURES = [
    ({"user": "nobody", "password": "x"}, {"error": "Incorrect login or password", "code": 401}),
    ({"user": "bob", "password": "wrong"}, {"error": "Incorrect login or password", "code": 401}),
    ({}, {"error": "Incorrect login or password", "code": 401}),
    ({"token": "not-a-token"}, {"error": "Invalid or expired token", "code": 401}),
    *(
        (
            {"user": "bob", "password": "secret-pass-1", "device_id": device_id},
            {"error": "device_id is required (a string of at most 255 characters)", "code": 422},
        )
        for device_id in (False, "", "d" * 256)  # none of them the default device's session
    ),
]


async def test_login_failures():
    await db(make_user)("bob")
    client = await NkClient().open()
    for data, error in LOGIN_FAILURES:
        answer = await client.request("core", "user", "login", data)
        assert answer == {"result": "error", "data": error, "tid": answer["tid"]}
    # still not logged in, still usable
    assert await client.error("conversation", "search") == {"error": "Not logged in", "code": 401}
    await client.close()


async def test_everything_but_login_and_user_create_needs_login():
    client = await NkClient().open()
    for subclass, cmd in [("user", "get"), ("conversation", "create"), ("message", "search")]:
        assert await client.error(subclass, cmd, {}) == {"error": "Not logged in", "code": 401}
    answer = await client.request("core", "event", "subscribe", {"class": "chat"})
    assert answer["data"] == {"error": "Not logged in", "code": 401}
    created = await client.ok("user", "create", {"login": "new@example.com", "password": "1234"})
    assert set(created) == {"user_id"} and created["user_id"].isdigit()
    await client.close()


async def test_malformed_and_unknown_frames_answer_errors_and_keep_the_connection():
    alice = await db(make_user)()
    client = await NkClient().open()
    await client.send("not json")
    assert await client.receive() == {
        "result": "error",
        "data": {"error": "Frame is not valid JSON", "code": 422},
        "tid": None,
    }
    await client.send("[1, 2]")
    assert (await client.receive())["data"] == {"error": "Frame must be a JSON object", "code": 422}
    await client.send({"tid": 7})
    assert await client.receive() == {"result": "error", "data": {"error": "Unknown class", "code": 400}, "tid": 7}
    await client.send({"class": ["chat"], "subclass": "user", "cmd": "get", "tid": 8})
    assert await client.receive() == {"result": "error", "data": {"error": "Unknown class", "code": 400}, "tid": 8}
    answer = await client.request("chat", "room", "create", {})
    assert answer["data"] == {"error": "Unknown subclass", "code": 400}
    answer = await client.request("chat", "user", "explode", {})
    assert answer["data"] == {"error": "Unknown command", "code": 400}
    answer = await client.request("core", "user", "login", ["not", "an", "object"])
    assert answer["data"] == {"error": "data must be an object", "code": 422}
    await client.send("x" * (256 * 1024 + 1))
    assert (await client.receive())["data"] == {"error": "Frame is too large", "code": 413}
    # the client's answer to an event gets no reply
    await client.send({"result": "ok", "tid": 1})
    await client.nothing()
    await client.login_as(alice)
    assert (await client.ok("user", "get", {"user_id": alice.pk}))["user_id"] == str(alice.pk)
    await client.close()


async def test_tid_is_echoed_as_sent():
    client = await NkClient().open()
    await client.send({"class": "chat", "subclass": "user", "cmd": "get", "tid": "abc-1"})
    assert await client.receive() == {
        "result": "error",
        "data": {"error": "Not logged in", "code": 401},
        "tid": "abc-1",
    }
    await client.send({"class": "chat", "subclass": "user", "cmd": "get"})
    assert (await client.receive())["tid"] is None
    await client.close()


async def test_an_unexpected_failure_answers_500_and_the_connection_keeps_working(monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("messaging.search.user_search_page", explode)
    client = await nk_connected(await db(make_user)())
    assert await client.error("user", "search", {}) == {"error": "Internal error", "code": 500}
    assert (await client.ok("conversation", "search", {}))["total"] == 0
    await client.close()


async def test_a_login_with_device_id_zero_opens_that_device_not_the_default_one():
    bob = await db(make_user)("bob")
    client = await NkClient().open()
    default = await client.request("core", "user", "login", {"user": "bob", "password": "secret-pass-1"})
    zero = await client.request("core", "user", "login", {"user": "bob", "password": "secret-pass-1", "device_id": 0})
    sessions = await db(lambda: dict(DeviceSession.objects.filter(user=bob).values_list("device_id", "pk")))()
    assert default["data"]["session_id"] == str(sessions["nkchat"])
    assert zero["data"]["session_id"] == str(sessions["0"])
    await client.close()
