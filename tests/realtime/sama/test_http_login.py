import json

import pytest

from tests.helpers import PASSWORD, SamaClient, WsClient, make_user

pytestmark = pytest.mark.django_db

ORIGIN = "https://app.example.com"


def post(client, path, body=None, **headers):
    data = "" if body is None else json.dumps(body)
    return client.post(path, data=data, content_type="application/json", headers=headers)


def test_login_with_password_answers_user_token_and_sets_refresh_cookie(client):
    user = make_user("login_u1")
    response = post(client, "/login", {"login": "login_u1", "password": PASSWORD, "device_id": "device_u1"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"user", "access_token", "expired_at"}
    assert body["user"]["_id"] == str(user.pk) and body["user"]["login"] == "login_u1"
    assert isinstance(body["expired_at"], int) and body["expired_at"] > 10**12  # milliseconds
    cookie = response.cookies["refresh_token"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"] and not cookie["domain"]


def test_access_token_carries_both_user_id_claims(client):
    user = make_user()
    body = post(client, "/login", {"login": user.username, "password": PASSWORD, "device_id": "d"}).json()
    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken(body["access_token"])
    assert token["_id"] == str(user.pk) and token["user_id"] == str(user.pk)


def test_refresh_with_cookie_and_with_bearer(client):
    make_user("refresher")
    first = post(client, "/login", {"login": "refresher", "password": PASSWORD, "device_id": "dev"}).json()
    renewed = post(client, "/login", {"device_id": "dev"})  # the test client keeps the cookie
    assert renewed.status_code == 200 and renewed.json()["access_token"]
    client.cookies.clear()
    bearer = post(client, "/login", {"device_id": "dev"}, Authorization=f"Bearer {first['access_token']}")
    assert bearer.status_code == 200 and bearer.json()["user"]["login"] == "refresher"


def test_a_token_of_another_device_opens_a_session_for_this_one(client):
    user = make_user("traveller")
    first = post(client, "/login", {"login": "traveller", "password": PASSWORD, "device_id": "old"}).json()
    client.cookies.clear()
    moved = post(client, "/login", {"device_id": "new"}, Authorization=f"Bearer {first['access_token']}")
    assert moved.status_code == 200 and moved.json()["user"]["_id"] == str(user.pk)
    assert "refresh_token" in moved.cookies  # the new device's own session
    assert sorted(user.device_sessions.values_list("device_id", flat=True)) == ["new", "old"]
    again = post(client, "/login", {"device_id": "new"}, Authorization=f"Bearer {moved.json()['access_token']}")
    assert again.status_code == 200
    client.cookies.clear()
    forged = post(client, "/login", {"device_id": "new"}, Authorization="Bearer not-a-token")
    assert forged.status_code == 401


def test_password_wins_over_a_stale_bearer_token(client):
    make_user("one")
    make_user("two")
    stale = post(client, "/login", {"login": "one", "password": PASSWORD, "device_id": "d"}).json()["access_token"]
    body = post(
        client, "/login", {"login": "two", "password": PASSWORD, "device_id": "d"}, Authorization=f"Bearer {stale}"
    ).json()
    assert body["user"]["login"] == "two"


def test_login_errors_are_json(client):
    make_user("someone")
    bad = post(client, "/login", {"login": "someone", "password": "wrong", "device_id": "d"})
    assert bad.status_code == 401
    assert bad.json() == {"error": {"status": 401, "message": "Incorrect login or password"}}
    null_device = post(client, "/login", {"login": "someone", "password": PASSWORD, "device_id": None})
    assert null_device.status_code == 422
    assert null_device.json() == {"error": {"status": 422, "message": "device_id is required"}}
    garbage = client.post("/login", data="{nope", content_type="application/json")
    assert garbage.status_code == 422 and garbage.json()["error"]["message"] == "Body is not valid JSON"
    nothing = post(client, "/login", {"device_id": "d"})
    assert nothing.status_code == 401


def test_logout_ends_the_session_and_clears_the_cookie(client):
    make_user("leaver")
    token = post(client, "/login", {"login": "leaver", "password": PASSWORD, "device_id": "d"}).json()["access_token"]
    response = client.post("/logout", content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json() == {"success": True}
    assert response.cookies["refresh_token"].value == ""
    again = client.post("/logout", content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 401 and again.json() == {"error": {"status": 401, "message": "Session has ended"}}


def test_two_users_may_share_a_device_id(client):
    make_user("shared1")
    make_user("shared2")
    for login in ("shared1", "shared2"):
        assert post(client, "/login", {"login": login, "password": PASSWORD, "device_id": "same"}).status_code == 200


def test_cors_for_an_allowed_origin_on_preflight_success_and_errors(client, settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    preflight = client.options(
        "/login",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,authorization",
        },
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == ORIGIN
    assert preflight["Access-Control-Allow-Credentials"] == "true"
    allowed = {h.strip() for h in preflight["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "authorization"} <= allowed
    failed = post(client, "/login", {"login": "x", "password": "y", "device_id": "d"}, Origin=ORIGIN)
    assert failed.status_code == 401 and failed["Access-Control-Allow-Origin"] == ORIGIN
    other = post(client, "/login", {"device_id": "d"}, Origin="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in other


@pytest.mark.django_db(transaction=True)
async def test_websocket_origin_check(settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    native = await SamaClient().open()  # no Origin header: native mobile clients
    await native.close()
    browser = await WsClient("/", headers=[(b"origin", ORIGIN.encode())]).open()
    await browser.close()
    same_host = await WsClient(
        "/", headers=[(b"origin", b"http://chat.local:8000"), (b"host", b"chat.local:8000")]
    ).open()
    await same_host.close()
    evil = WsClient("/", headers=[(b"origin", b"https://evil.example.com")])
    connected, _ = await evil.communicator.connect(timeout=3)
    assert not connected
