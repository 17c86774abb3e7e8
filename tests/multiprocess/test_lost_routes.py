"""Over TCP against a server process: when Redis lost the process's routes (as a restart leaves
it), its WebSockets close with 1012, "service restart", within seconds, and a client that
reconnects receives events again (realtime/hub.py: `_resync`)."""

import asyncio
import json

import pytest
import websockets

from config.redis_client import loop_client
from events import routes
from events.delivery import user_group
from tests.helpers import access_token_for, db, make_group, make_user
from tests.servers import daphne_servers, sama_next, sama_over_tcp

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


async def _lose_routes(user_id: int) -> None:
    """Delete what a Redis restart loses: the hubs' marks and the user's route."""
    client = loop_client()
    marks = [key async for key in client.scan_iter(match="*hub.*:routed")]
    assert marks
    await client.delete(*marks, routes.route_key(user_group(user_id)))


async def test_websockets_close_with_1012_when_redis_lost_their_routes_and_reconnected_ones_get_events():
    alice, bob = await db(make_user)(), await db(make_user)()
    conversation = await db(make_group)(alice, bob)
    alice_token, bob_token = await db(access_token_for)(alice, "a"), await db(access_token_for)(bob, "b")
    with daphne_servers(1) as (port,):
        reader = await sama_over_tcp(port, bob_token, "b")
        await _lose_routes(bob.pk)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(reader.recv(), 10)  # the hub checks every 2 s
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1012, "events missed: reconnect")

        reader = await sama_over_tcp(port, bob_token, "b")
        writer = await sama_over_tcp(port, alice_token, "a")
        await writer.send(json.dumps({"message": {"id": "m1", "body": "after", "cid": str(conversation.pk)}}))
        assert (await sama_next(reader, "message"))["message"]["body"] == "after"
        await reader.close()
        await writer.close()
