"""Seeded fuzzing over the wire: hostile variants of valid frames and bodies (tests/fuzz/mutator.py)
thrown at a real server process on each WebSocket protocol and HTTP JSON endpoint.

The run fails on any frame left unanswered (each is followed by a probe request whose answer must
come, after the frame's own where the protocol answers one), any dropped connection, any 5xx and
any traceback in the server's log. `FUZZ_FRAMES` (default 1,000 per protocol) and `FUZZ_SEED`
(default 16) set its size and its sequence; the README gives the command for a longer run."""

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from channels.db import database_sync_to_async

from accounts import sms, verification
from messaging.sending import message_send
from tests.fuzz.mutator import Mutator
from tests.helpers import PASSWORD, access_token_for, make_group, make_user
from tests.servers import daphne_servers

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]

FRAMES = int(os.environ.get("FUZZ_FRAMES", "1000"))
SEED = int(os.environ.get("FUZZ_SEED", "16"))
# The brute-force limits would answer most fuzzed logins 429 after a few: still answers, but the
# fuzzer should reach the handlers behind them.
SERVER_ENV = {"LOGIN_RATE": "100000/min", "REGISTER_RATE": "100000/min", "LOG_LEVEL": "WARNING"}
# Hooligram actions that are the client's answers to the server's deliveries: answered only if bad.
HOOLIGRAM_ANSWERS = {
    "GROUP_DELIVER_SUCCESS",
    "GROUP_DELIVER_FAILURE",
    "MESSAGING_DELIVER_SUCCESS",
    "MESSAGING_DELIVER_FAILURE",
}


def _world() -> dict[str, Any]:
    """Two users with a group, a message, tokens and Hooligram phone identities."""
    from django.test import override_settings

    alice, bob = make_user(), make_user()
    group = make_group(alice, bob, name="fuzz")
    message, _ = message_send(alice, conversation_id=group.pk, body="hello")
    with override_settings(SMS_BACKEND="accounts.sms.InMemorySmsBackend"):
        phone = verification.verification_request(country_code="65", phone_number="94000001", address=None)
        code = sms.last_code("65", "94000001")
        verification.verification_request(country_code="65", phone_number="94000002", address=None)
    return {
        "alice": alice,
        "bob": bob,
        "cid": group.pk,
        "mid": message.pk,
        "token": access_token_for(alice, "fuzz"),
        "phone": phone,
        "code": code,
    }


def _sama_frames(w: dict) -> list[dict]:
    cid, mid, bob = str(w["cid"]), str(w["mid"]), str(w["bob"].pk)
    requests = {
        "user_search": {"keyword": "user", "limit": 5, "updated_at": {"gt": 0}, "ignore_ids": []},
        "get_users_by_ids": {"ids": [bob]},
        "conversation_create": {"type": "g", "name": "n", "participants": [bob]},
        "conversation_update": {"id": cid, "name": "n2", "participants": {"add": [], "remove": []}},
        "conversation_list": {"limit": 10, "updated_at": {"lt": 4102444800000}},
        "get_participants_by_cids": {"cids": [cid]},
        "conversation_search": {"name": "fuzz"},
        "message_list": {"cid": cid, "limit": 5},
        "message_reactions_update": {"mid": mid, "add": "👍", "remove": "😿"},
        "message_reactions_list": {"mid": mid},
        "message_read": {"cid": cid, "ids": [mid]},
        "message_edit": {"id": mid, "body": "edited"},
        "message_delete": {"cid": cid, "ids": [mid], "type": "myself"},
        "user_last_activity": {"ids": [bob]},
        "user_last_activity_subscribe": {"id": bob},
        "op_log_list": {"created_at": {"gt": 0}},
        "contact_add": {"first_name": "c", "phone": [{"type": "home", "value": "123"}]},
        "contact_list": {"limit": 5},
        "create_files": {"files": [{"name": "a.png", "size": 10, "content_type": "image/png"}]},
        "get_file_urls": {"file_ids": ["x"]},
        "block_user": {"id": bob},
        "unblock_user": {"id": bob},
        "push_subscription_create": {"platform": "web", "web_endpoint": "https://p/x", "device_udid": "u"},
    }
    frames: list[dict] = [{"request": {name: params, "id": f"fz:{name}"}} for name, params in requests.items()]
    frames += [
        {"message": {"id": "m", "cid": cid, "body": "hi", "x": {"k": 1}, "attachments": []}},
        {"message": {"id": "r", "cid": cid, "body": "re", "replied_message_id": mid, "forwarded_message_id": mid}},
        {"system_message": {"id": "s", "cid": cid, "x": {"a": 1}}},
        {"typing": {"cid": cid}},
        {"id": "ids", "get_users_by_ids": {"ids": [bob]}},
    ]
    return frames


def _hooligram_frames(w: dict) -> list[dict]:
    sids = ["65.94000001", "65.94000002"]
    payloads = {
        "GROUP_CREATE_REQUEST": {"group_name": "g", "member_sids": sids},
        "GROUP_ADD_MEMBER_REQUEST": {"group_id": 1, "member_sid": sids[1]},
        "GROUP_LEAVE_REQUEST": {"group_id": 999999},
        "MESSAGING_SEND_REQUEST": {"group_id": 1, "content": "hi"},
        "MESSAGING_DELIVER_SUCCESS": {"message_id": 1},
        "GROUP_DELIVER_SUCCESS": {"group_id": 1},
        "CONN_KEEP_ALIVE_REQUEST": {},
        "VERIFICATION_SUBMIT_CODE_REQUEST": {"verification_code": "000000"},
    }
    return [{"id": f"fz{n}", "type": kind, "payload": p} for n, (kind, p) in enumerate(payloads.items())]


def _nkchat_frames(w: dict) -> list[dict]:
    cid, mid, bob = str(w["cid"]), str(w["mid"]), str(w["bob"].pk)
    commands = [
        ("core", "event", "subscribe", {"class": "chat", "subclass": "message", "type": "*", "obj_id": cid}),
        ("chat", "user", "get", {"user_id": bob}),
        ("chat", "user", "search", {"fields": ["_all"], "filter": {"login": "x"}, "size": 5, "from": 0}),
        ("chat", "conversation", "create", {"name": "n", "user_ids": [bob]}),
        ("chat", "conversation", "get", {"conversation_id": cid}),
        ("chat", "conversation", "add_members", {"conversation_id": cid, "user_ids": [bob]}),
        ("chat", "conversation", "get_members", {"conversation_id": cid}),
        ("chat", "conversation", "search", {"sort_by": "name", "sort_order": "asc"}),
        ("chat", "message", "create", {"conversation_id": cid, "message": "hi"}),
        ("chat", "message", "get", {"message_id": mid}),
        ("chat", "message", "update", {"conversation_id": cid, "message_id": mid, "message": "e"}),
        ("chat", "message", "search", {"filter": {"conversation_id": cid}, "size": 3}),
    ]
    return [{"class": c, "subclass": s, "cmd": cmd, "data": d, "tid": n} for n, (c, s, cmd, d) in enumerate(commands)]


class Protocol:
    """One protocol's path, sign-in, probe request, and which frames it need not answer."""

    def __init__(self, path: str, sign_in: tuple[dict, Any], probe: Any, exempt: Any) -> None:
        self.path, (self.sign_in, self.signed_in), self.probe, self.exempt = path, sign_in, probe, exempt


def _protocols(w: dict) -> dict[str, tuple[Protocol, list[dict]]]:
    sama = Protocol(
        "/",
        (
            {"request": {"connect": {"token": w["token"], "device_id": "fuzz"}, "id": "signin"}},
            lambda frame: frame == {"response": {"id": "signin", "success": True}},
        ),
        lambda n: ({"request": {"user_search": {"keyword": "probe"}, "id": f"probe{n}"}}, _sama_probe(n)),
        _sama_needs_no_answer,
    )
    hooligram = Protocol(
        "/v2",
        (
            {
                "id": "signin",
                "type": "AUTHORIZATION_SIGN_IN_REQUEST",
                "payload": {"country_code": "65", "phone_number": "94000001", "verification_code": w["code"]},
            },
            lambda frame: frame.get("type") == "AUTHORIZATION_SIGN_IN_SUCCESS",
        ),
        lambda n: ({"id": f"probe{n}", "type": "CONN_KEEP_ALIVE_REQUEST", "payload": {}}, _id_probe(f"probe{n}")),
        lambda frame: isinstance(frame, dict) and str(frame.get("type")) in HOOLIGRAM_ANSWERS,
    )
    nkchat = Protocol(
        "/nkchat",
        (
            {
                "class": "core",
                "subclass": "user",
                "cmd": "login",
                "data": {"user": w["alice"].username, "password": PASSWORD},
                "tid": "signin",
            },
            lambda frame: frame.get("tid") == "signin" and frame.get("result") == "ok",
        ),
        lambda n: (
            {"class": "chat", "subclass": "user", "cmd": "search", "data": {}, "tid": f"probe{n}"},
            _tid_probe(f"probe{n}"),
        ),
        lambda frame: isinstance(frame, dict) and "result" in frame and "class" not in frame,
    )
    return {
        "sama": (sama, _sama_frames(w)),
        "hooligram": (hooligram, _hooligram_frames(w)),
        "nkchat": (nkchat, _nkchat_frames(w)),
    }


def _sama_needs_no_answer(frame: Any) -> bool:
    """Typing is never answered, an accepted system message neither (only its failure is)."""
    if not isinstance(frame, dict) or {"request", "message"} & set(frame):
        return False
    return "system_message" in frame or "typing" in frame


def _sama_probe(n: int):
    return lambda frame: frame.get("response", {}).get("id") == f"probe{n}"


def _id_probe(probe_id: str):
    return lambda frame: frame.get("id") == probe_id and frame.get("type") == "CONN_KEEP_ALIVE_SUCCESS"


def _tid_probe(tid: str):
    return lambda frame: frame.get("tid") == tid and frame.get("result") == "ok"


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


async def _fuzz_socket(port: int, protocol: Protocol, frames: list[dict], mutator: Mutator) -> None:
    async with websockets.connect(f"ws://127.0.0.1:{port}{protocol.path}", max_size=None) as socket:
        await socket.send(json.dumps(protocol.sign_in))
        signed_in = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert protocol.signed_in(signed_in), signed_in
        for n in range(FRAMES):
            text = mutator.text(mutator.random.choice(frames))
            await socket.send(text)
            probe, is_answer = protocol.probe(n)
            await socket.send(json.dumps(probe))
            before = 0
            while True:
                try:
                    frame = json.loads(await asyncio.wait_for(socket.recv(), 15))
                except (TimeoutError, websockets.ConnectionClosed) as error:
                    raise AssertionError(
                        f"seed {SEED}, frame {n}: {type(error).__name__} after {text[:300]!r}"
                    ) from error
                if is_answer(frame):
                    break
                before += 1
            if not protocol.exempt(_parsed(text)):
                assert before >= 1, f"seed {SEED}, frame {n} got no answer: {text[:300]!r}"


@pytest.fixture
def world():
    return _world()


@pytest.mark.parametrize("name", ["sama", "hooligram", "nkchat"])
async def test_fuzzed_frames_are_all_answered(world, tmp_path: Path, name: str):
    protocol, frames = _protocols(world)[name]
    log = tmp_path / "server.log"
    with daphne_servers(1, env=SERVER_ENV, log=log) as (port,):
        await _fuzz_socket(port, protocol, frames, Mutator(SEED))
    assert "Traceback" not in log.read_text(), log.read_text()[-5000:]


def _http_bodies(w: dict) -> list[tuple[str, str, dict, bool]]:
    """(method, path, body, with the bearer token)"""
    cid, mid, bob = w["cid"], w["mid"], w["bob"].pk
    return [
        ("post", "/login", {"login": w["alice"].username, "password": PASSWORD, "device_id": "h"}, False),
        ("post", "/logout", {}, True),
        ("post", "/users", {"name": "n", "username": "fz", "password": "pw123456", "deviceInfo": {"id": "d"}}, False),
        ("put", "/users/me", {"name": "n", "about": "a"}, True),
        ("put", "/users/me/changePassword", {"oldPassword": "x", "newPassword": "y"}, True),
        ("post", "/chats", {"title": "t", "participants": [bob], "isPersonal": False}, True),
        ("put", f"/chats/{cid}", {"title": "t2"}, True),
        ("put", f"/chats/{cid}/settings", {"isMuted": True, "isArchived": False}, True),
        ("post", f"/chats/{cid}/users", {"users": [bob]}, True),
        ("post", f"/chats/{cid}/messages", {"text": "hi", "localId": "l"}, True),
        ("put", f"/chats/{cid}/messages/{mid}", {"text": "e"}, True),
        ("post", f"/chats/{cid}/notify", {"name": "n", "text": "t", "data": {"a": 1}}, True),
        ("post", f"/chats/{cid}/messages/read", {"messageIds": [mid]}, True),
    ]


async def test_fuzzed_http_bodies_never_get_a_5xx(world, tmp_path: Path):
    mutator = Mutator(SEED)
    bodies = _http_bodies(world)
    log = tmp_path / "server.log"
    with daphne_servers(1, env=SERVER_ENV, log=log) as (port,):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for n in range(FRAMES):
                method, path, body, bearer = mutator.random.choice(bodies)
                token = await database_sync_to_async(access_token_for)(world["alice"], f"h{n}") if bearer else None
                headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
                text = mutator.text(body)
                response = await client.request(
                    method, path, content=text.encode("utf-8", "surrogatepass"), headers=headers
                )
                assert response.status_code < 500, (
                    f"seed {SEED}, body {n}: {method} {path} {text[:300]!r} -> {response.text[:300]}"
                )
                assert response.headers.get("content-type", "").startswith("application/json") or not response.content
    assert "Traceback" not in log.read_text(), log.read_text()[-5000:]
