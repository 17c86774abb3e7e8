"""A connection whose events may have been lost (Redis lost its process's routes: restarted, or an
event reached the process while its subscription was down) closes with 1012, "service restart";
its client reconnects and receives events again (realtime/hub.py: `_resync`)."""

import pytest

from config.redis_client import loop_client
from events import routes
from events.delivery import user_group
from realtime import hub as hub_module
from realtime.hub import current_hub
from tests.accounts.support import close_frame
from tests.helpers import db, make_group, make_user, sama_connected

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


async def test_a_connection_closes_with_1012_when_redis_lost_its_routes_and_its_client_reconnects(monkeypatch):
    if not routes.routing_enabled():
        pytest.skip("events are routed by address only with Redis pub/sub (CHANNEL_LAYER=pubsub)")
    monkeypatch.setattr(hub_module, "ROUTES_CHECK_SECONDS", 0.05)
    alice, bob = await db(make_user)(), await db(make_user)()
    conversation = await db(make_group)(alice, bob)
    reader = await sama_connected(bob)
    channel = current_hub().channel
    # As a Redis restart leaves it: neither the process's mark nor its routes.
    await loop_client().delete(routes.registered_key(channel), routes.route_key(user_group(bob.pk)))
    assert await close_frame(reader) == (1012, "events missed: reconnect")

    reader = await sama_connected(bob, "device-2")
    writer = await sama_connected(alice)
    await writer.send({"message": {"id": "m1", "body": "after the restart", "cid": str(conversation.pk)}})
    assert (await reader.receive())["message"]["body"] == "after the restart"
    for client in (reader, writer):
        await client.close()
