"""Malformed frames get a failure answer and the connection keeps working; keep-alive."""

import pytest

from tests.realtime.hooligram.client import HooligramClient, hooligram_connected, make_phone_user

pytestmark = pytest.mark.django_db(transaction=True)

KEEP_ALIVE = {"id": "k", "payload": {}, "type": "CONN_KEEP_ALIVE_REQUEST"}


def _generic(reason: str, action_id: object = None) -> dict:
    return {"id": action_id, "payload": {"errors": [reason]}, "type": "ACTION_FAILURE"}


async def test_keep_alive_at_any_time():
    client = await HooligramClient().open()
    assert await client.act("CONN_KEEP_ALIVE_REQUEST", {}, "k1") == {
        "id": "k1",
        "payload": {},
        "type": "CONN_KEEP_ALIVE_SUCCESS",
    }
    await client.send({"id": "k2", "type": "CONN_KEEP_ALIVE_REQUEST"})  # no payload at all
    assert (await client.receive())["type"] == "CONN_KEEP_ALIVE_SUCCESS"
    await client.close()


@pytest.mark.parametrize(
    ("frame", "answer"),
    [
        ("not json", _generic("frame is not valid JSON")),
        ("[1, 2]", _generic("frame must be a JSON object")),
        ('"text"', _generic("frame must be a JSON object")),
        ({"id": "u1", "payload": {}}, _generic("type not in action", "u1")),
        ({"id": "u2", "payload": {}, "type": 7}, _generic("type not in action", "u2")),
        (
            {"id": "u3", "payload": {}, "type": "SELF_DESTRUCT_REQUEST"},
            _generic("unknown action type SELF_DESTRUCT_REQUEST", "u3"),
        ),
        (
            {"payload": {}, "type": "CONN_KEEP_ALIVE_REQUEST"},
            {"id": None, "payload": {"errors": ["id not in action"]}, "type": "CONN_KEEP_ALIVE_FAILURE"},
        ),
        (
            {"id": {"an": "object"}, "payload": {}, "type": "CONN_KEEP_ALIVE_REQUEST"},
            {"id": None, "payload": {"errors": ["id not in action"]}, "type": "CONN_KEEP_ALIVE_FAILURE"},
        ),
        (
            {"id": "", "payload": {}, "type": "GROUP_CREATE_REQUEST"},
            {"id": "", "payload": {"errors": ["id not in action"]}, "type": "GROUP_CREATE_FAILURE"},
        ),
        (
            {"id": "p", "payload": [], "type": "VERIFICATION_REQUEST_CODE_REQUEST"},
            {"id": "p", "payload": {"errors": ["payload not in action"]}, "type": "VERIFICATION_REQUEST_CODE_FAILURE"},
        ),
        (
            {"id": "p", "payload": None, "type": "VERIFICATION_SUBMIT_CODE_REQUEST"},
            {"id": "p", "payload": {"errors": ["payload not in action"]}, "type": "VERIFICATION_SUBMIT_CODE_FAILURE"},
        ),
        (
            {"id": "n", "payload": {"group_id": 1, "content": "x"}, "type": "MESSAGING_SEND_REQUEST"},
            {"id": "n", "payload": {"errors": ["not signed in"]}, "type": "MESSAGING_SEND_FAILURE"},
        ),
        (
            {"id": "n", "payload": {"group_id": 1}, "type": "GROUP_LEAVE_REQUEST"},
            {"id": "n", "payload": {"errors": ["not signed in"]}, "type": "GROUP_LEAVE_FAILURE"},
        ),
        (
            {"id": "n", "payload": {"group_id": 1, "member_sid": "x"}, "type": "GROUP_ADD_MEMBER_REQUEST"},
            {"id": "n", "payload": {"errors": ["not signed in"]}, "type": "GROUP_ADD_MEMBER_FAILURE"},
        ),
    ],
)
async def test_malformed_frames_get_a_failure_and_the_connection_keeps_working(frame, answer):
    client = await HooligramClient().open()
    await client.send(frame)
    assert await client.receive() == answer
    await client.send(KEEP_ALIVE)
    assert (await client.receive())["type"] == "CONN_KEEP_ALIVE_SUCCESS"
    await client.close()


async def test_a_frame_too_large_is_refused(settings):
    settings.WEBSOCKET_FRAME_MAX_BYTES = 100
    client = await HooligramClient().open()
    await client.send({**KEEP_ALIVE, "payload": {"pad": "x" * 200}})
    assert await client.receive() == _generic("frame is too large")
    await client.send(KEEP_ALIVE)
    assert (await client.receive())["type"] == "CONN_KEEP_ALIVE_SUCCESS"
    await client.close()


async def test_client_answers_to_deliveries_need_no_answer():
    client = await HooligramClient().open()
    # before sign-in they are refused like any action that needs it
    await client.send({"id": "g", "payload": {"group_id": 1}, "type": "GROUP_DELIVER_SUCCESS"})
    assert await client.receive() == {
        "id": "g",
        "payload": {"errors": ["not signed in"]},
        "type": "GROUP_DELIVER_FAILURE",
    }
    await client.close()
    user, code = await make_phone_user("65", "93000001")
    signed_in = await hooligram_connected(user, code)
    for action_type in ("GROUP_DELIVER_SUCCESS", "GROUP_DELIVER_FAILURE", "MESSAGING_DELIVER_FAILURE"):
        await signed_in.send({"id": "x", "payload": {"group_id": 1, "errors": ["full"]}, "type": action_type})
    await signed_in.nothing()
    await signed_in.send(KEEP_ALIVE)
    assert (await signed_in.receive())["type"] == "CONN_KEEP_ALIVE_SUCCESS"
    await signed_in.close()
