"""The address book: each user's contacts, matched at read time to the registered users who own
their e-mail addresses and phone numbers (so a match appears as soon as that user registers or
changes their e-mail or phone, and disappears when they change it away).

E-mail addresses match case-insensitively. Phone numbers match in E.164 (`accounts/phones.py`):
each entry's number is read when it is written, a national one in its owner's region, and
compared with the users' `phone_e164`, so "07700 900123" in a UK user's book finds the user whose
phone is "+44 7700 900123". Both are lookups on an index, not a scan of the users."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower

from accounts.models import Contact, User
from accounts.phone_index import phone_entries_read
from accounts.phones import phone_writer_region
from config.errors import Invalid, NotFound
from config.id_lists import ids_distinct
from config.paging import clamp_limit

NAME_MAX = 150
COMPANY_MAX = 255
VALUE_MAX = 255
TYPE_MAX = 50
ENTRIES_MAX = 20
BATCH_MAX = 500
IDS_MAX = 10
LIST_DEFAULT = 100
LIST_MAX = 500


@dataclass(frozen=True, slots=True)
class ContactView:
    """A contact with its e-mail and phone entries, each carrying `matched_user_id` when matched."""

    contact: Contact
    email: list[dict[str, Any]]
    phone: list[dict[str, Any]]


def _text(data: dict[str, Any], name: str, limit: int) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise Invalid(f"{name} must be a string of at most {limit} characters", code="invalid_contact")
    return value.strip()


def _entries(data: dict[str, Any], name: str) -> list[dict[str, Any]] | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > ENTRIES_MAX:
        raise Invalid(f"{name} must be a list of at most {ENTRIES_MAX} entries", code="invalid_contact")
    entries = []
    for entry in value:
        if not isinstance(entry, dict):
            raise Invalid(f"each {name} entry must be an object with type and value", code="invalid_contact")
        kind, text = entry.get("type", ""), entry.get("value")
        if not isinstance(text, str) or not text.strip() or len(text) > VALUE_MAX:
            raise Invalid(f"each {name} entry needs a value of at most {VALUE_MAX} characters", code="invalid_contact")
        if not isinstance(kind, str) or len(kind) > TYPE_MAX:
            raise Invalid(f"{name} type must be a string of at most {TYPE_MAX} characters", code="invalid_contact")
        entries.append({"type": kind, "value": text.strip()})
    return entries


def _clean(owner: User, data: object, *, current: Contact | None = None) -> dict[str, Any]:
    """The contact fields from a request, checked, phone entries read in the owner's region; with
    `current`, only the fields given change."""
    if not isinstance(data, dict):
        raise Invalid("A contact must be an object", code="invalid_contact")
    first_name, last_name = _text(data, "first_name", NAME_MAX), _text(data, "last_name", NAME_MAX)
    company, email, phone = _text(data, "company", COMPANY_MAX), _entries(data, "email"), _entries(data, "phone")
    fields = {
        "first_name": first_name,
        "last_name": last_name,
        "company": company,
        "email": email,
        "phone": phone_entries_read(phone, phone_writer_region(owner.phone_e164)) if phone is not None else None,
    }
    fields = {k: v for k, v in fields.items() if v is not None}
    merged = {k: getattr(current, k) for k in ("first_name", "last_name", "email", "phone")} if current else {}
    merged.update(fields)
    if not merged.get("email") and not merged.get("phone"):
        raise Invalid("email or phone is required", code="invalid_contact")
    if not merged.get("first_name") and not merged.get("last_name"):
        raise Invalid("first_name or last_name is required", code="invalid_contact")
    return fields


def contacts_matched(contacts: Iterable[Contact]) -> list[ContactView]:
    """The contacts with `matched_user_id` on every entry a registered user owns (one query, on
    the e-mail and phone indexes)."""
    contacts = list(contacts)
    emails = {e["value"].lower() for c in contacts for e in c.email if "@" in e["value"]}
    phones = {p["e164"] for c in contacts for p in c.phone if p.get("e164")}
    by_email: dict[str, int] = {}
    by_phone: dict[str, int] = {}
    if emails or phones:
        rows = (
            User.objects.filter(is_active=True)
            .annotate(m_email=Lower("email"))
            .filter(Q(m_email__in=emails) | Q(phone_e164__in=phones))
            .order_by("-pk")
            .values_list("pk", "m_email", "phone_e164")
        )
        for pk, email, phone in rows:  # newest first, so the oldest account wins
            by_email[email] = pk
            by_phone[phone] = pk

    def matched(
        entries: list[dict[str, Any]], lookup: dict[str, int], key: Callable[[dict[str, Any]], str]
    ) -> list[dict[str, Any]]:
        out = []
        for entry in entries:
            shown = {"type": entry["type"], "value": entry["value"]}
            uid = lookup.get(key(entry))
            out.append({**shown, "matched_user_id": uid} if uid else shown)
        return out

    return [
        ContactView(
            contact=c,
            email=matched(c.email, by_email, lambda e: e["value"].lower()),
            phone=matched(c.phone, by_phone, lambda p: p.get("e164", "")),
        )
        for c in contacts
    ]


@transaction.atomic
def contact_add(owner: User, *, data: object) -> ContactView:
    """Add a contact to the owner's address book."""
    contact = Contact.objects.create(owner=owner, **_clean(owner, data))
    return contacts_matched([contact])[0]


@transaction.atomic
def contacts_add(owner: User, *, items: object) -> list[ContactView]:
    """Add several contacts at once; one invalid entry refuses them all, naming it."""
    if not isinstance(items, list) or not items or len(items) > BATCH_MAX:
        raise Invalid(f"contacts must be a list of 1 to {BATCH_MAX} contacts", code="invalid_contacts")
    rows = []
    for index, item in enumerate(items):
        try:
            rows.append(Contact(owner=owner, **_clean(owner, item)))
        except Invalid as error:
            raise Invalid(f"contacts[{index}]: {error.message}", code=error.code) from error
    return contacts_matched(Contact.objects.bulk_create(rows))


def _own(owner: User, contact_id: int) -> Contact:
    contact = Contact.objects.select_for_update().filter(pk=contact_id, owner=owner).first()
    if contact is None:
        raise NotFound("Contact not found", code="contact_not_found")
    return contact


@transaction.atomic
def contact_update(owner: User, *, contact_id: int, data: object) -> ContactView:
    """Change one of the owner's contacts; only the fields given change. Locks the contact row."""
    contact = _own(owner, contact_id)
    for name, value in _clean(owner, data, current=contact).items():
        setattr(contact, name, value)
    contact.save()
    return contacts_matched([contact])[0]


@transaction.atomic
def contact_delete(owner: User, *, contact_id: int) -> None:
    """Delete one of the owner's contacts."""
    _own(owner, contact_id).delete()


def contact_list(
    owner: User,
    *,
    updated_after: datetime | None = None,
    updated_before: datetime | None = None,
    limit: int | None = None,
    ids: Iterable[int] | None = None,
) -> list[ContactView]:
    """The owner's contacts, least recently updated first (so `updated_at.gt` pages forward)."""
    rows = Contact.objects.filter(owner=owner)
    if ids is not None:
        rows = rows.filter(pk__in=ids_distinct(ids, limit=IDS_MAX))
    if updated_after is not None:
        rows = rows.filter(updated_at__gt=updated_after)
    if updated_before is not None:
        rows = rows.filter(updated_at__lt=updated_before)
    rows = rows.order_by("updated_at", "id")[: clamp_limit(limit, LIST_DEFAULT, LIST_MAX)]
    return contacts_matched(rows)
