"""Login and registration limits over Hooligram: code requests (which register) count against
REGISTER_RATE, wrong codes at submit and sign-in (and sign-ins for a phone with no code) against
LOGIN_RATE, on top of each code's own attempts; a throttled action fails with
`{errors: ["too many ..."]}`."""

import pytest

from tests.realtime.hooligram.client import HooligramClient, hooligram_connected, make_phone_user

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"country_code": "65", "phone_number": "91234567"}


def assert_throttled(frame: dict, action: str, what: str) -> None:
    assert frame["type"] == f"{action}_FAILURE", frame
    (reason,) = frame["payload"]["errors"]
    assert reason.startswith(f"too many {what}"), frame


async def test_code_requests_from_one_address_are_throttled(settings):
    settings.REGISTER_RATE = "2/hour"
    client = await HooligramClient().open()
    for n in range(2):
        phone = {"country_code": "65", "phone_number": f"9100000{n}"}
        frame = await client.act("VERIFICATION_REQUEST_CODE_REQUEST", phone)
        assert frame["type"] == "VERIFICATION_REQUEST_CODE_SUCCESS", frame
    frame = await client.act("VERIFICATION_REQUEST_CODE_REQUEST", {"country_code": "65", "phone_number": "91000009"})
    assert_throttled(frame, "VERIFICATION_REQUEST_CODE", "registrations")
    await client.close()


async def test_wrong_codes_at_submit_then_the_next_answers_throttled(settings, sms_outbox):
    settings.LOGIN_RATE = "2/hour"
    assert settings.VERIFICATION_MAX_ATTEMPTS > 3  # the shared limit is reached first
    client = await HooligramClient().open()
    assert (await client.act("VERIFICATION_REQUEST_CODE_REQUEST", PHONE))["type"].endswith("_SUCCESS")
    code = sms_outbox[-1].code
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(2):
        frame = await client.act("VERIFICATION_SUBMIT_CODE_REQUEST", {"verification_code": wrong})
        assert frame["payload"] == {"errors": ["incorrect verification code"]}, frame
    frame = await client.act("VERIFICATION_SUBMIT_CODE_REQUEST", {"verification_code": code})
    assert_throttled(frame, "VERIFICATION_SUBMIT_CODE", "login attempts")
    await client.close()


async def test_wrong_codes_at_sign_in_then_the_next_answers_throttled(settings):
    settings.LOGIN_RATE = "2/hour"
    user, code = await make_phone_user("65", "92000001")
    wrong = "000000" if code != "000000" else "111111"
    client = await HooligramClient().open()
    phone = {"country_code": user.country_code, "phone_number": user.phone_number}
    for _ in range(2):
        frame = await client.act("AUTHORIZATION_SIGN_IN_REQUEST", {**phone, "verification_code": wrong})
        assert frame["payload"] == {"errors": ["incorrect verification code"]}, frame
    frame = await client.act("AUTHORIZATION_SIGN_IN_REQUEST", {**phone, "verification_code": code})
    assert_throttled(frame, "AUTHORIZATION_SIGN_IN", "login attempts")
    await client.close()


async def test_sign_ins_for_phones_with_no_code_count_as_wrong_codes(settings):
    """Probing which numbers have an account costs the address its login attempts."""
    settings.LOGIN_RATE = "2/hour"
    user, code = await make_phone_user("65", "92000002")
    client = await HooligramClient().open()
    for n in range(2):
        unknown = {"country_code": "65", "phone_number": f"9300000{n}", "verification_code": "123456"}
        frame = await client.act("AUTHORIZATION_SIGN_IN_REQUEST", unknown)
        assert frame["payload"] == {"errors": ["verification code not requested"]}, frame
    known = {"country_code": user.country_code, "phone_number": user.phone_number, "verification_code": code}
    assert_throttled(
        await client.act("AUTHORIZATION_SIGN_IN_REQUEST", known), "AUTHORIZATION_SIGN_IN", "login attempts"
    )
    await client.close()


async def test_sign_ins_with_the_right_code_do_not_count(settings):
    settings.LOGIN_RATE = "1/hour"
    user, code = await make_phone_user("65", "93000001")
    for _ in range(3):
        client = await hooligram_connected(user, code)
        await client.close()
