"""Presence that outlives a crashed process only as long as the process's lease.

Each event loop that records connections in Redis (one per server process) is a *holder* with an
id of its own. Each open connection has two entries: its id in its user's set (who is online,
`realtime.presence`) and "<user id> <connection id>" in its holder's set (`held:<holder>`), both
written by the same script run (one for all the connections opened, or closed, at the same
moment). A holder renews its lease key (`lease:<holder>`, expiring after PRESENCE_LEASE_SECONDS)
every third of the lease, then sweeps: for each registered holder whose lease has expired (its
process died without closing its connections) a Lua script pops a chunk of its entries and
removes them from their users' sets, answering the users left with no connection; the sweeper
records their last activity and announces them offline, as when a last connection closes. An
entry is popped by one script run only, so two sweepers never announce the same user, and a
connection closed meanwhile is counted once. A holder that finds its own lease lapsed (its loop
stalled for longer than the lease) records its connections again.
"""

import asyncio
import contextvars
import logging
import uuid
import weakref
from typing import Any

from django.conf import settings

from accounts.services import users_touch_activity
from realtime import activity
from realtime.db import run_in_db

logger = logging.getLogger("realtime")

# Seconds a user's set and a holder's set live without being written to: a last resort for
# entries no sweep reaches.
KEY_TTL = 24 * 3600
# Entries one script run removes: the script holds Redis for a few milliseconds at most.
SWEEP_CHUNK = 500
# A re-recording after a lapse: connections per script run.
RECORD_CHUNK = 500

# KEYS: the holders' set, the holder's lease, the holder's entries. ARGV: the holder's id, the
# prefix of users' keys, the chunk size. Answers {1 when the holder is done with, offline user ids}.
_SWEEP = """
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {1, {}}
end
local offline = {}
for _, entry in ipairs(redis.call('SPOP', KEYS[3], tonumber(ARGV[3]))) do
  local space = string.find(entry, ' ', 1, true)
  local user = string.sub(entry, 1, space - 1)
  local key = ARGV[2] .. user
  if redis.call('SREM', key, string.sub(entry, space + 1)) == 1 and redis.call('SCARD', key) == 0 then
    offline[#offline + 1] = user
  end
end
if redis.call('SCARD', KEYS[3]) == 0 then
  redis.call('SREM', KEYS[1], ARGV[1])
  return {1, offline}
end
return {0, offline}
"""


def lease_seconds() -> int:
    return max(1, int(settings.PRESENCE_LEASE_SECONDS))


def _base() -> str:
    # Under the channel layer's prefix: servers that share a Redis but not a database (another
    # deployment, a test server) must not see each other's users online.
    return f"{settings.CHANNEL_LAYER_PREFIX}:presence"


def user_key(user_id: int) -> str:
    """The set of the user's open connections, in every process."""
    return f"{_base()}:{int(user_id)}"


def holders_key() -> str:
    return f"{_base()}:holders"


def lease_key(holder: str) -> str:
    return f"{_base()}:lease:{holder}"


def held_key(holder: str) -> str:
    """The set of a holder's entries, "<user id> <connection id>"."""
    return f"{_base()}:held:{holder}"


# KEYS[1]: the holder's entries; KEYS[1 + i]: connection i's user's set. ARGV[1]: the users' sets'
# lifetime; ARGV[1 + i]: connection i's id; ARGV[1 + n + i]: its entry in the holder's set.
# Answers, in order, 1 for each connection that is its user's only one (the user came online).
_RECORD = """
local n = #KEYS - 1
local firsts = {}
for i = 1, n do
  local key = KEYS[1 + i]
  local added = redis.call('SADD', key, ARGV[1 + i])
  redis.call('EXPIRE', key, ARGV[1])
  redis.call('SADD', KEYS[1], ARGV[1 + n + i])
  firsts[i] = (added == 1 and redis.call('SCARD', key) == 1) and 1 or 0
end
return firsts
"""

# KEYS as _RECORD's; ARGV[i]: connection i's id; ARGV[n + i]: its entry in the holder's set.
# Answers, in order, 1 for each connection that was its user's last one (the user went offline).
_FORGET = """
local n = #KEYS - 1
local lasts = {}
for i = 1, n do
  local key = KEYS[1 + i]
  local removed = redis.call('SREM', key, ARGV[i])
  lasts[i] = (removed == 1 and redis.call('SCARD', key) == 0) and 1 or 0
  redis.call('SREM', KEYS[1], ARGV[n + i])
end
return lasts
"""


async def record(client: Any, holder: str, entries: list[tuple[int, str]]) -> list[bool]:
    """Record open connections' entries ((user id, connection id), in order) in one script run,
    which Redis runs whole; answers, for each, whether its user came online with it (of two
    connections of a user recorded together, only the first). One command instead of a MULTI of
    four per connection: redis-py packs and parses every command in Python, and a storm's batches
    of openings were a tenth of a server's event loop."""
    script = client.register_script(_RECORD)
    keys = [held_key(holder), *(user_key(uid) for uid, _ in entries)]
    args = [KEY_TTL, *(cid for _, cid in entries), *(f"{int(uid)} {cid}" for uid, cid in entries)]
    return [bool(first) for first in await script(keys=keys, args=args)]


async def forget(client: Any, holder: str, entries: list[tuple[int, str]]) -> list[bool]:
    """Remove closed connections' entries ((user id, connection id), in order) in one script run;
    answers, for each, whether its user went offline with it (none for an entry a sweep took)."""
    script = client.register_script(_FORGET)
    keys = [held_key(holder), *(user_key(uid) for uid, _ in entries)]
    args = [*(cid for _, cid in entries), *(f"{int(uid)} {cid}" for uid, cid in entries)]
    return [bool(last) for last in await script(keys=keys, args=args)]


class Holder:
    """One event loop's holder: its id, its open connections, and the task that renews its lease
    and sweeps the expired ones."""

    def __init__(self, client: Any) -> None:
        self.id = uuid.uuid4().hex
        self.client = client
        self.connections: dict[str, int] = {}
        self.renewed = False
        self._started: asyncio.Future | None = None
        self._tasks: list[asyncio.Task] = []

    async def ready(self) -> None:
        """Take the lease on first use (again, if that failed); later calls return at once."""
        started = self._started
        if started is None or (started.done() and (started.cancelled() or started.exception())):
            # In a context of its own: its tasks serve every connection of the loop, so their log
            # lines name none (they would carry the fields of the connection that came first).
            started = self._started = asyncio.get_running_loop().create_task(
                self._start(), context=contextvars.Context()
            )
        await asyncio.shield(started)

    async def _start(self) -> None:
        await self.renew()
        # Apart, so a long sweep (thousands of users to record and announce) never delays renewal.
        self._tasks = [asyncio.create_task(self._renewing()), asyncio.create_task(self._sweeping())]

    async def _renewing(self) -> None:
        while True:
            await asyncio.sleep(lease_seconds() / 3)
            try:
                await self.renew()
            except Exception:
                logger.exception("presence: renewing the lease failed")

    async def _sweeping(self) -> None:
        while True:
            await asyncio.sleep(lease_seconds() / 3)
            try:
                await sweep(self.client)
            except Exception:
                logger.exception("presence: sweeping expired leases failed")

    async def renew(self) -> None:
        """Renew the lease; after a lapse, when a sweep may have removed this holder's entries,
        record its connections again."""
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.set(lease_key(self.id), "1", ex=lease_seconds(), get=True)
            pipe.sadd(holders_key(), self.id)
            pipe.expire(held_key(self.id), KEY_TTL)
            previous, _, _ = await pipe.execute()
        lapsed = previous is None and self.renewed
        self.renewed = True
        if lapsed:
            logger.warning("presence: this process's lease lapsed; recording its connections again")
            await self._record_again()

    async def _record_again(self) -> None:
        entries = list(self.connections.items())
        back: list[int] = []
        for start in range(0, len(entries), RECORD_CHUNK):
            chunk = [(user_id, connection_id) for connection_id, user_id in entries[start : start + RECORD_CHUNK]]
            firsts = await record(self.client, self.id, chunk)
            back += [user_id for (user_id, _), first in zip(chunk, firsts, strict=True) if first]

        await asyncio.gather(*(activity.announce(uid, online=True) for uid in back))


_holders: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Holder]" = weakref.WeakKeyDictionary()


def holder_of_this_loop(client: Any) -> Holder:
    """The running event loop's holder (not yet holding a lease before `ready`)."""
    loop = asyncio.get_running_loop()
    holder = _holders.get(loop)
    if holder is None:
        holder = _holders[loop] = Holder(client)
    return holder


async def sweep(client: Any) -> list[int]:
    """Remove the entries of every holder whose lease has expired, record the last activity of the
    users left with no connection and announce them offline; answers those users."""
    holders = [h.decode() if isinstance(h, bytes) else h for h in await client.smembers(holders_key())]
    if not holders:
        return []
    async with client.pipeline(transaction=False) as pipe:
        for holder in holders:
            pipe.exists(lease_key(holder))
        alive = await pipe.execute()
    offline: list[int] = []
    for holder, lives in zip(holders, alive, strict=True):
        if not lives:
            offline += await sweep_holder(client, holder)
    if offline:
        logger.info("presence: %d users of crashed processes went offline", len(offline))
        await run_in_db(users_touch_activity, offline)

        await asyncio.gather(*(activity.announce(uid, online=False) for uid in offline))
    return offline


async def sweep_holder(client: Any, holder: str) -> list[int]:
    """Remove a holder's entries while its lease stays expired; answers the users left with no
    connection (each to one caller only, however many sweep at once)."""
    script = client.register_script(_SWEEP)
    keys = [holders_key(), lease_key(holder), held_key(holder)]
    offline: list[int] = []
    while True:
        done, users = await script(keys=keys, args=[holder, f"{_base()}:", SWEEP_CHUNK])
        offline += [int(uid) for uid in users]
        if done:
            return offline
