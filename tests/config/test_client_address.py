"""config.client_address: the socket's address unless trusted proxies vouch for a forwarded one."""

import pytest
from django.test import RequestFactory

from config.client_address import request_address, scope_address


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, "192.0.2.1"),
        (0, "10.0.0.1", "192.0.2.1"),
        (1, None, "192.0.2.1"),
        (1, "6.6.6.6, 10.0.0.1", "10.0.0.1"),
        (2, "6.6.6.6, 10.0.0.1, 10.0.0.2", "10.0.0.1"),
        (3, "10.0.0.1,10.0.0.2", "10.0.0.1"),
    ],
)
def test_request_and_scope_addresses(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    extra = {"REMOTE_ADDR": "192.0.2.1"} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})
    assert request_address(RequestFactory().post("/login", **extra)) == expected
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    assert scope_address({"client": ("192.0.2.1", 5000), "headers": headers}) == expected


def test_a_scope_without_a_client_and_repeated_headers(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert scope_address({"headers": []}) == "unknown"
    headers = [(b"x-forwarded-for", b"6.6.6.6"), (b"x-forwarded-for", b"10.0.0.1")]
    assert scope_address({"client": None, "headers": headers}) == "10.0.0.1"
