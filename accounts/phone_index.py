"""The stored E.164 forms of phone numbers, which contacts are matched by: users' `phone_e164` and
each contact phone entry's `e164`. Every write of a phone keeps them in step; `users_reindex` and
`contacts_reindex` read every stored number again (the migration that added them, and
`manage.py phones_reindex` after PHONE_DEFAULT_REGION changes). They take the model classes, so
the migration runs them with its historical models."""

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from accounts.phones import phone_e164, phone_writer_region, user_phone_e164

if TYPE_CHECKING:
    from accounts.models import Contact, User

BATCH = 1000


def phone_entries_read(entries: list[dict[str, Any]], region: str | None) -> list[dict[str, Any]]:
    """Contact phone entries, each with `e164`: its value in E.164, a national one read in `region`."""
    return [{**entry, "e164": phone_e164(entry["value"], region)} for entry in entries]


def user_phone_index(user: "User") -> None:
    """Set the user's `phone_e164` from their phones (not saved); every write of a phone calls it."""
    user.phone_e164 = user_phone_e164(phone=user.phone, country_code=user.country_code, phone_number=user.phone_number)


def users_reindex(users: "type[User]") -> int:
    """Set every user's `phone_e164` from their phones again, a batch at a time, without touching
    `updated_at` (nothing a client sees changes); answers how many changed."""
    rows = users.objects.filter(~Q(phone="") | ~Q(phone_number="") | ~Q(phone_e164="")).order_by("pk")
    changed, last = 0, 0
    while batch := list(rows.filter(pk__gt=last).only("phone", "country_code", "phone_number", "phone_e164")[:BATCH]):
        last = batch[-1].pk
        stale = []
        for user in batch:
            before = user.phone_e164
            user_phone_index(user)
            if user.phone_e164 != before:
                stale.append(user)
        users.objects.bulk_update(stale, ["phone_e164"])
        changed += len(stale)
    return changed


def contacts_reindex(contacts: "type[Contact]") -> int:
    """Read every contact's phone entries again, national ones in their owner's region (run after
    `users_reindex`), without touching `updated_at`; answers how many contacts changed."""
    rows = contacts.objects.order_by("pk").values_list("pk", "phone", "owner__phone_e164")
    changed, last = 0, 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        last = batch[-1][0]
        stale = []
        for pk, entries, owner_e164 in batch:
            read = phone_entries_read(entries, phone_writer_region(owner_e164))
            if read != entries:
                stale.append(contacts(pk=pk, phone=read))
        contacts.objects.bulk_update(stale, ["phone"])
        changed += len(stale)
    return changed
