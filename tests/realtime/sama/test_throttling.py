"""Login and registration limits over SAMA: `POST /login` (password and token forms) and the
socket's `user_login` and `user_create`, with the client's address from the socket or, behind
trusted proxies, from `X-Forwarded-For`."""

import json

import pytest

from tests.helpers import PASSWORD, SamaClient, db, make_user, sama_connected

LOGIN = {"password": "wrong", "device_id": "d"}


def post(client, body: dict, **headers: str):
    return client.post("/login", data=json.dumps(body), content_type="application/json", headers=headers)


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == 429, body
    assert body["error"]["message"].startswith("Too many login attempts"), body
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_wrong_passwords_then_even_the_right_one_answers_429(client, settings):
    settings.LOGIN_RATE = "3/hour"
    make_user("target")
    for _ in range(3):
        assert post(client, {**LOGIN, "login": "target"}).status_code == 401
    assert_throttled(post(client, {**LOGIN, "login": "target", "password": PASSWORD}))


@pytest.mark.django_db
def test_successful_logins_do_not_count(client, settings):
    settings.LOGIN_RATE = "2/hour"
    make_user("owner")
    for _ in range(5):
        assert post(client, {**LOGIN, "login": "owner", "password": PASSWORD}).status_code == 200


@pytest.mark.django_db
def test_the_account_is_limited_whatever_the_address(client, settings):
    settings.LOGIN_RATE = "2/hour"
    settings.TRUSTED_PROXY_COUNT = 1
    make_user("victim")
    for n in range(2):
        assert post(client, {**LOGIN, "login": "victim"}, X_Forwarded_For=f"10.0.0.{n}").status_code == 401
    assert_throttled(post(client, {**LOGIN, "login": "victim"}, X_Forwarded_For="10.0.0.9"))


@pytest.mark.django_db
def test_a_forged_forwarded_for_does_not_bypass_the_limit_without_trusted_proxies(client, settings):
    settings.LOGIN_RATE = "2/hour"
    for n in range(2):  # other logins each time: only the address is counted twice
        response = post(client, {**LOGIN, "login": f"nobody{n}"}, X_Forwarded_For=f"10.0.0.{n}")
        assert response.status_code == 401
    assert_throttled(post(client, {**LOGIN, "login": "nobody9"}, X_Forwarded_For="10.0.0.9"))


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(client, settings):
    settings.LOGIN_RATE = "2/hour"
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(2):  # the client forged the left entry; the proxy appended the right one
        response = post(client, {**LOGIN, "login": f"nobody{n}"}, X_Forwarded_For=f"6.6.6.{n}, 10.0.0.1")
        assert response.status_code == 401
    assert_throttled(post(client, {**LOGIN, "login": "nobody8"}, X_Forwarded_For="10.0.0.1"))
    assert post(client, {**LOGIN, "login": "nobody9"}, X_Forwarded_For="10.0.0.2").status_code == 401


@pytest.mark.django_db
def test_the_token_forms_are_limited_too(client, settings):
    settings.LOGIN_RATE = "2/hour"
    assert post(client, {"device_id": "d"}, Authorization="Bearer not-a-token").status_code == 401
    client.cookies["refresh_token"] = "not-a-token"
    assert post(client, {"device_id": "d"}).status_code == 401
    assert_throttled(post(client, {"device_id": "d"}))


@pytest.mark.django_db(transaction=True)
async def test_websocket_user_login_answers_429_in_the_response(settings):
    settings.LOGIN_RATE = "2/hour"
    user = await db(make_user)()
    client = await SamaClient().open()
    for _ in range(2):
        answer = await client.request("user_login", {"login": user.username, "password": "x", "device_id": "d"})
        assert answer["error"]["status"] == 401, answer
    answer = await client.request("user_login", {"login": user.username, "password": PASSWORD, "device_id": "d"})
    assert set(answer) == {"id", "error"} and answer["error"]["status"] == 429, answer
    assert answer["error"]["message"].startswith("Too many login attempts"), answer
    token = await client.request("user_login", {"token": "not-a-token"})
    assert token["error"]["status"] == 429, token
    await client.close()


@pytest.mark.django_db(transaction=True)
async def test_websocket_addresses_come_from_forwarded_for_only_behind_trusted_proxies(settings):
    settings.LOGIN_RATE = "1/hour"

    async def attempt(forwarded: str, login: str) -> int:
        client = await SamaClient(headers=[(b"x-forwarded-for", forwarded.encode())]).open()
        answer = await client.request("user_login", {"login": login, "password": "x", "device_id": "d"})
        await client.close()
        return answer["error"]["status"]

    assert await attempt("10.0.0.1", "nobody1") == 401
    assert await attempt("10.0.0.2", "nobody2") == 429  # the socket's address, not the header's
    settings.TRUSTED_PROXY_COUNT = 1
    assert await attempt("10.0.0.3", "nobody3") == 401
    assert await attempt("10.0.0.3", "nobody4") == 429


@pytest.mark.django_db(transaction=True)
async def test_user_create_is_throttled(settings):
    settings.REGISTER_RATE = "2/hour"
    client = await SamaClient().open()
    for n in range(2):
        answer = await client.request("user_create", {"login": f"new{n}", "password": PASSWORD})
        assert "user" in answer, answer
    answer = await client.request("user_create", {"login": "new9", "password": PASSWORD})
    assert answer["error"]["status"] == 429 and answer["error"]["message"].startswith("Too many registrations")
    await client.close()


@pytest.mark.django_db(transaction=True)
async def test_wrong_current_passwords_in_user_edit_count_like_failed_logins(settings):
    settings.LOGIN_RATE = "2/hour"
    user = await db(make_user)()
    a = await sama_connected(user)
    wrong = {"current_password": "guess", "new_password": "new-pass-1"}
    for n in range(2):
        answer = await a.request("user_edit", wrong, f"w{n}")
        assert answer == {"id": f"w{n}", "error": {"status": 403, "message": "Incorrect current password"}}
    refused = await a.request("user_edit", {**wrong, "current_password": PASSWORD}, "w3")
    assert refused["error"]["status"] == 429
    assert refused["error"]["message"].startswith("Too many login attempts")
    await a.close()
