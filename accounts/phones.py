"""Phone numbers, read by `phonenumbers` and stored and matched in E.164 ("+447700900123").

A number written with its country code ("+44 7700 900123", "tel:+44-7700-900123", or "0044 …"
where the region dials 00 abroad) needs no region; a national one ("07700 900123") is read in a
region, the one of whoever wrote it where known, else PHONE_DEFAULT_REGION; with neither it cannot
be read. A number is stored for matching when it is possible (its length fits its country's plan),
and a verification code is texted only to a valid one (in a range its country has assigned)."""

from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, ValidationResult

_NO_REGION = {phonenumbers.UNKNOWN_REGION, phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY}


@dataclass(frozen=True, slots=True)
class TextablePhone:
    """A number a code may be texted to: its country code, its national significant number (no
    trunk prefix: "7700900123" for "07700 900123") and its E.164 form."""

    country_code: str
    national_number: str
    e164: str


def phone_default_region() -> str | None:
    """The region national numbers are read in when the writer's own is not known."""
    return settings.PHONE_DEFAULT_REGION or None


def _possible(text: str, region: str | None) -> PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    # "Possible only locally" (a number without its area code) names no one phone: not kept.
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        return None
    return number


def phone_e164(text: str, region: str | None = None) -> str:
    """`text` in E.164, a national number read in `region`; "" if it is no possible number."""
    number = _possible(text, region) if text else None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164) if number is not None else ""


def phone_region(e164: str) -> str | None:
    """The region whose national numbers the holder of this number writes: the main region of its
    country code ("GB" for +44, "US" for +1); None for none or a non-geographic number."""
    number = _possible(e164, None) if e164 else None
    if number is None:
        return None
    region = phonenumbers.region_code_for_country_code(number.country_code or 0)
    return None if region in _NO_REGION else region


def phone_writer_region(own_e164: str) -> str | None:
    """The region the national numbers someone writes (in their contacts) are read in: their own
    number's (`User.phone_e164`), else PHONE_DEFAULT_REGION."""
    return phone_region(own_e164) or phone_default_region()


def user_phone_e164(*, phone: str, country_code: str, phone_number: str) -> str:
    """The number contacts find a user by: their verified (Hooligram) phone, which takes precedence,
    else their profile phone (a national one read in PHONE_DEFAULT_REGION); "" if neither reads."""
    if phone_number:
        verified = phone_e164(f"+{country_code}{phone_number}")
        if verified:
            return verified
    return phone_e164(phone, phone_default_region())


def country_code_known(country_code: str) -> bool:
    """Whether a country calling code ("44", "1") is one phonenumbers knows."""
    region = phonenumbers.region_code_for_country_code(int(country_code))
    return region != phonenumbers.UNKNOWN_REGION


def phone_textable(country_code: str, number: str) -> TextablePhone | None:
    """The phone "+<country_code><number>" names if phonenumbers holds it valid (a trunk prefix
    such as the UK's 0 is dropped); None for an impossible or unassigned number."""
    try:
        parsed = phonenumbers.parse(f"+{country_code}{number}")
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return TextablePhone(
        country_code=str(parsed.country_code),
        national_number=phonenumbers.national_significant_number(parsed),
        e164=phonenumbers.format_number(parsed, PhoneNumberFormat.E164),
    )
