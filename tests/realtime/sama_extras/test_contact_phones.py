"""Contacts matched by phone number over a real WebSocket: numbers are compared in E.164, a
national one read in its owner's region (else PHONE_DEFAULT_REGION), and each entry reads back
exactly as it was written."""

import pytest

from accounts import services as account_services
from tests.helpers import db, make_user, sama_connected
from tests.realtime.hooligram.client import make_phone_user

pytestmark = pytest.mark.django_db(transaction=True)


def _contact(*numbers: str) -> dict:
    return {"first_name": "Friend", "phone": [{"type": "mobile", "value": n} for n in numbers]}


def _matches(contact: dict) -> dict[str, str | None]:
    return {entry["value"]: entry.get("matched_user_id") for entry in contact["phone"]}


async def test_a_national_number_in_a_uk_users_book_finds_the_international_one():
    owner = await db(make_user)(phone="+44 7700 900456")  # a UK user: their national numbers are the UK's
    known = await db(make_user)(phone="+44 7700 900123")
    client = await sama_connected(owner)
    written = [
        "07700 900123",
        "07700-900-123",
        "(07700) 900123",
        "+44 (0)7700 900123",
        "0044 7700 900123",
        "tel:+44-7700-900123",
        "07700 900999",
    ]
    contact = (await client.request("contact_add", _contact(*written)))["contact"]
    assert contact["phone"][0] == {"type": "mobile", "value": "07700 900123", "matched_user_id": str(known.pk)}
    assert _matches(contact) == {**dict.fromkeys(written[:-1], str(known.pk)), "07700 900999": None}
    listed = (await client.request("contact_list", {}))["contacts"]
    assert listed == [contact]
    await client.close()


async def test_without_a_region_a_national_number_matches_no_one(settings):
    owner = await db(make_user)()  # no phone of their own
    known = await db(make_user)(phone="+44 7700 900123")
    client = await sama_connected(owner)
    unread = (await client.request("contact_add", _contact("07700 900123", "+447700900123")))["contact"]
    assert _matches(unread) == {"07700 900123": None, "+447700900123": str(known.pk)}

    settings.PHONE_DEFAULT_REGION = "GB"
    read = (await client.request("contact_add", _contact("07700 900123")))["contact"]
    assert _matches(read) == {"07700 900123": str(known.pk)}
    await client.close()


async def test_the_owners_region_comes_before_the_default_one(settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    owner = await db(make_user)(phone="+65 8123 4567")  # in Singapore
    singaporean = await db(make_user)(phone="+65 9123 4567")
    client = await sama_connected(owner)
    contact = (await client.request("contact_add", _contact("9123 4567")))["contact"]
    assert _matches(contact) == {"9123 4567": str(singaporean.pk)}
    await client.close()


async def test_a_profile_phone_written_nationally_is_read_in_the_default_region(settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    owner = await db(make_user)()
    known = await db(make_user)(phone="07700 900123")
    client = await sama_connected(owner)
    contact = (await client.request("contact_add", _contact("+44 7700 900123")))["contact"]
    assert _matches(contact) == {"+44 7700 900123": str(known.pk)}
    await client.close()


async def test_a_match_follows_the_users_phone_as_they_edit_it():
    owner = await db(make_user)(phone="+44 7700 900456")
    friend = await db(make_user)()
    client = await sama_connected(owner)
    await client.request("contact_add", _contact("07700 900123", "07700 900124"))
    friend_client = await sama_connected(friend)

    for phone, expected in (
        ("+44 7700 900123", {"07700 900123": str(friend.pk), "07700 900124": None}),
        ("+447700900124", {"07700 900123": None, "07700 900124": str(friend.pk)}),
        ("", {"07700 900123": None, "07700 900124": None}),
    ):
        edited = await friend_client.request("user_edit", {"phone": phone})
        assert edited["user"]["phone"] == phone  # read back as written
        (contact,) = (await client.request("contact_list", {}))["contacts"]
        assert _matches(contact) == expected
    await client.close()
    await friend_client.close()


async def test_a_hooligram_users_verified_phone_is_matched_before_their_profile_phone():
    owner = await db(make_user)(phone="+65 8123 4567")
    phone_user, _ = await make_phone_user("65", "91000071")
    await db(account_services.user_update)(phone_user, phone="+65 9100 0072")
    client = await sama_connected(owner)
    contact = (await client.request("contact_add", _contact("9100 0071", "9100 0072")))["contact"]
    assert _matches(contact) == {"9100 0071": str(phone_user.pk), "9100 0072": None}
    await client.close()
