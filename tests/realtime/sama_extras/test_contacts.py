"""The address book over a real WebSocket: add, batch add, update, list, delete, and matches."""

import asyncio
import time

import pytest

from accounts import services as account_services
from tests.helpers import db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)

KEYS = {"_id", "first_name", "last_name", "company", "email", "phone", "created_at", "updated_at"}


async def test_contact_add_answers_the_contact_with_matches():
    owner = await db(make_user)(phone="+65 8123 4567")  # national numbers in their book are Singapore's
    known = await db(make_user)(email="Known@Example.com", phone="+65 9123-4567")
    client = await sama_connected(owner)
    response = await client.request(
        "contact_add",
        {
            "first_name": "Name",
            "last_name": "Surname",
            "company": "UserCompany",
            "email": [{"type": "work", "value": "known@example.com"}, {"type": "home", "value": "nobody@example.com"}],
            "phone": [{"type": "home", "value": "6591234567"}],
        },
        "4",
    )
    contact = response["contact"]
    assert response["id"] == "4" and set(contact) == KEYS
    assert contact["first_name"] == "Name" and contact["company"] == "UserCompany"
    assert contact["email"] == [
        {"type": "work", "value": "known@example.com", "matched_user_id": str(known.pk)},
        {"type": "home", "value": "nobody@example.com"},
    ]
    assert contact["phone"] == [{"type": "home", "value": "6591234567", "matched_user_id": str(known.pk)}]
    assert contact["created_at"].endswith("Z")
    await client.close()


async def test_a_match_appears_when_the_user_registers_or_changes_email_later():
    owner = await db(make_user)()
    client = await sama_connected(owner)
    data = {"first_name": "Late", "email": [{"type": "home", "value": "late@example.com"}]}
    contact = (await client.request("contact_add", data))["contact"]
    assert "matched_user_id" not in contact["email"][0]
    late = await db(make_user)(email="late@example.com")
    listed = (await client.request("contact_list", {}))["contacts"]
    assert listed[0]["email"][0]["matched_user_id"] == str(late.pk)
    await db(account_services.user_update)(late, email="elsewhere@example.com")
    listed = (await client.request("contact_list", {}))["contacts"]
    assert "matched_user_id" not in listed[0]["email"][0]
    other = await db(make_user)()
    await db(account_services.user_update)(other, email="LATE@example.com")
    listed = (await client.request("contact_list", {}))["contacts"]
    assert listed[0]["email"][0]["matched_user_id"] == str(other.pk)
    await client.close()


async def test_contact_add_errors():
    client = await sama_connected(await db(make_user)())
    no_email = await client.request("contact_add", {"first_name": "A"}, "1")
    assert no_email == {"id": "1", "error": {"status": 422, "message": "email or phone is required"}}
    no_name = await client.request("contact_add", {"phone": [{"type": "home", "value": "123456"}]}, "2")
    assert no_name == {"id": "2", "error": {"status": 422, "message": "first_name or last_name is required"}}
    bad = await client.request("contact_add", {"last_name": "B", "email": "x@y.z"}, "3")
    assert bad == {"id": "3", "error": {"status": 422, "message": "email must be a list of at most 20 entries"}}
    await client.close()


async def test_batch_add_list_update_and_delete(settings):
    settings.PHONE_DEFAULT_REGION = "US"
    owner = await db(make_user)()
    matched = await db(make_user)(phone="+1 202-555-0100")
    client = await sama_connected(owner)
    contacts = [
        {"first_name": "One", "email": [{"type": "work", "value": "one@example.com"}]},
        {"last_name": "Two", "company": "C2", "phone": [{"type": "home", "value": "(202) 555 0100"}]},
    ]
    response = await client.request("contacts", contacts, "5")
    added = response["contacts"]
    assert response["id"] == "5" and [c["first_name"] for c in added] == ["One", ""]
    assert added[1]["phone"][0]["matched_user_id"] == str(matched.pk)
    bad = await client.request("contacts", [contacts[0], {"first_name": "no email"}], "5b")
    assert bad == {"id": "5b", "error": {"status": 422, "message": "contacts[1]: email or phone is required"}}
    also = await client.request("contact_batch_add", {"contacts": [contacts[0]]}, "5c")
    assert len(also["contacts"]) == 1

    one_id, two_id = added[0]["_id"], added[1]["_id"]
    await asyncio.sleep(0.01)
    updated = await client.request("contact_update", {"id": one_id, "last_name": "Changed"}, "14")
    assert updated["contact"]["last_name"] == "Changed" and updated["contact"]["first_name"] == "One"
    assert updated["contact"]["updated_at"] > added[0]["updated_at"]

    everything = (await client.request("contact_list", {"updated_at": "", "limit": 56}, "54"))["contacts"]
    assert [c["_id"] for c in everything] == [two_id, also["contacts"][0]["_id"], one_id]  # oldest change first
    assert len((await client.request("contact_list", {"limit": 1}))["contacts"]) == 1
    by_ids = (await client.request("contact_list", {"ids": [one_id]}))["contacts"]
    assert [c["_id"] for c in by_ids] == [one_id]
    too_many = await client.request("contact_list", {"ids": [str(i) for i in range(1, 12)]}, "55")
    assert too_many == {"id": "55", "error": {"status": 422, "message": "ids holds at most 10 ids"}}
    since = (await client.request("contact_list", {"updated_at": {"gt": int(time.time() * 1000) + 60000}}))["contacts"]
    assert since == []

    assert await client.request("contact_delete", {"id": two_id}, "14d") == {"id": "14d", "success": True}
    assert await client.request("contact_delete", {"id": two_id}, "14e") == {
        "id": "14e",
        "error": {"status": 404, "message": "Contact not found"},
    }
    no_id = await client.request("contact_delete", {}, "14f")
    assert no_id["error"] == {"status": 422, "message": "id is not a valid id"}
    await client.close()


async def test_contacts_are_private_to_their_owner():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    b = await sama_connected(bob)
    contact = (await a.request("contact_add", {"first_name": "X", "phone": [{"value": "123456"}]}))["contact"]
    assert (await b.request("contact_list", {}))["contacts"] == []
    response = await b.request("contact_update", {"id": contact["_id"], "first_name": "Y"}, "u")
    assert response == {"id": "u", "error": {"status": 404, "message": "Contact not found"}}
    await a.close()
    await b.close()
