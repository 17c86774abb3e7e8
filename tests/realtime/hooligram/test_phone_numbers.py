"""Phone numbers at Hooligram sign-in, over /v2: numbers phonenumbers holds impossible or
unassigned are refused before any code is texted; a trunk prefix is dropped from a new user's
number; users registered with one keep their sid and are found however the number is written."""

import pytest

from accounts.models import User
from accounts.phone_index import user_phone_index
from tests.helpers import db
from tests.realtime.hooligram.client import HooligramClient

pytestmark = pytest.mark.django_db(transaction=True)

REQUEST = "VERIFICATION_REQUEST_CODE_REQUEST"


def _failure(action_id: str, reason: str) -> dict:
    return {"id": action_id, "payload": {"errors": [reason]}, "type": "VERIFICATION_REQUEST_CODE_FAILURE"}


async def _signs_in(country_code: str, phone_number: str, code: str) -> None:
    client = await HooligramClient().open()
    payload = {"country_code": country_code, "phone_number": phone_number, "verification_code": code}
    assert await client.act("AUTHORIZATION_SIGN_IN_REQUEST", payload, "i1") == {
        "id": "i1",
        "payload": {},
        "type": "AUTHORIZATION_SIGN_IN_SUCCESS",
    }
    await client.close()


@pytest.mark.parametrize(
    ("country_code", "phone_number", "reason"),
    [
        ("65", "9123", "invalid phone_number"),  # too short for Singapore: impossible
        ("65", "912345678", "invalid phone_number"),  # too long
        ("65", "80000000", "invalid phone_number"),  # the right length, in no range Singapore assigns
        ("44", "7700900123", "invalid phone_number"),  # Ofcom's range for drama: never a real phone
        ("1", "5550100", "invalid phone_number"),  # a number without its area code
        ("999", "5550000000", "invalid country_code"),  # no country has it
    ],
)
async def test_a_number_that_cannot_take_a_text_is_refused_and_nothing_is_sent(
    sms_outbox, country_code, phone_number, reason
):
    client = await HooligramClient().open()
    answer = await client.act(REQUEST, {"country_code": country_code, "phone_number": phone_number}, "r1")
    assert answer == _failure("r1", reason)
    assert sms_outbox == []
    assert await db(User.objects.count)() == 0
    await client.close()


async def test_a_trunk_prefix_is_dropped_and_either_form_signs_in(sms_outbox):
    client = await HooligramClient().open()
    answer = await client.act(REQUEST, {"country_code": "44", "phone_number": "07400900123"}, "r1")
    assert answer["type"] == "VERIFICATION_REQUEST_CODE_SUCCESS", answer
    (sent,) = sms_outbox
    assert (sent.country_code, sent.phone_number) == ("44", "7400900123")
    user = await db(User.objects.get)()
    assert (user.sid, user.username, user.phone, user.phone_e164) == (
        "44.7400900123",
        "44.7400900123",
        "+447400900123",
        "+447400900123",
    )

    # The same number without the prefix is the same phone: a new code for the same user.
    again = await client.act(REQUEST, {"country_code": "44", "phone_number": "7400900123"}, "r2")
    assert again["type"] == "VERIFICATION_REQUEST_CODE_SUCCESS", again
    assert len(sms_outbox) == 2 and await db(User.objects.count)() == 1
    code = sms_outbox[-1].code
    submitted = await client.act("VERIFICATION_SUBMIT_CODE_REQUEST", {"verification_code": code}, "s1")
    assert submitted["type"] == "VERIFICATION_SUBMIT_CODE_SUCCESS", submitted
    await client.close()

    await _signs_in("44", "07400900123", code)
    await _signs_in("44", "7400900123", code)


def _registered_with_trunk_prefix() -> User:
    """A user registered before numbers were read, with the digits their client sent, prefix and all."""
    user = User(username="44.07400900456", country_code="44", phone_number="07400900456", phone="+4407400900456")
    user_phone_index(user)
    user.set_unusable_password()
    user.save()
    return user


async def test_a_user_registered_with_a_trunk_prefix_keeps_their_sid(sms_outbox):
    user = await db(_registered_with_trunk_prefix)()
    assert user.phone_e164 == "+447400900456"
    client = await HooligramClient().open()
    answer = await client.act(REQUEST, {"country_code": "44", "phone_number": "7400900456"}, "r1")
    assert answer["type"] == "VERIFICATION_REQUEST_CODE_SUCCESS", answer
    (sent,) = sms_outbox
    assert (sent.country_code, sent.phone_number) == ("44", "07400900456")  # the digits they have
    assert await db(User.objects.count)() == 1
    submitted = await client.act("VERIFICATION_SUBMIT_CODE_REQUEST", {"verification_code": sent.code}, "s1")
    assert submitted["type"] == "VERIFICATION_SUBMIT_CODE_SUCCESS", submitted
    await client.close()

    await _signs_in("44", "07400900456", sent.code)
    await _signs_in("44", "7400900456", sent.code)
    assert (await db(User.objects.get)()).sid == "44.07400900456"


def _registered_with_an_unread_phone_and_a_profile_phone() -> User:
    """A user whose verified digits phonenumbers cannot read, who wrote someone else's number as
    their profile phone."""
    user = User(username="999.5550000000", country_code="999", phone_number="5550000000", phone="+65 9123 4567")
    user_phone_index(user)
    user.save()
    return user


async def test_a_profile_phone_does_not_make_its_writer_the_phones_owner(sms_outbox):
    squatter = await db(_registered_with_an_unread_phone_and_a_profile_phone)()
    assert squatter.phone_e164 == "+6591234567"  # contacts find them by it
    client = await HooligramClient().open()
    answer = await client.act(REQUEST, {"country_code": "65", "phone_number": "91234567"}, "r1")
    assert answer["type"] == "VERIFICATION_REQUEST_CODE_SUCCESS", answer
    (sent,) = sms_outbox
    assert (sent.country_code, sent.phone_number) == ("65", "91234567")
    owner = await db(User.objects.get)(country_code="65")
    assert owner.pk != squatter.pk and owner.sid == "65.91234567"
    await client.close()
