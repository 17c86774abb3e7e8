"""Who is online: the open connections of each user, shared by every server process, and each
user's last activity (online, or when they were last seen, in Unix seconds).

With Redis configured the connection sets live there (so several processes agree), and each
process holds a lease on its entries: when it dies without closing its connections, another
process removes them within the lease and a third (realtime.presence_lease); without Redis, in
this process's memory."""

import asyncio
from typing import Any

from django.conf import settings

from accounts.models import User
from accounts.services import users_touch_activity
from config.loop_batches import LoopBatches, settle
from config.redis_client import loop_client
from realtime.db import run_in_db
from realtime.presence_lease import forget, holder_of_this_loop, record, user_key

_local: dict[int, set[str]] = {}
_client = loop_client


_key = user_key


async def connection_opened(user_id: int, connection_id: str) -> bool:
    """Record an open connection; True when the user just came online."""
    client = _client()
    if client is None:
        channels = _local.setdefault(user_id, set())
        channels.add(connection_id)
        return len(channels) == 1
    holder = holder_of_this_loop(client)
    await holder.ready()
    holder.connections[connection_id] = user_id
    came_online = asyncio.get_running_loop().create_future()
    _Openings.of_this_loop().put((user_id, connection_id, came_online))
    return await came_online


Change = tuple[int, str, asyncio.Future[bool]]  # (user id, connection id, its answer)


class _PresenceChanges(LoopBatches[Change]):
    """Connections' entries changed at the same moment, in one script run; each connection is
    answered whether its user's presence changed with it."""

    limit = 200
    gather_s = None

    async def change(self, client: Any, holder: str, entries: list[tuple[int, str]]) -> list[bool]:
        """Change the connections' entries; whether each one's user changed with it."""
        raise NotImplementedError

    async def recorded(self, changed: list[int]) -> None:
        """Record what follows for the users whose presence changed."""

    async def handle(self, batch: list[Change]) -> None:
        client = _client()
        assert client is not None, "presence changes are queued only with Redis"
        holder = holder_of_this_loop(client).id
        answers: list[Exception | bool]
        try:
            answers = list(await self.change(client, holder, [(uid, cid) for uid, cid, _ in batch]))
        except Exception as error:
            answers = [error] * len(batch)
        else:
            try:
                await self.recorded([user_id for (user_id, _, _), answer in zip(batch, answers, strict=True) if answer])
            except Exception as error:  # those whose presence changed learn it; the others are answered
                answers = [error if answer else answer for answer in answers]
        for (_, _, answered), answer in zip(batch, answers, strict=True):
            settle(answered, answer)


class _Openings(_PresenceChanges):
    """Connections opened at the same moment: a sign-in ramp made a round trip each, and waited for
    one of the pool's connections to make it. The first connection of a user brings them online."""

    name = "presence"
    change = staticmethod(record)


class _Closings(_PresenceChanges):
    """Connections closed at the same moment, and the last activity of the users they left offline
    recorded in one UPDATE: 5,000 connections closing at once (a network drop, a proxy's reload)
    made a round trip and a database write each, and cost the servers nearly as much CPU as
    signing them in. A connection whose entry was gone (a sweep took it when this process's lease
    lapsed, and answered for it) takes no one offline."""

    name = "presence_closed"
    change = staticmethod(forget)

    async def recorded(self, changed: list[int]) -> None:
        if changed:
            await run_in_db(users_touch_activity, changed)


async def connection_closed(user_id: int, connection_id: str) -> bool:
    """Forget a connection; True when it was the user's last one (they went offline, and their
    last activity is recorded)."""
    client = _client()
    if client is None:
        channels = _local.get(user_id, set())
        channels.discard(connection_id)
        offline = not channels
        if offline:
            _local.pop(user_id, None)
            await run_in_db(users_touch_activity, [user_id])
        return offline
    holder_of_this_loop(client).connections.pop(connection_id, None)
    went_offline = asyncio.get_running_loop().create_future()
    _Closings.of_this_loop().put((user_id, connection_id, went_offline))
    return await went_offline


async def online_user_ids(user_ids: list[int]) -> set[int]:
    """Those of the users with at least one open connection."""
    client = _client()
    if client is None:
        return {uid for uid in user_ids if _local.get(uid)}
    async with client.pipeline(transaction=False) as pipe:
        for uid in user_ids:
            pipe.scard(_key(uid))
        counts = await pipe.execute()
    return {uid for uid, count in zip(user_ids, counts, strict=True) if count}


_sync_client = None


def online_user_ids_blocking(user_ids: list[int]) -> set[int]:
    """`online_user_ids` for synchronous code outside the event loop (the push worker)."""
    global _sync_client
    if not settings.REDIS_URL:
        return {uid for uid in user_ids if _local.get(uid)}
    if _sync_client is None:
        import redis

        _sync_client = redis.Redis.from_url(settings.REDIS_URL)
    with _sync_client.pipeline(transaction=False) as pipe:
        for uid in user_ids:
            pipe.scard(_key(uid))
        counts = pipe.execute()
    return {uid for uid, count in zip(user_ids, counts, strict=True) if count}


ONLINE = "online"


def _last_seen(user_ids: list[int]) -> dict[int, float]:
    rows = User.objects.filter(pk__in=user_ids, is_active=True).values_list("pk", "last_activity_at", "date_joined")
    return {pk: (seen or joined).timestamp() for pk, seen, joined in rows}


async def last_activity(user_ids: list[int]) -> dict[int, str | int]:
    """For each existing user: "online", or when they were last seen (Unix seconds)."""
    seen = await run_in_db(_last_seen, user_ids)
    online = await online_user_ids(list(seen))
    return {uid: ONLINE if uid in online else int(seen[uid]) for uid in user_ids if uid in seen}
