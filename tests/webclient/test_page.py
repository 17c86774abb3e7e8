"""The page and its static files over HTTP: served by Django at `/`, nothing fetched from elsewhere.

Django's test client, outside tests/browser: Playwright's event loop runs there for the whole
package, and the client cannot call the asynchronous middleware from a thread that runs one."""

import re
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
    assert '<link rel="stylesheet" href="/static/client/messages.css">' in html
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
