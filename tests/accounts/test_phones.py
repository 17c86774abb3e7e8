"""The phone number rule (`accounts/phones.py`): what reads as a number, in which region, and
which numbers a code may be texted to."""

import pytest

from accounts.phones import phone_e164, phone_region, phone_textable, phone_writer_region, user_phone_e164


@pytest.mark.parametrize(
    ("text", "region", "e164"),
    [
        ("+44 7700 900123", None, "+447700900123"),
        ("tel:+44-7700-900123", None, "+447700900123"),
        ("+44 (0)7700 900123", None, "+447700900123"),
        ("07700 900123", "GB", "+447700900123"),
        ("0044 7700 900123", "GB", "+447700900123"),  # the UK's international prefix
        ("6591234567", "SG", "+6591234567"),  # the country code written without "+"
        ("07700 900123", None, ""),  # national, and no region to read it in
        ("555 0100", "US", ""),  # no area code: possible only locally, no one phone
        ("123", "GB", ""),
        ("not a number", "GB", ""),
        ("", "GB", ""),
    ],
)
def test_a_number_in_e164(text, region, e164):
    assert phone_e164(text, region) == e164


def test_a_writers_region_is_their_own_numbers_else_the_default(settings):
    assert [phone_region(n) for n in ("+447700900123", "+12025550123", "+80012345678", "")] == ["GB", "US", None, None]
    settings.PHONE_DEFAULT_REGION = "FR"
    assert (phone_writer_region("+6591234567"), phone_writer_region("")) == ("SG", "FR")
    settings.PHONE_DEFAULT_REGION = ""
    assert phone_writer_region("") is None


def test_a_verified_phone_comes_before_the_profile_phone(settings):
    assert user_phone_e164(phone="+65 8123 4567", country_code="65", phone_number="91234567") == "+6591234567"
    assert user_phone_e164(phone="+65 8123 4567", country_code="", phone_number="") == "+6581234567"
    assert user_phone_e164(phone="8123 4567", country_code="", phone_number="") == ""
    settings.PHONE_DEFAULT_REGION = "SG"
    assert user_phone_e164(phone="8123 4567", country_code="", phone_number="") == "+6581234567"


def test_only_valid_numbers_take_a_text_and_a_trunk_prefix_is_dropped():
    uk = phone_textable("44", "07400900123")
    assert uk is not None and (uk.country_code, uk.national_number, uk.e164) == ("44", "7400900123", "+447400900123")
    rome = phone_textable("39", "0612345678")  # Italy keeps its leading zero
    assert rome is not None and (rome.national_number, rome.e164) == ("0612345678", "+390612345678")
    assert [phone_textable("65", n) for n in ("80000000", "9123", "912345678")] == [None, None, None]
