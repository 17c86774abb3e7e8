"""Who a phone or a Hooligram sid belongs to: the user registered with these very digits, else the
first with the same number in E.164 (a number written with or without its trunk prefix); users
by sid for group members. Read by the verification flows (`accounts/verification.py`) and the
Hooligram adapter."""

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.db.models import Q

from accounts.models import PhoneVerification, User
from accounts.phones import phone_e164
from config.prepared_sql import columns, executed, instance_at

# Matched whole (`fullmatch`), ASCII digits only: "<country code>.<number>".
SID_RE = re.compile(r"([0-9]{1,4})\.([0-9]{3,20})")


def phone_owner(country_code: str, phone_number: str) -> User | None:
    """The user whose verified phone this (validated) one is: the one registered with these very
    digits, else the first registered with the same number in E.164 (written with or without a
    trunk prefix)."""
    found = phone_owner_and_code(country_code, phone_number, e164_of(country_code, phone_number))
    return found[0] if found is not None else None


def e164_of(country_code: str, phone_number: str) -> str:
    """The (validated) phone in E.164; "" if it is no possible number."""
    return phone_e164(f"+{country_code}{phone_number}")


def phone_owner_and_code(
    country_code: str, phone_number: str, e164: str
) -> tuple[User, PhoneVerification | None] | None:
    """The phone's owner (see `phone_owner`; `e164` is the phone's, see `e164_of`) with the newest
    verification of the owner's digits (None if none was requested), each candidate read with its
    verification (every Hooligram sign-in needs both): first the user with these very digits; only
    if there is none, in a second statement, those with the same E.164 number, which most sign-ins
    never need (matched in the same statement, the E.164 number was a third of its round trip)."""
    with executed(phone_owner_sql(by_e164=False), (country_code, phone_number)) as cursor:
        row = cursor.fetchone()
    if row is not None or not e164:
        return _owner_and_code(row) if row is not None else None
    with executed(phone_owner_sql(by_e164=True), (e164,)) as cursor:
        candidates = [_owner_and_code(row) for row in cursor.fetchall()]

    def holds_it(found: tuple[User, PhoneVerification | None]) -> bool:
        # `phone_e164` is the profile phone's when the verified one does not read: no match then.
        digits = (found[0].country_code, found[0].phone_number)
        return phone_e164(f"+{digits[0]}{digits[1]}") == e164

    return next(filter(holds_it, candidates), None)


def _owner_and_code(row: tuple[Any, ...]) -> tuple[User, PhoneVerification | None]:
    user, start = instance_at(User, row, 0)
    if row[start] is None:  # the verification's id: no verification joined
        return user, None
    return user, instance_at(PhoneVerification, row, start)[0]


@cache
def phone_owner_sql(*, by_e164: bool) -> str:
    """`phone_owner_and_code`'s candidates, written once (every Hooligram sign-in runs one), each
    with the newest verification of its digits: the user with these digits, or (`by_e164`) the
    users with this E.164 number and a verified phone, oldest first. The digits' statement repeats
    `phone_number <> ''`, the condition of the unique index on the digits: without it a plan made
    for any parameters (the prepared statement's) cannot use that index, and PostgreSQL read every
    user (3.7 ms instead of 0.14 ms with 10,000 users)."""
    where = (
        "u.phone_e164 = %s AND u.phone_e164 <> '' AND u.phone_number <> '' ORDER BY u.id"
        if by_e164
        else "u.country_code = %s AND u.phone_number = %s AND u.phone_number <> ''"
    )
    return (
        f"SELECT {columns(User, 'u')}, {columns(PhoneVerification, 'v')} FROM {User._meta.db_table} u"
        f" LEFT JOIN {PhoneVerification._meta.db_table} v ON v.id = (SELECT nv.id"
        f" FROM {PhoneVerification._meta.db_table} nv"
        " WHERE nv.country_code = u.country_code AND nv.phone_number = u.phone_number"
        f" ORDER BY nv.created_at DESC, nv.id DESC LIMIT 1) WHERE {where}"
    )


def users_by_sids(sids: Iterable[str]) -> dict[str, User]:
    """Active users by sid ("<country_code>.<phone_number>", or the login of a user without a
    phone), in one query; unknown sids are left out. A phone match wins over a login."""
    wanted = {sid for sid in sids if isinstance(sid, str) and sid}
    if not wanted:
        return {}
    # Each arm is one index's: the unique index on the digits (its condition, `phone_number`
    # not empty, repeated so that the planner may use it) and the one on the login's lower case.
    condition = Q()
    for sid in wanted:
        match = SID_RE.fullmatch(sid)
        if match:
            condition |= Q(country_code=match.group(1), phone_number=match.group(2)) & ~Q(phone_number="")
        condition |= Q(username__lower_exact=sid, phone_number="")
    users = User.objects.filter(condition, is_active=True)
    # Phone owners are indexed last, so their sid wins over a login that looks the same.
    index = {user.sid.lower(): user for user in sorted(users, key=lambda u: bool(u.phone_number))}
    return {sid: index[sid.lower()] for sid in wanted if sid.lower() in index}
