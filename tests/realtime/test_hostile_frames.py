"""Hostile frames on the three request/answer protocols: each gets the protocol's error answer,
with the request's id where the frame could be read, and the connection keeps working."""

import pytest
from django.db import DataError, OperationalError

from accounts import phone_owners
from chats import conversations
from tests.helpers import db, make_user, sama_connected
from tests.realtime.hooligram.client import hooligram_connected, make_phone_user
from tests.realtime.nkchat.client import nk_connected

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _sms_in_memory(settings):
    settings.SMS_BACKEND = "accounts.sms.InMemorySmsBackend"


TEXT = "Text must not contain NUL characters or unpaired surrogates"
RANGE = "Number is out of range"
DEEP = "JSON is nested deeper than 64 levels"
NOT_JSON = "Frame is not valid JSON"

# (the JSON text of a field's value, the error message, whether the frame's id survives)
VALUES = [
    ('"a\\u0000b"', TEXT, True),
    ('"\\ud800"', TEXT, True),
    ('{"\\udfff": 1}', TEXT, True),
    ("1e999", RANGE, True),
    ("123456789012345678901234567890", RANGE, True),
    ("-9223372036854775809", RANGE, True),
    ("[" * 100 + "]" * 100, DEEP, True),
    ("[" * 10_000 + "]" * 10_000, DEEP, False),
    ("NaN", NOT_JSON, False),
    ("Infinity", NOT_JSON, False),
]


def sama_frame(value: str) -> str:
    return '{"request": {"user_search": {"keyword": VALUE}, "id": "r1"}}'.replace("VALUE", value)


def sama_error(message: str, status: int, request_id: str | None) -> dict:
    return {"response": {"id": request_id, "error": {"status": status, "message": message}}}


def hooligram_frame(value: str) -> str:
    return '{"id": "a1", "type": "GROUP_CREATE_REQUEST", "payload": {"group_name": VALUE}}'.replace("VALUE", value)


def hooligram_error(reason: str, action_id: str | None) -> dict:
    action_type = "GROUP_CREATE_FAILURE" if action_id else "ACTION_FAILURE"
    return {"id": action_id, "payload": {"errors": [reason]}, "type": action_type}


def nk_frame(value: str) -> str:
    return '{"class": "chat", "subclass": "user", "cmd": "search", "data": {"fields": VALUE}, "tid": 7}'.replace(
        "VALUE", value
    )


def nk_error(message: str, code: int, tid: int | None) -> dict:
    return {"result": "error", "data": {"error": message, "code": code}, "tid": tid}


async def _sama():
    client = await sama_connected(await db(make_user)())

    async def works():
        assert "users" in await client.request("user_search", {"keyword": "nobody-here"})

    return client, works


async def _hooligram():
    user, code = await make_phone_user("65", "93000001")
    client = await hooligram_connected(user, code)

    async def works():
        assert (await client.act("CONN_KEEP_ALIVE_REQUEST", {}, "k"))["type"] == "CONN_KEEP_ALIVE_SUCCESS"

    return client, works


async def _nkchat():
    client = await nk_connected(await db(make_user)())

    async def works():
        assert (await client.chat("user", "search", {}))["result"] == "ok"

    return client, works


@pytest.mark.parametrize(("value", "message", "keeps_id"), VALUES)
async def test_sama_answers_hostile_values_and_keeps_the_connection(value, message, keeps_id):
    client, works = await _sama()
    await client.send(sama_frame(value))
    assert await client.receive() == sama_error(message, 422, "r1" if keeps_id else None)
    await works()
    await client.close()


@pytest.mark.parametrize(("value", "message", "keeps_id"), VALUES)
async def test_hooligram_answers_hostile_values_and_keeps_the_connection(value, message, keeps_id):
    client, works = await _hooligram()
    await client.send(hooligram_frame(value))
    reason = message if message[1:2].isupper() else message[0].lower() + message[1:]
    assert await client.receive() == hooligram_error(reason, "a1" if keeps_id else None)
    await works()
    await client.close()


@pytest.mark.parametrize(("value", "message", "keeps_id"), VALUES)
async def test_nkchat_answers_hostile_values_and_keeps_the_connection(value, message, keeps_id):
    client, works = await _nkchat()
    await client.send(nk_frame(value))
    assert await client.receive() == nk_error(message, 422, 7 if keeps_id else None)
    await works()
    await client.close()


async def test_an_unpaired_surrogate_in_the_id_is_echoed():
    client, works = await _sama()
    await client.send('{"request": {"user_search": {}, "id": "\\ud800"}}')
    assert await client.receive() == sama_error(TEXT, 422, "\ud800")  # over TCP, as "\\ud800" (test_wire_limits)
    await works()
    await client.close()


async def test_frames_between_the_two_limits_get_the_error_answer(settings):
    settings.WEBSOCKET_FRAME_MAX_BYTES = 1000
    client, works = await _sama()
    await client.send(sama_frame('"%s"' % ("x" * 2000)))
    assert await client.receive() == sama_error("Frame is too large", 413, None)
    # The limit is in bytes, as the frame travels: 400 characters of 3 bytes each are over it.
    await client.send(sama_frame('"%s"' % ("€" * 400)))
    assert await client.receive() == sama_error("Frame is too large", 413, None)
    await works()
    await client.close()


# (what the service raises, the status answered, the message)
FAILURES = [
    (DataError("value too long"), 422, "Input cannot be stored"),
    (OperationalError("couldn't get a connection after 10.00 sec"), 503, "The server is busy; try again"),
    (RuntimeError("a bug"), 500, "Internal error"),
]


@pytest.fixture
def failing_create(monkeypatch):
    """Creating a conversation raises the given exception (Hooligram fails on looking its members up)."""

    def fail_with(error: Exception) -> None:
        def fail(*args, **kwargs):
            raise error

        monkeypatch.setattr(conversations, "conversation_create", fail)
        monkeypatch.setattr(phone_owners, "users_by_sids", fail)

    return fail_with


@pytest.mark.parametrize(("error", "status", "message"), FAILURES)
async def test_any_exception_is_answered_on_every_protocol(failing_create, caplog, error, status, message):
    failing_create(error)
    sama, sama_works = await _sama()
    await sama.send({"request": {"conversation_create": {"type": "g", "name": "x", "participants": []}, "id": "c1"}})
    assert await sama.receive() == sama_error(message, status, "c1")
    await sama_works()

    hooligram, hooligram_works = await _hooligram()
    await hooligram.send(
        {
            "id": "g1",
            "type": "GROUP_CREATE_REQUEST",
            "payload": {"group_name": "x", "member_sids": ["65.93000001", "x"]},
        }
    )
    reason = "server error" if status == 500 else message[0].lower() + message[1:]
    assert await hooligram.receive() == {"id": "g1", "payload": {"errors": [reason]}, "type": "GROUP_CREATE_FAILURE"}
    await hooligram_works()

    nk, nk_works = await _nkchat()
    await nk.send({"class": "chat", "subclass": "conversation", "cmd": "create", "data": {"name": "x"}, "tid": 9})
    assert await nk.receive() == nk_error(message, status, 9)
    await nk_works()

    tracebacks = [record for record in caplog.records if record.exc_info]
    assert len(tracebacks) == (3 if status == 500 else 0)  # only a bug is logged with its traceback
    if tracebacks:  # naming the request, but none of the frame's values (a frame may hold a token)
        lines = " ".join(record.getMessage() for record in tracebacks)
        assert "conversation_create" in lines and "GROUP_CREATE_REQUEST" in lines
        assert "65.93000001" not in lines
    for client in (sama, hooligram, nk):
        await client.close()


async def test_a_failed_sama_message_is_answered_with_its_id(monkeypatch):
    from realtime import send_batches

    async def unavailable(request, *, protocol):
        raise OperationalError("couldn't get a connection")

    monkeypatch.setattr(send_batches, "send", unavailable)
    client, works = await _sama()
    await client.send({"message": {"id": "m1", "cid": "1", "body": "hi"}})
    assert await client.receive() == {
        "message": {"id": "m1", "error": {"status": 503, "message": "The server is busy; try again"}}
    }
    await client.send({"system_message": {"id": "s1", "cid": "1", "x": {"a": "\u0000"}}})
    assert await client.receive() == {"system_message": {"id": "s1", "error": {"status": 422, "message": TEXT}}}
    await works()
    await client.close()
