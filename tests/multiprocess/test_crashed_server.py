"""A server process killed without closing its connections: its users go offline within its
presence lease (realtime/presence_lease.py), announced by a process that is still running."""

import asyncio
import json
import signal
import time

import pytest

from accounts.models import User
from realtime import presence
from tests.helpers import access_token_for, db, make_user
from tests.servers import daphne_processes, sama_over_tcp, sama_request

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 3


def _last_activity_at(user_id: int):
    return User.objects.get(pk=user_id).last_activity_at


async def test_the_users_of_a_killed_server_go_offline_within_its_lease():
    alice, bob = await db(make_user)(), await db(make_user)()
    alice_token, bob_token = await db(access_token_for)(alice, "a"), await db(access_token_for)(bob, "b")
    env = {"PRESENCE_LEASE_SECONDS": str(LEASE_SECONDS)}
    with daphne_processes(2, env=env) as [(port_a, server_a), (port_b, _)]:
        doomed = await sama_over_tcp(port_a, alice_token, "a")
        watcher = await sama_over_tcp(port_b, bob_token, "b")
        answer = await sama_request(watcher, "user_last_activity_subscribe", {"id": str(alice.pk)})
        assert answer["last_activity"] == {str(alice.pk): "online"}
        assert presence.online_user_ids_blocking([alice.pk]) == {alice.pk}

        server_a.send_signal(signal.SIGKILL)
        server_a.wait(timeout=10)
        killed_at = time.time()
        # The lease runs out, then server B's next sweep (every third of the lease) finds it.
        frame = json.loads(await asyncio.wait_for(watcher.recv(), LEASE_SECONDS * 4 / 3 + 5))
        assert set(frame) == {"last_activity"} and set(frame["last_activity"]) == {str(alice.pk)}
        assert frame["last_activity"][str(alice.pk)] >= killed_at - 1  # when last seen, in Unix seconds
        assert time.time() - killed_at <= LEASE_SECONDS * 4 / 3 + 2
        assert presence.online_user_ids_blocking([alice.pk]) == set()
        seen = await db(_last_activity_at)(alice.pk)
        assert seen is not None and seen.timestamp() >= killed_at - 1
        answer = await sama_request(watcher, "user_last_activity", {"ids": [str(alice.pk)]})
        assert abs(answer["last_activity"][str(alice.pk)] - seen.timestamp()) <= 1
        await watcher.close()
        await doomed.close()  # its server is gone: closes at once
