"""`/users`: register, login (Basic), me, update, logout, change password, get, search, delete."""

import pytest

from accounts.models import DeviceSession, User
from tests.helpers import PASSWORD, make_user
from tests.rest.support import USER_INFO_KEYS, Api, assert_error

pytestmark = pytest.mark.django_db


def _register(api, **body):
    payload = {"name": "Alice Smith", "username": "alice", "password": PASSWORD, **body}
    return api().post("/users", payload)


def test_register_answers_user_info_with_a_device_session_and_token(api):
    response = _register(api, deviceInfo={"id": "phone-1", "name": "My phone", "model": "X", "transport": "apns"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == USER_INFO_KEYS | {"deviceSessions"}
    assert body["name"] == "Alice Smith" and body["username"] == "alice" and body["photos"] == []
    assert body["about"] is None and body["lastSeen"] is None
    (session,) = body["deviceSessions"]
    assert session["deviceInfo"] == {
        "id": "phone-1",
        "name": "My phone",
        "model": "X",
        "token": None,
        "transport": "apns",
    }
    token = session["accessToken"]
    me = Api()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.get("/users/me").json()["id"] == body["id"]
    assert DeviceSession.objects.get(pk=session["id"]).device_id == "phone-1"


def test_register_accepts_missing_or_partial_device_info(api):
    body = _register(api).json()
    assert body["deviceSessions"][0]["deviceInfo"]["id"]  # a device id is made up
    assert _register(api, username="bob", deviceInfo={"name": "only a name"}).status_code == 200
    assert _register(api, username="carol", deviceInfo=None).status_code == 200


def test_register_errors(api):
    assert _register(api).status_code == 200
    assert_error(_register(api, username="ALICE"), 400, "User already exists")
    assert_error(_register(api, username="bad login!"), 400)
    assert_error(_register(api, username="dave", password="x"), 400)
    assert_error(api().post("/users", {"name": "no login"}), 400, "username")
    assert_error(api().post("/users", [1, 2]), 400)
    assert_error(api().post("/users", "{not json", content_type="application/json"), 400)


def test_register_is_throttled(api, settings):
    settings.REGISTER_RATE = "2/hour"
    assert _register(api, username="u1").status_code == 200
    assert _register(api, username="u2").status_code == 200
    response = _register(api, username="u3")
    assert_error(response, 429)
    assert int(response["Retry-After"]) > 0


def test_login_with_basic_auth(api):
    user = make_user("bob")
    response = api().as_basic("BOB").post("/users/login", {"deviceInfo": {"id": "tablet"}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == user.pk and body["deviceSessions"][0]["deviceInfo"]["id"] == "tablet"
    assert body["deviceSessions"][0]["accessToken"]
    assert api().as_basic("bob").post("/users/login").status_code == 200  # no body at all


def test_login_errors_and_throttle(api, settings):
    settings.LOGIN_RATE = "2/hour"
    make_user("bob")
    response = api().as_basic("bob", "wrong").post("/users/login", {})
    assert_error(response, 401, "Incorrect login or password")
    assert response["WWW-Authenticate"].startswith("Basic")
    assert_error(api().post("/users/login", {}), 401)
    bad = api()
    bad.credentials(HTTP_AUTHORIZATION="Basic !!!")
    assert_error(bad.post("/users/login", {}), 401)
    assert_error(api().as_basic("bob", "wrong").post("/users/login", {}), 401)
    response = api().as_basic("bob").post("/users/login", {})  # the right password, too late
    assert_error(response, 429)
    assert int(response["Retry-After"]) > 0


def test_me_update_and_authentication_errors(api):
    user = make_user("carol")
    client = api(user)
    me = client.get("/users/me").json()
    assert me["id"] == user.pk and me["username"] == "carol"
    assert [s["accessToken"] for s in me["deviceSessions"]] == [None]
    response = client.put("/users/me", {"name": "Carol C", "about": "Hi there"})
    assert response.status_code == 200
    assert response.json() == {**response.json(), "name": "Carol C", "about": "Hi there"}
    assert set(response.json()) == USER_INFO_KEYS
    assert_error(client.put("/users/me", {"name": "x" * 151}), 400)
    assert_error(api().get("/users/me"), 401)
    garbage = api()
    garbage.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = garbage.get("/users/me")
    assert_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_logout_revokes_the_token(api):
    client = api(make_user())
    assert client.post("/users/me/logout").status_code == 200
    assert_error(client.get("/users/me"), 401)


def test_change_password(api):
    user = make_user("dan")
    client = api(user)
    assert_error(client.put("/users/me/changePassword", {"oldPassword": "wrong", "newPassword": "new-pass-1"}), 403)
    assert_error(client.put("/users/me/changePassword", {"oldPassword": PASSWORD}), 400, "newPassword")
    assert_error(client.put("/users/me/changePassword", {"oldPassword": PASSWORD, "newPassword": "x"}), 400)
    response = client.put("/users/me/changePassword", {"oldPassword": PASSWORD, "newPassword": "new-pass-1"})
    assert response.status_code == 200 and response.content == b""
    assert api().as_basic("dan", "new-pass-1").post("/users/login").status_code == 200
    assert_error(api().as_basic("dan").post("/users/login"), 401)


def test_get_user_by_id_and_search(api):
    alice, bob = make_user("alice", first_name="Alice"), make_user("bobby")
    client = api(alice)
    body = client.get(f"/users/{bob.pk}").json()
    assert body == {"id": bob.pk, "name": None, "username": "bobby", "about": None, "lastSeen": None, "photos": []}
    assert_error(client.get("/users/999999"), 404, "User not found")
    assert_error(client.get("/users/abc"), 404)
    assert_error(client.get("/users/99999999999999999999999"), 404)
    assert [u["id"] for u in client.get("/users/", {"s": "BOB"}).json()] == [bob.pk]
    assert [u["id"] for u in client.get("/users", {"s": ""}).json()] == [bob.pk]  # never yourself
    assert client.get("/users/", {"s": "nobody"}).json() == []
    assert_error(client.get("/users/", {"s": "x" * 151}), 400)
    assert_error(api().get(f"/users/{bob.pk}"), 401)


def test_search_lists_staff_only_when_named(api):
    alice, staff = make_user("alice"), make_user("support_lead", first_name="Sam")
    User.objects.filter(pk=staff.pk).update(is_superuser=True)
    client = api(alice)
    assert client.get("/users", {"s": ""}).json() == []
    assert client.get("/users", {"s": "support"}).json() == []
    assert [u["id"] for u in client.get("/users", {"s": "Support_Lead"}).json()] == [staff.pk]
    assert [u["id"] for u in client.get("/users", {"s": "sam"}).json()] == [staff.pk]


def test_delete_me_needs_basic_auth(api):
    user = make_user("erin")
    assert_error(api(user).delete("/users/me"), 401)
    assert_error(api().as_basic("erin", "wrong").delete("/users/me"), 401)
    response = api().as_basic("erin").delete("/users/me")
    assert response.status_code == 200
    assert not User.objects.filter(pk=user.pk).exists()
