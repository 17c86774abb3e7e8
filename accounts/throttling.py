"""The one limit on guessing and sign-up floods, for every protocol and the admin: attempts to log
in (LOGIN_RATE), to register (REGISTER_RATE) and to have a password reset code mailed
(PASSWORD_RESET_RATE), counted per client address and per account.

A login attempt counts when it fails. One that succeeds is given back, except the first on its
account in a window, which keeps its count where the limit allows more than one attempt: so the
usual sign-in, one a window, makes one round trip to Redis instead of two. An account's successes
hold at most one of its attempts a window: an owner's own logins never lock them out, and an
attacker gains nothing by logging into an account of their own.
A registration or a reset code request counts whatever its outcome. Counters are fixed windows (the rate's period,
aligned to the clock) in Django's cache, which is Redis when REDIS_URL is set, so every server
process shares them. An attempt on an account is counted before it is judged, so concurrent
guesses cannot exceed the account's limit; a refused attempt is not counted and does not prolong
the lock-out. Concurrent failures from one address on many accounts can pass the address's
limit by as many as were in flight together: the price of never refusing a burst of good sign-ins.

`attempt` guards synchronous callers (a database unit of work, a view); `attempting` is the same
rule for a caller on an event loop, its Redis commands batched on the loop's client (a Hooligram
sign-in)."""

import asyncio
import hashlib
import math
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, BaseCache, caches

from config.errors import RateLimited
from config.loop_batches import LoopBatches, settle
from config.redis_cache import RedisCache
from config.redis_client import loop_client

LOGIN = "login"
REGISTER = "register"
PASSWORD_RESET = "password_reset"
RATE_SETTINGS = {LOGIN: "LOGIN_RATE", REGISTER: "REGISTER_RATE", PASSWORD_RESET: "PASSWORD_RESET_RATE"}
MESSAGES = {
    LOGIN: "Too many login attempts",
    REGISTER: "Too many registrations",
    PASSWORD_RESET: "Too many password reset requests",
}
# Kinds whose attempts are given back when they succeed (but an account's first success in a window).
COUNT_FAILURES_ONLY = {LOGIN}
# A rate's period by its first letter, as DRF's throttles read theirs ("20/min", "10/hour").
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate(kind: str) -> tuple[int, int]:
    """(attempts, seconds) allowed for this kind, from its "N/sec|min|hour|day" setting."""
    setting: str = getattr(settings, RATE_SETTINGS[kind])
    attempts, period = setting.split("/")
    return int(attempts), PERIODS[period[0]]


_counters: tuple[object, BaseCache] | None = None


def counters() -> BaseCache:
    """The cache the counts live in: one client for the whole process. Django's `cache` is one per
    context (asgiref's Local), and every database call of a WebSocket runs in a copied context
    (realtime/db.py), so each call made a client, a connection pool and a Redis connection of its
    own: a tenth of the database threads' time in a Hooligram sign-in storm (py-spy). Made again
    when the CACHES setting changes (tests)."""
    global _counters
    if _counters is None or _counters[0] is not settings.CACHES:
        _counters = (settings.CACHES, caches.create_connection(DEFAULT_CACHE_ALIAS))
    return _counters[1]


def _key(kind: str, scope: str, ident: str, window: int) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"throttle:{kind}:{scope}:{digest}:{window}"


def _read(key: str) -> int:
    """The counter `key` (0 when missing). One round trip on Redis."""
    cache = counters()
    return cache.read(key) if isinstance(cache, RedisCache) else cache.get(key) or 0


def _count(key: str, delta: int, timeout: int, *, read_key: str | None = None) -> tuple[int, int]:
    """Add `delta` to the counter `key` (made at 0 to live `timeout` seconds when missing) and read
    the counter `read_key` (0 when missing or None): (read, new count). One round trip on Redis.

    A key names its window and lives at least until the window ends: one that expired meanwhile
    belongs to a window no attempt reads any more, and making it again changes nothing."""
    cache = counters()
    if isinstance(cache, RedisCache):
        return cache.read_and_count(read_key, key, delta, timeout)
    read = (cache.get(read_key) or 0) if read_key is not None else 0
    cache.add(key, 0, timeout)
    try:
        return read, cache.incr(key, delta)
    except ValueError:  # it expired in between
        cache.add(key, 0, timeout)
        return read, cache.incr(key, delta)


@dataclass(frozen=True, slots=True)
class _Attempt:
    """One attempt's counters and limit: what `attempt` and `attempting` share."""

    kind: str
    limit: int
    period: int
    refused: RateLimited
    address_key: str
    account_key: str | None

    def over(self, by_address: int, on_account: int) -> bool:
        """Whether the counts read as the attempt is taken refuse it."""
        return by_address >= self.limit or on_account > self.limit

    def after_success(self, on_account: int) -> tuple[str, int] | None:
        """The counter a success changes (key, delta), if any: an attempt of a kind not counted
        only when it fails counts against the address; a login gives the account's count back,
        but the window's first where the limit allows more. (A failure counts against the
        address.)"""
        if self.kind not in COUNT_FAILURES_ONLY:
            return self.address_key, 1
        if self.account_key is not None and (on_account > 1 or self.limit == 1):
            return self.account_key, -1
        return None


def _attempt(kind: str, address: str, account: str | None) -> _Attempt:
    limit, period = rate(kind)
    now = time.time()
    window = int(now // period)
    wait = max(1, math.ceil((window + 1) * period - now))
    return _Attempt(
        kind=kind,
        limit=limit,
        period=period,
        refused=RateLimited(f"{MESSAGES[kind]}, try again in {wait} seconds", retry_after=wait),
        address_key=_key(kind, "address", address, window),
        account_key=_key(kind, "account", account.lower(), window) if account else None,
    )


@contextmanager
def attempt(kind: str, *, address: str | None, account: str | None = None) -> Iterator[None]:
    """Guard one attempt of this kind from `address` on `account` (a login, case-insensitive, a
    phone's sid or an e-mail): RateLimited before the block runs if either has used up its attempts in this
    window. A login attempt whose block raises stays counted. `address` None is a trusted caller
    (tests, load-test provisioning): nothing is counted.

    The account's count is taken before the attempt is judged, so concurrent guesses on one
    account cannot pass its limit. The address's is only read before and written after, when the
    attempt counts: sign-ins that succeed together from one address (users behind one NAT, every
    client of an office reconnecting after a restart) are never refused for being simultaneous.
    The address's count is read as the account's is taken (one round trip on Redis); an attempt
    the address's count refuses gives the account's back. `attempting` is the same rule for a
    caller on an event loop."""
    if address is None:
        yield
        return
    plan = _attempt(kind, address, account)
    if plan.account_key is None:
        by_address, on_account = _read(plan.address_key), 0
    else:
        by_address, on_account = _count(plan.account_key, 1, plan.period, read_key=plan.address_key)
    if plan.over(by_address, on_account):
        if plan.account_key is not None:
            _count(plan.account_key, -1, plan.period)
        raise plan.refused
    try:
        yield
    except BaseException:
        _count(plan.address_key, 1, plan.period)
        raise
    if (change := plan.after_success(on_account)) is not None:
        _count(*change, plan.period)


@asynccontextmanager
async def attempting(kind: str, *, address: str | None, account: str | None = None) -> AsyncIterator[None]:
    """`attempt` for a caller on an event loop: the same rule and counters, its Redis commands
    sent on the loop's client (a database thread that waits for Redis gives up the interpreter
    lock and waits to take it back from the busy loop: a fifth of a Hooligram sign-in storm's
    rate). Without Redis the counters are the process's own cache, used as `attempt` does. A
    caller cancelled in the block (its connection closed) learns nothing, and its address is not
    counted; the account's count it took stays taken for the window."""
    client = loop_client() if isinstance(counters(), RedisCache) else None
    if client is None:
        with attempt(kind, address=address, account=account):
            yield
        return
    if address is None:
        yield
        return
    plan = _attempt(kind, address, account)
    if plan.account_key is None:
        by_address, on_account = await _read_async(client, plan.address_key), 0
    else:
        by_address, on_account = await _count_async(client, plan.account_key, 1, plan.period, read_key=plan.address_key)
    if plan.over(by_address, on_account):
        if plan.account_key is not None:
            await _count_async(client, plan.account_key, -1, plan.period)
        raise plan.refused
    try:
        yield
    except asyncio.CancelledError:  # its caller left (the connection closed) and learns nothing
        raise
    except BaseException:
        await _count_async(client, plan.address_key, 1, plan.period)
        raise
    if (change := plan.after_success(on_account)) is not None:
        await _count_async(client, *change, plan.period)


async def _read_async(client: Any, key: str) -> int:
    """`_read` on the loop's Redis client."""
    return int(await client.get(counters().make_and_validate_key(key)) or 0)


async def _count_async(
    client: Any, key: str, delta: int, lifetime: int, *, read_key: str | None = None
) -> tuple[int, int]:
    """`_count` on the loop's Redis client, batched with the loop's other counts of the moment."""
    cache = counters()
    keys = (cache.make_and_validate_key(key), cache.make_and_validate_key(read_key) if read_key else None)
    counted = asyncio.get_running_loop().create_future()
    CountBatches.of_this_loop().put((keys, delta, lifetime, counted))
    read, count = await counted
    return int(read), int(count)


# KEYS: each count's counter, then (if it reads one) the counter to read; ARGV: per count its
# delta, its counter's lifetime and whether it reads ("1"); answers (read, new count) per count.
# A whole batch in one script call: one command's arguments packed, one reply parsed.
COUNT_BATCH = """
local answers, k = {}, 1
for i = 1, #ARGV, 3 do
  local key, read = KEYS[k], 0
  k = k + 1
  if ARGV[i + 2] == '1' then
    read = tonumber(redis.call('GET', KEYS[k]) or '0')
    k = k + 1
  end
  redis.call('SET', key, 0, 'EX', ARGV[i + 1], 'NX')
  answers[#answers + 1] = read
  answers[#answers + 1] = redis.call('INCRBY', key, ARGV[i])
end
return answers
"""

_Count = tuple[tuple[str, str | None], int, int, "asyncio.Future[tuple[int, int]]"]


class CountBatches(LoopBatches[_Count]):
    """The counts of one event loop's attempts (`attempting`), each `_count`'s script, written in
    one script call a batch: a sign-in storm counts hundreds at a time."""

    name = "attempt counts"
    limit = 500
    gather_s = None

    async def handle(self, batch: list[_Count]) -> None:
        client = loop_client()
        keys: list[str] = []
        args: list[int | str] = []
        for (key, read_key), delta, lifetime, _ in batch:
            keys += [key, read_key] if read_key else [key]
            args += [delta, lifetime, "1" if read_key else "0"]
        try:
            assert client is not None, "counted on the loop only with Redis"
            answers = await client.register_script(COUNT_BATCH)(keys=keys, args=args)
        except Exception as error:
            for *_, counted in batch:
                settle(counted, error)
            return
        for index, (*_, counted) in enumerate(batch):
            settle(counted, (answers[2 * index], answers[2 * index + 1]))
