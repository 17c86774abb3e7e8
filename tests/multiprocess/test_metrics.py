"""Each server process answers its own `/metrics`, behind METRICS_TOKEN: a message sent through one
process is counted there, and its delivery, timed from the send's arrival in the other process,
where it is delivered. The processes time their garbage collections (config/server.py)."""

import asyncio
import json
import urllib.error
import urllib.request

import pytest

from tests.helpers import access_token_for, db, make_user
from tests.metrics_samples import moved, samples, value
from tests.servers import daphne_servers, sama_next, sama_over_tcp

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]

TOKEN = "scrape-me"


def _get(port: int, token: str | None = TOKEN) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


async def _scrape(port: int) -> dict:
    status, text = await asyncio.to_thread(_get, port)
    assert status == 200
    return samples(text)


async def test_each_process_counts_what_happens_in_it():
    alice, bob = await db(make_user)(), await db(make_user)()
    alice_token, bob_token = await db(access_token_for)(alice), await db(access_token_for)(bob)
    with daphne_servers(2, env={"METRICS_TOKEN": TOKEN}) as (port_a, port_b):
        assert (await asyncio.to_thread(_get, port_a, None))[0] == 401
        assert (await asyncio.to_thread(_get, port_a, "wrong"))[0] == 401
        a = await sama_over_tcp(port_a, alice_token)
        b = await sama_over_tcp(port_b, bob_token)
        request = {"conversation_create": {"type": "u", "participants": [str(bob.pk)]}, "id": "cc"}
        await a.send(json.dumps({"request": request}))
        cid = (await sama_next(a, "response"))["response"]["conversation"]["_id"]
        await sama_next(b, "system_message")
        before_a, before_b = await _scrape(port_a), await _scrape(port_b)

        await a.send(json.dumps({"message": {"id": "m1", "body": "across processes", "cid": cid}}))
        await sama_next(a, "ack")
        await sama_next(b, "message")
        after_a, after_b = await _scrape(port_a), await _scrape(port_b)

        for readings in (after_a, after_b):
            assert value(readings, "chat_websocket_connections", protocol="sama") == 1
            timed = {dict(labels)["generation"] for name, labels in readings if name == "chat_gc_pause_seconds_count"}
            assert timed == {"0", "1", "2"}  # the server's collection timer is installed
        assert moved(before_a, after_a, "chat_messages_sent_total", protocol="sama") == 1
        assert moved(before_b, after_b, "chat_messages_sent_total", protocol="sama") == 0
        assert moved(before_a, after_a, "chat_send_commit_seconds_count") == 1
        assert moved(before_b, after_b, "chat_send_commit_seconds_count") == 0
        assert moved(before_b, after_b, "chat_deliveries_total", protocol="sama") == 1
        assert moved(before_a, after_a, "chat_deliveries_total", protocol="sama") == 0  # alice has her ack
        # The arrival time crossed to B with the event: B timed the delivery to bob.
        assert moved(before_b, after_b, "chat_send_delivery_seconds_count") == 1
        assert moved(before_b, after_b, "chat_send_delivery_seconds_sum") > 0
        await a.close()
        await b.close()
