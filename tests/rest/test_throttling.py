"""Login and registration limits on `/users`: 429 `{"error": true, "reason"}` with Retry-After,
per account and per client address (the socket's, or the trusted proxy's `X-Forwarded-For`)."""

import pytest

from tests.helpers import PASSWORD, make_user
from tests.rest.support import assert_error

pytestmark = pytest.mark.django_db


def _login(api, login: str, password: str = "wrong", forwarded: str | None = None):
    client = api().as_basic(login, password)
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post("/users/login", {}, **extra)


def test_failed_logins_on_one_account_from_many_addresses(api, settings):
    settings.LOGIN_RATE = "2/hour"
    settings.TRUSTED_PROXY_COUNT = 1
    make_user("bob")
    assert_error(_login(api, "bob", forwarded="10.0.0.1"), 401)
    assert_error(_login(api, "bob", forwarded="10.0.0.2"), 401)
    response = _login(api, "bob", PASSWORD, forwarded="10.0.0.3")
    assert_error(response, 429, "Too many login attempts")
    assert int(response["Retry-After"]) > 0
    assert_error(api().as_basic("bob").delete("/users/me", HTTP_X_FORWARDED_FOR="10.0.0.4"), 429)


def test_the_forwarded_address_counts_only_behind_trusted_proxies(api, settings):
    settings.LOGIN_RATE = "1/hour"
    assert_error(_login(api, "nobody1", forwarded="10.0.0.1"), 401)
    assert_error(_login(api, "nobody2", forwarded="10.0.0.2"), 429)
    settings.TRUSTED_PROXY_COUNT = 1
    assert_error(_login(api, "nobody3", forwarded="10.0.0.3"), 401)
    assert_error(_login(api, "nobody4", forwarded="10.0.0.3"), 429)
    assert_error(_login(api, "nobody5", forwarded="10.0.0.5"), 401)


def test_successful_logins_do_not_count(api, settings):
    settings.LOGIN_RATE = "1/hour"
    make_user("carol")
    for _ in range(3):
        assert _login(api, "carol", PASSWORD).status_code == 200
