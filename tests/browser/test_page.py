"""The page and its static files served by daphne, the way `make serve` runs it (Django's test client
checks the same over HTTP in tests/webclient/test_page.py)."""

import urllib.request

import pytest

from tests.webclient.test_page import CLIENT_FILES, STATIC


@pytest.mark.browser
def test_daphne_serves_page_and_static_files_with_debug_off(server_url):
    """The way `make serve` runs it in production: no runserver, no collectstatic."""
    with urllib.request.urlopen(f"{server_url}/") as response:
        assert response.status == 200
        assert "/static/client/app.js" in response.read().decode()
    for name in CLIENT_FILES:
        with urllib.request.urlopen(f"{server_url}/static/client/{name}") as response:
            assert response.status == 200
            assert response.read() == (STATIC / name).read_bytes()
