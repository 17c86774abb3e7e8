"""user_send_otp / user_reset_password over a real WebSocket: the code by e-mail, used once, wrong,
reused and expired codes, unknown e-mails, throttling and password rules; the socket keeps working."""

import json
import re

import pytest
from django.core import mail
from django.test import Client

from accounts import password_reset
from tests.accounts.support import close_code
from tests.helpers import PASSWORD, SamaClient, db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "ann@example.com"
WRONG = {"status": 403, "message": "Incorrect token for password recovery."}
SEND = {"organization_id": "680a2fae96cc69d78861f101", "email": EMAIL, "device_id": "dev-1"}


def mailed_code(n: int = -1) -> int:
    password_reset.mails_wait(10)
    found = re.search(r"\b(\d{6})\b", mail.outbox[n].body)
    assert found, mail.outbox[n].body
    return int(found.group(1))


def reset_params(token: object, new_password: str = "new-pass-1") -> dict:
    return {**SEND, "token": token, "new_password": new_password}


async def still_works(client: SamaClient) -> None:
    """The socket still answers requests after an error (this one counts against no limit)."""
    answer = await client.request("user_search", {"keyword": "a"}, "ok")
    assert answer == {"id": "ok", "error": {"status": 401, "message": "Unauthorized"}}


async def test_the_code_is_mailed_and_resets_the_password_once():
    user = await db(make_user)("ann", email=EMAIL)
    elsewhere = await sama_connected(user, "laptop")
    client = await SamaClient().open()
    assert await client.request("user_send_otp", SEND, "o1") == {"id": "o1", "success": True}
    password_reset.mails_wait(10)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [EMAIL]
    code = mailed_code()

    assert await client.request("user_reset_password", reset_params(code), "o2") == {"id": "o2", "success": True}
    assert await close_code(elsewhere) == 4401  # the account's other sessions end
    again = await client.request("user_reset_password", reset_params(str(code), "other-pass-2"), "o3")
    assert again == {"id": "o3", "error": WRONG}

    old = await client.request("user_login", {"login": "ann", "password": PASSWORD, "device_id": "d"})
    assert old["error"]["status"] == 401
    new = await client.request("user_login", {"login": "ann", "password": "new-pass-1", "device_id": "d"})
    assert new["user"]["login"] == "ann" and new["token"]
    await client.close()
    await elsewhere.close()


async def test_the_new_password_logs_in_over_http():
    await db(make_user)("ann", email=EMAIL)
    client = await SamaClient().open()
    await client.request("user_send_otp", {"email": "ANN@example.com"})
    assert (await client.request("user_reset_password", reset_params(str(mailed_code()))))["success"] is True
    body = json.dumps({"login": "ann", "password": "new-pass-1", "device_id": "d"})
    response = await db(lambda: Client().post("/login", data=body, content_type="application/json"))()
    assert response.status_code == 200 and response.json()["user"]["login"] == "ann"
    await client.close()


async def test_wrong_and_expired_codes_are_refused(settings):
    await db(make_user)("ann", email=EMAIL)
    client = await SamaClient().open()
    await client.request("user_send_otp", SEND)
    code = mailed_code()
    wrong = 100000 if code != 100000 else 100001
    assert await client.request("user_reset_password", reset_params(wrong), "w1") == {"id": "w1", "error": WRONG}
    await still_works(client)
    assert await client.request("user_reset_password", reset_params("12ab"), "w2") == {"id": "w2", "error": WRONG}
    await still_works(client)

    settings.PASSWORD_RESET_CODE_TTL = 0  # the next code is born expired
    await client.request("user_send_otp", SEND)
    expired = await client.request("user_reset_password", reset_params(mailed_code()), "w3")
    assert expired == {"id": "w3", "error": WRONG}
    await still_works(client)
    await client.close()


async def test_too_many_wrong_codes_spend_the_code(settings):
    settings.PASSWORD_RESET_MAX_ATTEMPTS = 2
    await db(make_user)("ann", email=EMAIL)
    client = await SamaClient().open()
    await client.request("user_send_otp", SEND)
    code = mailed_code()
    wrong = 100000 if code != 100000 else 100001
    for _ in range(2):
        assert (await client.request("user_reset_password", reset_params(wrong)))["error"] == WRONG
    assert (await client.request("user_reset_password", reset_params(code)))["error"] == WRONG
    await client.close()


async def test_an_unknown_email_answers_success_and_sends_nothing():
    client = await SamaClient().open()
    assert await client.request("user_send_otp", SEND, "u1") == {"id": "u1", "success": True}
    password_reset.mails_wait(10)
    assert mail.outbox == []
    assert await client.request("user_reset_password", reset_params(123456), "u2") == {"id": "u2", "error": WRONG}
    await client.close()


async def test_bad_input_is_invalid():
    client = await SamaClient().open()
    answer = await client.request("user_send_otp", {"email": "not-an-email"}, "b1")
    assert answer == {"id": "b1", "error": {"status": 422, "message": "email is not valid"}}
    answer = await client.request("user_send_otp", "ann", "b2")
    assert answer == {"id": "b2", "error": {"status": 422, "message": "user_send_otp must be an object"}}
    await still_works(client)
    await client.close()


async def test_a_refused_new_password_answers_422_and_keeps_the_code():
    await db(make_user)("ann", email=EMAIL)
    client = await SamaClient().open()
    await client.request("user_send_otp", SEND)
    code = mailed_code()
    answer = await client.request("user_reset_password", reset_params(code, "abc"), "p1")
    message = "This password is too short. It must contain at least 4 characters."
    assert answer == {"id": "p1", "error": {"status": 422, "message": message}}
    await still_works(client)
    assert (await client.request("user_reset_password", reset_params(code)))["success"] is True
    await client.close()


async def test_code_requests_are_throttled(settings):
    settings.PASSWORD_RESET_RATE = "2/hour"
    await db(make_user)("ann", email=EMAIL)
    client = await SamaClient().open()
    for _ in range(2):
        assert (await client.request("user_send_otp", SEND))["success"] is True
    answer = await client.request("user_send_otp", SEND, "t1")
    assert set(answer) == {"id", "error"} and answer["error"]["status"] == 429, answer
    assert answer["error"]["message"].startswith("Too many password reset requests"), answer
    password_reset.mails_wait(10)
    assert len(mail.outbox) == 2
    await client.close()


async def test_wrong_codes_are_throttled_like_logins(settings):
    settings.LOGIN_RATE = "2/hour"
    await db(make_user)("ann", email=EMAIL)
    client = await SamaClient().open()
    await client.request("user_send_otp", SEND)
    code = mailed_code()
    wrong = 100000 if code != 100000 else 100001
    for _ in range(2):
        assert (await client.request("user_reset_password", reset_params(wrong)))["error"] == WRONG
    answer = await client.request("user_reset_password", reset_params(code), "t2")
    assert set(answer) == {"id", "error"} and answer["error"]["status"] == 429, answer
    assert answer["error"]["message"].startswith("Too many login attempts"), answer
    await client.close()
