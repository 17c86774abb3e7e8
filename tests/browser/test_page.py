"""The page and its static files over HTTP: served by Django at `/`, nothing fetched from elsewhere."""

import re
import urllib.request
from pathlib import Path

import pytest

from webclient.views import CONTENT_SECURITY_POLICY

STATIC = Path(__file__).resolve().parents[2] / "webclient" / "static" / "client"
CLIENT_FILES = sorted(p.name for p in STATIC.iterdir() if p.suffix in {".js", ".css"})


def test_the_page_is_served_at_the_root(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert '<script type="module" src="/static/client/app.js"></script>' in html
    assert '<link rel="stylesheet" href="/static/client/client.css">' in html
    assert client.head("/").status_code == 200


def test_the_page_only_answers_get_and_head(client):
    assert client.post("/").status_code == 405
    assert client.put("/").status_code == 405


def test_nothing_is_loaded_from_another_origin(client):
    """No CDN: the page must work on a machine without internet access."""
    texts = [client.get("/").content.decode()] + [(STATIC / name).read_text() for name in CLIENT_FILES]
    for text in texts:
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text, re.IGNORECASE)


def test_every_input_has_a_label(client):
    html = client.get("/").content.decode()
    ids = re.findall(r"<(?:input|textarea)[^>]*\bid=\"([^\"]+)\"", html)
    assert ids
    for element_id in ids:
        if f'id="{element_id}" type="radio"' in html:
            continue
        assert f'for="{element_id}"' in html, element_id


@pytest.mark.parametrize("name", CLIENT_FILES)
def test_static_files_are_served_by_the_application(client, name):
    response = client.get(f"/static/client/{name}")
    assert response.status_code == 200
    expected = "text/css" if name.endswith(".css") else "text/javascript"
    assert response["Content-Type"].startswith(expected)
    assert b"".join(response.streaming_content) == (STATIC / name).read_bytes()


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
