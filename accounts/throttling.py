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
limit by as many as were in flight together: the price of never refusing a burst of good sign-ins."""

import hashlib
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, BaseCache, caches

from config.errors import RateLimited
from config.redis_cache import RedisCache

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
    the address's count refuses gives the account's back."""
    if address is None:
        yield
        return
    limit, period = rate(kind)
    now = time.time()
    window = int(now // period)
    wait = max(1, math.ceil((window + 1) * period - now))
    refused = RateLimited(f"{MESSAGES[kind]}, try again in {wait} seconds", retry_after=wait)
    address_key = _key(kind, "address", address, window)
    account_key = _key(kind, "account", account.lower(), window) if account else None
    if account_key is None:
        if _read(address_key) >= limit:
            raise refused
        on_account = 0
    else:
        by_address, on_account = _count(account_key, 1, period, read_key=address_key)
        if by_address >= limit or on_account > limit:
            _count(account_key, -1, period)
            raise refused
    try:
        yield
    except BaseException:
        _count(address_key, 1, period)
        raise
    if kind not in COUNT_FAILURES_ONLY:
        _count(address_key, 1, period)
    elif account_key is not None and (on_account > 1 or limit == 1):  # the window's first keeps it
        _count(account_key, -1, period)
