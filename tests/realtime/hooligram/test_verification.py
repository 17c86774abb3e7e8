"""VERIFICATION_REQUEST_CODE, VERIFICATION_SUBMIT_CODE and AUTHORIZATION_SIGN_IN over /v2."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import sms
from accounts.models import PhoneVerification, User
from tests.helpers import db
from tests.realtime.hooligram.client import HooligramClient, hooligram_connected, make_phone_user

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"country_code": "65", "phone_number": "91234567"}


async def _request_code(client: HooligramClient, phone: dict = PHONE, action_id: str = "r1") -> dict:
    return await client.act("VERIFICATION_REQUEST_CODE_REQUEST", phone, action_id)


async def test_request_submit_and_sign_in(sms_outbox):
    client = await HooligramClient().open()
    assert await _request_code(client) == {"id": "r1", "payload": {}, "type": "VERIFICATION_REQUEST_CODE_SUCCESS"}
    assert len(sms_outbox) == 1
    code = sms_outbox[0].code
    assert (sms_outbox[0].country_code, sms_outbox[0].phone_number) == ("65", "91234567")
    assert len(code) == 6 and code.isdigit()
    user = await db(User.objects.get)(country_code="65", phone_number="91234567")
    assert user.sid == "65.91234567" and user.username == "65.91234567" and not user.has_usable_password()
    stored = await db(PhoneVerification.objects.get)(country_code="65")
    assert code not in stored.code_hash and stored.verified_at is None

    submitted = await client.act("VERIFICATION_SUBMIT_CODE_REQUEST", {"verification_code": code}, "s1")
    assert submitted == {"id": "s1", "payload": {}, "type": "VERIFICATION_SUBMIT_CODE_SUCCESS"}
    signed_in = await client.act("AUTHORIZATION_SIGN_IN_REQUEST", {**PHONE, "verification_code": code}, "i1")
    assert signed_in == {"id": "i1", "payload": {}, "type": "AUTHORIZATION_SIGN_IN_SUCCESS"}
    await client.nothing()  # no groups, no messages yet
    await client.close()

    # A verified code signs in again on a new connection, as clients do after a reconnect.
    again = await HooligramClient().open()
    await again.sign_in(user, code)
    await again.close()


async def test_sign_in_with_a_code_not_submitted_yet():
    user, code = await make_phone_user("1", "2025550123")
    client = await hooligram_connected(user, code)
    await client.close()


async def test_request_code_failures():
    client = await HooligramClient().open()
    cases = [
        ({"phone_number": "91234567"}, "country_code not in payload"),
        ({"country_code": "65"}, "phone_number not in payload"),
        ({"country_code": "sixty-five", "phone_number": "91234567"}, "invalid country_code"),
        ({"country_code": "65", "phone_number": "9123-4567"}, "invalid phone_number"),
        ({"country_code": "65", "phone_number": "91234567\n"}, "invalid phone_number"),
        (
            {"country_code": "65", "phone_number": "\u0669\u0661\u0662\u0663\u0664\u0665\u0666\u0667"},
            "invalid phone_number",
        ),
        ({"country_code": "65\n", "phone_number": "91234567"}, "invalid country_code"),
        ({"country_code": "\uff16\uff15", "phone_number": "91234567"}, "invalid country_code"),  # full-width digits
    ]
    for n, (payload, reason) in enumerate(cases):
        answer = await client.act("VERIFICATION_REQUEST_CODE_REQUEST", payload, f"f{n}")
        assert answer == {"id": f"f{n}", "payload": {"errors": [reason]}, "type": "VERIFICATION_REQUEST_CODE_FAILURE"}
    assert await db(User.objects.count)() == 0
    await client.close()


async def test_code_requests_per_phone_are_rate_limited(settings, sms_outbox):
    settings.VERIFICATION_RATE_LIMIT = 2
    client = await HooligramClient().open()
    for n in range(2):
        assert (await _request_code(client, action_id=f"r{n}"))["type"] == "VERIFICATION_REQUEST_CODE_SUCCESS"
    refused = await _request_code(client, action_id="r3")
    assert refused == {
        "id": "r3",
        "payload": {"errors": ["too many verification code requests"]},
        "type": "VERIFICATION_REQUEST_CODE_FAILURE",
    }
    assert len(sms_outbox) == 2
    # another phone number is not limited
    other = await _request_code(client, {"country_code": "65", "phone_number": "81234567"}, "r4")
    assert other["type"] == "VERIFICATION_REQUEST_CODE_SUCCESS"
    await client.close()


async def test_submit_failures_wrong_code_attempts_and_expiry(settings, sms_outbox):
    settings.VERIFICATION_MAX_ATTEMPTS = 2
    client = await HooligramClient().open()

    def failure(action_id: str, reason: str) -> dict:
        return {"id": action_id, "payload": {"errors": [reason]}, "type": "VERIFICATION_SUBMIT_CODE_FAILURE"}

    submit = "VERIFICATION_SUBMIT_CODE_REQUEST"
    assert await client.act(submit, {"verification_code": "123456"}, "s0") == failure(
        "s0", "verification code not requested"
    )
    await _request_code(client)
    code = sms_outbox[-1].code
    wrong = "000000" if code != "000000" else "111111"
    assert await client.act(submit, {}, "s1") == failure("s1", "verification_code not in payload")
    assert await client.act(submit, {"verification_code": wrong}, "s2") == failure("s2", "incorrect verification code")
    assert await client.act(submit, {"verification_code": wrong}, "s3") == failure("s3", "incorrect verification code")
    # the attempts are used up: even the right code needs a new request now
    assert await client.act(submit, {"verification_code": code}, "s4") == failure(
        "s4", "too many attempts, request a new code"
    )
    await _request_code(client, action_id="r2")
    code = sms_outbox[-1].code
    assert (await client.act(submit, {"verification_code": code}, "s5"))["type"] == "VERIFICATION_SUBMIT_CODE_SUCCESS"

    # a code not submitted within VERIFICATION_CODE_TTL expires
    await _request_code(client, action_id="r3")
    code = sms_outbox[-1].code
    await db(PhoneVerification.objects.filter(verified_at__isnull=True).update)(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert await client.act(submit, {"verification_code": code}, "s6") == failure("s6", "verification code expired")
    await client.close()


def _sign_in(code: str, action_id: str = "i") -> dict:
    payload = {"country_code": "65", "phone_number": "90000001", "verification_code": code}
    return {"id": action_id, "payload": payload, "type": "AUTHORIZATION_SIGN_IN_REQUEST"}


async def test_a_code_requested_by_anyone_signs_no_one_out_and_once_verified_retires_the_previous_one(sms_outbox):
    user, first = await make_phone_user("65", "90000001")
    owner = await hooligram_connected(user, first)  # verifies it
    await owner.close()
    stranger = await HooligramClient().open()
    asked = await stranger.act("VERIFICATION_REQUEST_CODE_REQUEST", {"country_code": "65", "phone_number": "90000001"})
    assert asked["type"] == "VERIFICATION_REQUEST_CODE_SUCCESS"
    second = sms.last_code("65", "90000001")
    assert second is not None and second != first  # (one chance in a million to be the same)
    owner = await hooligram_connected(user, first)  # reconnecting with the verified code still works
    await owner.close()

    new_device = await hooligram_connected(user, second)  # verifies the newer code
    await new_device.close()
    await stranger.send(_sign_in(first, "i1"))
    assert (await stranger.receive())["payload"] == {"errors": ["incorrect verification code"]}
    await stranger.close()


async def test_wrong_codes_while_a_newer_one_waits_use_up_the_verified_codes_attempts_too(settings, sms_outbox):
    settings.VERIFICATION_MAX_ATTEMPTS = 2
    user, first = await make_phone_user("65", "90000001")
    await (await hooligram_connected(user, first)).close()
    await make_phone_user("65", "90000001")  # a newer code, not verified
    client = await HooligramClient().open()
    wrong = "000000" if "000000" not in (first, sms.last_code("65", "90000001")) else "999999"
    for n in range(2):
        await client.send(_sign_in(wrong, f"w{n}"))
        assert (await client.receive())["payload"] == {"errors": ["incorrect verification code"]}
    await client.send(_sign_in(first, "v"))  # guesses at the verified code are bounded by its attempts
    assert (await client.receive())["payload"] == {"errors": ["too many attempts, request a new code"]}
    await client.close()


async def test_sign_in_failures():
    await make_phone_user("65", "90000002")
    client = await HooligramClient().open()
    cases = [
        ({"phone_number": "90000002", "verification_code": "1"}, "country_code not in payload"),
        ({"country_code": "65", "verification_code": "1"}, "phone_number not in payload"),
        ({"country_code": "65", "phone_number": "90000002"}, "verification_code not in payload"),
        ({"country_code": "65", "phone_number": "90000002", "verification_code": "x"}, "incorrect verification code"),
        (
            {"country_code": "65", "phone_number": "70000000", "verification_code": "1"},
            "verification code not requested",
        ),
    ]
    for n, (payload, reason) in enumerate(cases):
        answer = await client.act("AUTHORIZATION_SIGN_IN_REQUEST", payload, f"i{n}")
        assert answer == {"id": f"i{n}", "payload": {"errors": [reason]}, "type": "AUTHORIZATION_SIGN_IN_FAILURE"}
    # still not signed in
    refused = await client.act("GROUP_CREATE_REQUEST", {"member_sids": []}, "g")
    assert refused == {"id": "g", "payload": {"errors": ["not signed in"]}, "type": "GROUP_CREATE_FAILURE"}
    await client.close()
