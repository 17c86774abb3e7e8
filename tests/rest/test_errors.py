"""The REST error shape for what no single route owns: unknown paths, methods, oversized bodies."""

import pytest

from tests.helpers import make_user
from tests.rest.support import assert_error

pytestmark = pytest.mark.django_db


def test_unknown_paths_under_the_rest_prefixes_answer_json_404(api):
    client = api(make_user())
    for path in ("/chats/1.5", "/chats/1/nothing", "/users/me/nothing", "/files/noextension", "/chats/1/messages/x.y"):
        assert_error(client.get(path), 404, "Not found")
    assert_error(client.post("/chats/1.5/messages", {"text": "x"}), 404)


def test_trailing_slash_is_optional(api):
    client = api(make_user())
    for path in ("/chats", "/chats/", "/users/me", "/users/me/"):
        assert client.get(path).status_code == 200, path


def test_wrong_method_and_media_type(api):
    client = api(make_user())
    assert_error(client.patch("/chats/1", {"title": "x"}), 405)
    assert_error(client.post("/users/me", {}), 405)
    assert_error(client.post("/chats", b"<xml/>", content_type="application/xml"), 415)


def test_oversized_json_body_is_413(api, settings):
    settings.REST_JSON_MAX_BYTES = 100
    client = api(make_user())
    assert_error(client.post("/chats", {"title": "x" * 200, "participants": [1]}), 413)
