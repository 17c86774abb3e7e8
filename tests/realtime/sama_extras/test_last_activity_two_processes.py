"""Last activity is right across two server processes sharing PostgreSQL and Redis: a user is
online while any of their connections, on either process, is open."""

import asyncio
import json
import time

import pytest

from tests.helpers import access_token_for, db, make_user
from tests.servers import daphne_servers, sama_over_tcp, sama_request

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


async def _quiet(socket, seconds: float = 0.5) -> None:
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(socket.recv(), seconds)


async def test_online_and_offline_reach_a_subscriber_on_the_other_process():
    alice, bob = await db(make_user)(), await db(make_user)()
    alice_token = await db(access_token_for)(alice, "a")
    bob_phone, bob_laptop = await db(access_token_for)(bob, "phone"), await db(access_token_for)(bob, "laptop")
    with daphne_servers(2) as (port_a, port_b):
        watcher = await sama_over_tcp(port_a, alice_token, "a")
        answer = await sama_request(watcher, "user_last_activity_subscribe", {"id": str(bob.pk)})
        assert isinstance(answer["last_activity"][str(bob.pk)], int)
        phone = await sama_over_tcp(port_b, bob_phone, "phone")
        assert json.loads(await asyncio.wait_for(watcher.recv(), 5)) == {"last_activity": {str(bob.pk): "online"}}
        laptop = await sama_over_tcp(port_a, bob_laptop, "laptop")
        await _quiet(watcher)
        assert (await sama_request(watcher, "user_last_activity", {"ids": [str(bob.pk)]}))["last_activity"] == {
            str(bob.pk): "online"
        }
        await phone.close()
        await _quiet(watcher)  # the laptop, on the other process, is still connected
        await laptop.close()
        gone = json.loads(await asyncio.wait_for(watcher.recv(), 5))["last_activity"][str(bob.pk)]
        assert time.time() - 5 <= gone <= time.time()  # when bob was last seen, in Unix seconds
        await watcher.close()
