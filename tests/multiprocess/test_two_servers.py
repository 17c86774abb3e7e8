"""Two server processes sharing PostgreSQL and Redis deliver to each other's clients."""

import json

import pytest
from channels.db import database_sync_to_async

from tests.helpers import access_token_for, make_user
from tests.servers import daphne_servers, sama_next, sama_over_tcp

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


async def test_a_message_sent_through_one_process_reaches_a_client_of_the_other():
    alice, bob = await database_sync_to_async(make_user)(), await database_sync_to_async(make_user)()
    alice_token = await database_sync_to_async(access_token_for)(alice)
    bob_token = await database_sync_to_async(access_token_for)(bob)
    with daphne_servers(2) as (port_a, port_b):
        a = await sama_over_tcp(port_a, alice_token)
        b = await sama_over_tcp(port_b, bob_token)
        request = {"conversation_create": {"type": "u", "participants": [str(bob.pk)]}, "id": "cc"}
        await a.send(json.dumps({"request": request}))
        cid = (await sama_next(a, "response"))["response"]["conversation"]["_id"]
        assert (await sama_next(b, "system_message"))["system_message"]["cid"] == cid
        await a.send(json.dumps({"message": {"id": "m1", "body": "across processes", "cid": cid}}))
        ack = (await sama_next(a, "ack"))["ack"]
        delivered = (await sama_next(b, "message"))["message"]
        assert delivered["_id"] == ack["server_mid"] and delivered["body"] == "across processes"
        await b.send(json.dumps({"message": {"id": "m2", "body": "and back", "cid": cid}}))
        assert (await sama_next(a, "message"))["message"]["body"] == "and back"
        await a.close()
        await b.close()
