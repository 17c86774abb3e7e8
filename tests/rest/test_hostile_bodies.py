"""Hostile HTTP bodies and addresses on every JSON endpoint: the protocol's 4xx JSON error, never
a 500 (SAMA's `/login` and `/logout`, the Chats REST API)."""

import pytest
from django.db import OperationalError

from chats import conversations
from tests.helpers import PASSWORD, make_group, make_user
from tests.rest.support import Api, assert_error

pytestmark = pytest.mark.django_db

TEXT = "Text must not contain NUL characters or unpaired surrogates"
DEEP = "JSON is nested deeper than 64 levels"
RANGE = "Number is out of range"

# (a JSON value, the reason it is refused)
VALUES = [
    ('"a\\u0000b"', TEXT),
    ('"\\udc00"', TEXT),
    ("[" * 100 + "]" * 100, DEEP),
    ("[" * 10_000 + "]" * 10_000, DEEP),
    ("1e999", RANGE),
    ("-99999999999999999999", RANGE),
    ("-9223372036854775809", RANGE),
    ("NaN", "Body is not valid JSON"),
]


def _body(value: str) -> str:
    fields = ", ".join(f'"{name}": {value}' for name in ("title", "text", "name", "users"))
    return "{" + fields + ', "username": "u", "password": "p"}'


def _endpoints(chat_id: int) -> list[tuple[str, str]]:
    return [
        ("post", "/users"),
        ("post", "/users/login"),
        ("put", "/users/me"),
        ("post", "/chats"),
        ("put", f"/chats/{chat_id}"),
        ("put", f"/chats/{chat_id}/settings"),
        ("post", f"/chats/{chat_id}/users"),
        ("post", f"/chats/{chat_id}/messages"),
        ("post", f"/chats/{chat_id}/notify"),
    ]


@pytest.mark.parametrize(("value", "reason"), VALUES)
def test_rest_endpoints_refuse_hostile_bodies_with_400(value, reason):
    alice, bob = make_user(), make_user()
    chat = make_group(alice, bob, name="g")
    for method, path in _endpoints(chat.pk):
        client = Api().as_basic(alice.username) if path == "/users/login" else Api().as_user(alice)
        response = getattr(client, method)(path, data=_body(value), content_type="application/json")
        assert_error(response, 400, reason)


@pytest.mark.parametrize(("value", "reason"), VALUES)
def test_sama_login_refuses_hostile_bodies_with_422(client, value, reason):
    body = '{"login": VALUE, "password": "x", "device_id": "d"}'.replace("VALUE", value)
    response = client.post("/login", data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {"error": {"status": 422, "message": reason}}


def test_sama_login_refuses_a_body_over_the_limit_with_413(client, settings):
    settings.REST_JSON_MAX_BYTES = 1000
    body = '{"login": "LOGIN", "password": "x", "device_id": "d"}'.replace("LOGIN", "a" * 2000)
    response = client.post("/login", data=body, content_type="application/json")
    assert response.status_code == 413 and response.json()["error"]["status"] == 413


def test_a_nul_in_the_address_is_refused_before_the_database(client):
    user = make_user()
    response = Api().as_user(user).get("/users/?s=a%00b")
    assert_error(response, 400, "NUL")
    response = client.post("/login?x=%00", data="{}", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["status"] == 400
    assert client.get("/admin/login/?next=%00").status_code == 400


def test_a_database_that_cannot_be_reached_answers_try_again(client, monkeypatch):
    """The pool's timeout (an OperationalError) is 503 in each protocol's shape, not 500."""
    from accounts import services as account_services

    def unavailable(**kwargs):
        raise OperationalError("couldn't get a connection after 10.00 sec")

    monkeypatch.setattr(account_services, "user_authenticate", unavailable)
    user, other = make_user(), make_user()
    response = client.post(
        "/login",
        data={"login": user.username, "password": PASSWORD, "device_id": "d"},
        content_type="application/json",
    )
    assert response.status_code == 503
    assert response.json() == {"error": {"status": 503, "message": "The server is busy; try again"}}
    monkeypatch.setattr(conversations, "conversation_find_or_create", lambda *a, **k: unavailable())
    response = Api().as_user(user).post("/chats", data={"title": "t", "participants": [other.pk]}, format="json")
    assert_error(response, 503, "try again")


def test_a_basic_login_the_database_could_not_store_is_simply_wrong(caplog):
    """HTTP Basic credentials arrive in a header, not a JSON body: a NUL or an overlong login is
    answered 401 like any wrong login, without reaching the database."""
    make_user()
    for login in ("a\x00b", "x" * 151):
        assert_error(Api().as_basic(login).post("/users/login", {}, format="json"), 401)
    # Django logs every 4xx (django.request); nothing else is logged: no database error was met.
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR") and r.name != "django.request"]
