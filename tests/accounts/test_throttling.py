"""accounts.throttling: what counts, concurrent attempts, and the shared store."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import caches

from accounts import throttling
from config.errors import NotAuthenticated, RateLimited


def _fail_once(kind: str, address: str | None = "1.2.3.4", account: str | None = None) -> str:
    """One attempt whose block fails; "ran" if it was let through, "refused" if throttled."""
    try:
        with throttling.attempt(kind, address=address, account=account):
            raise NotAuthenticated("wrong")
    except NotAuthenticated:
        return "ran"
    except RateLimited:
        return "refused"


def test_failures_count_successes_hold_at_most_one_attempt(settings):
    settings.LOGIN_RATE = "2/hour"
    for _ in range(5):
        with throttling.attempt(throttling.LOGIN, address="1.2.3.4", account="Alice"):
            pass
    # The successes hold one of the account's two attempts and none of the address's.
    assert [_fail_once(throttling.LOGIN, account="ALICE") for _ in range(2)] == ["ran", "refused"]
    assert _fail_once(throttling.LOGIN, address="5.6.7.8", account="alice") == "refused"
    assert _fail_once(throttling.LOGIN, account="carol") == "ran"  # the address's second failure
    # the same address is refused on another account, another address is not
    assert _fail_once(throttling.LOGIN, account="bob") == "refused"
    assert _fail_once(throttling.LOGIN, address="5.6.7.8", account="bob") == "ran"


def test_registrations_count_whatever_their_outcome(settings):
    settings.REGISTER_RATE = "2/hour"
    with throttling.attempt(throttling.REGISTER, address="1.2.3.4"):
        pass
    assert _fail_once(throttling.REGISTER) == "ran"
    assert _fail_once(throttling.REGISTER) == "refused"


def test_a_refused_attempt_says_when_to_retry(settings):
    settings.LOGIN_RATE = "1/min"
    _fail_once(throttling.LOGIN)
    with pytest.raises(RateLimited) as refused, throttling.attempt(throttling.LOGIN, address="1.2.3.4"):
        pass
    assert refused.value.status == 429 and 1 <= refused.value.retry_after <= 60


def test_trusted_callers_are_not_counted(settings):
    settings.LOGIN_RATE = "1/hour"
    assert [_fail_once(throttling.LOGIN, address=None) for _ in range(3)] == ["ran"] * 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_attempts_cannot_exceed_the_limit(settings):
    settings.LOGIN_RATE = "3/hour"
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda _: _fail_once(throttling.LOGIN, account="alice"), range(16)))
    # Never more than the limit; fewer when concurrent attempts on the address and the account
    # briefly hold each other's last slot (both are refused and given back).
    assert 1 <= outcomes.count("ran") <= 3 and outcomes.count("ran") + outcomes.count("refused") == 16


@pytest.mark.django_db(transaction=True)
def test_good_sign_ins_from_one_address_are_never_refused_for_being_simultaneous(settings):
    """Users behind one NAT reconnecting together: more than the limit at once, all let through."""
    settings.LOGIN_RATE = "3/hour"
    barrier = threading.Barrier(8)

    def sign_in(n: int) -> str:
        try:
            with throttling.attempt(throttling.LOGIN, address="1.2.3.4", account=f"user{n}"):
                barrier.wait(timeout=10)  # every attempt is in flight at once
        except RateLimited:
            return "refused"
        return "ran"

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(sign_in, range(8))) == ["ran"] * 8
    assert _fail_once(throttling.LOGIN) == "ran"  # and none of them counted against the address


def test_with_redis_the_counters_are_shared_through_redis(settings):
    """The limit holds across processes: counts written through one Redis client are read
    through another (each thread has a cache client of its own, as each process has)."""
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    settings.LOGIN_RATE = "2/hour"
    assert settings.CACHES["default"]["BACKEND"] == "config.redis_cache.RedisCache"
    assert [_fail_once(throttling.LOGIN, account="alice") for _ in range(2)] == ["ran", "ran"]

    def elsewhere() -> tuple[object, str]:
        return caches["default"], _fail_once(throttling.LOGIN, address="5.6.7.8", account="alice")

    with ThreadPoolExecutor(1) as pool:
        other_cache, outcome = pool.submit(elsewhere).result()
    assert other_cache is not caches["default"] and outcome == "refused"


async def _fail_once_on_a_loop(address: str = "1.2.3.4", account: str | None = None) -> str:
    """`_fail_once` through `attempting`, the face for callers on an event loop."""
    try:
        async with throttling.attempting(throttling.LOGIN, address=address, account=account):
            await asyncio.sleep(0.01)  # concurrent attempts interleave here
            raise NotAuthenticated("wrong")
    except NotAuthenticated:
        return "ran"
    except RateLimited:
        return "refused"


async def test_on_an_event_loop_the_rule_and_the_counters_are_the_same(settings):
    """With Redis through the loop's client, without it through the process's cache: the same
    counts either way, so a limit holds whichever face a protocol calls."""
    settings.LOGIN_RATE = "2/hour"
    async with throttling.attempting(throttling.LOGIN, address="1.2.3.4", account="Alice"):
        pass  # the window's first success holds one of the account's two attempts
    assert await _fail_once_on_a_loop(account="alice") == "ran"
    assert await asyncio.to_thread(_fail_once, throttling.LOGIN, "5.6.7.8", "ALICE") == "refused"
    assert await _fail_once_on_a_loop(account="carol") == "ran"  # the address's second failure
    assert await asyncio.to_thread(_fail_once, throttling.LOGIN, "1.2.3.4", "dave") == "refused"
    assert await _fail_once_on_a_loop(address="5.6.7.8", account="erin") == "ran"  # refusals did not count
    async with throttling.attempting(throttling.LOGIN, address=None, account="alice"):
        pass  # a trusted caller, not counted and never refused


async def test_concurrent_attempts_on_an_event_loop_cannot_exceed_the_limit(settings):
    settings.LOGIN_RATE = "3/hour"
    outcomes = await asyncio.gather(*(_fail_once_on_a_loop(account="alice") for _ in range(16)))
    assert 1 <= outcomes.count("ran") <= 3 and outcomes.count("ran") + outcomes.count("refused") == 16
