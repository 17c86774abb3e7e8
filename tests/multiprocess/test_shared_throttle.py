"""Two server processes share the login counters through Redis: attempts used up on one are
refused on the other."""

import json
import secrets
import urllib.error
import urllib.request

import pytest

from tests.servers import daphne_servers

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


def _login(port: int) -> int:
    body = json.dumps({"login": "nobody", "password": "wrong", "device_id": "d"}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/login", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_failed_logins_on_one_process_are_counted_on_the_other(monkeypatch):
    monkeypatch.setenv("LOGIN_RATE", "2/hour")
    monkeypatch.setenv("CHANNEL_LAYER_PREFIX", f"throttle{secrets.token_hex(4)}")  # counters of its own
    with daphne_servers(2) as (port_a, port_b):
        assert [_login(port_a), _login(port_a)] == [401, 401]
        assert _login(port_b) == 429
