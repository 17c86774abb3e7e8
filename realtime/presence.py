"""Who is online: the open connections of each user, shared by every server process, and each
user's last activity (online, or when they were last seen, in Unix seconds).

With Redis configured the connection sets live there (so several processes agree), and each
process holds a lease on its entries: when it dies without closing its connections, another
process removes them within the lease and a third (realtime.presence_lease); without Redis, in
this process's memory."""

import asyncio

from django.conf import settings

from accounts.models import User
from accounts.services import user_touch_activity
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


class _Openings(LoopBatches[tuple[int, str, asyncio.Future[bool]]]):
    """Connections opened at the same moment, recorded in one MULTI/EXEC: a sign-in ramp made a
    round trip each, and waited for one of the pool's connections to make it."""

    name = "presence"
    limit = 200
    gather_s = None

    async def handle(self, batch: list[tuple[int, str, asyncio.Future[bool]]]) -> None:
        client = _client()
        assert client is not None, "openings are queued only with Redis"
        holder = holder_of_this_loop(client).id
        answers: list[Exception | bool]
        try:
            async with client.pipeline(transaction=True) as pipe:
                for user_id, connection_id, _ in batch:
                    record(pipe, holder, user_id, connection_id)
                results = await pipe.execute()
        except Exception as error:
            answers = [error] * len(batch)
        else:
            # In order, so of two connections of a user opened together only the first comes online.
            answers = [bool(added) and count == 1 for added, _, _, count in zip(*[iter(results)] * 4, strict=True)]
        for (_, _, came_online), answer in zip(batch, answers, strict=True):
            settle(came_online, answer)


async def connection_closed(user_id: int, connection_id: str) -> bool:
    """Forget a connection; True when it was the user's last one (they went offline)."""
    client = _client()
    if client is None:
        channels = _local.get(user_id, set())
        channels.discard(connection_id)
        offline = not channels
        if offline:
            _local.pop(user_id, None)
    else:
        holder = holder_of_this_loop(client)
        holder.connections.pop(connection_id, None)
        async with client.pipeline(transaction=True) as pipe:
            forget(pipe, holder.id, user_id, connection_id)
            removed, count, _ = await pipe.execute()
        # Not removed: a sweep took the entry (this process's lease lapsed) and answered for it.
        offline = bool(removed) and count == 0
    if offline:
        await run_in_db(user_touch_activity, user_id)
    return offline


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
