"""The run's database: created and migrated if needed, and the load-test users with their tokens.

Users are written in bulk with one password hash computed once: creating thousands of users one by
one through `user_create` would spend most of a run in PBKDF2. They are ordinary users (the same
password logs them in with `POST /login`); only the write is done in bulk. Their device sessions
and access tokens come from the service layer's token module, so `connect {token}` is the real path.
"""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Exists, F, OuterRef
from django.test.utils import override_settings
from django.utils import timezone

from accounts import sms, tokens, verification
from accounts.models import DeviceSession, PhoneVerification, User
from chats.models import Participant
from loadtest.generator import GROUP_NAME_PREFIX
from messaging.models import DeliveryReceipt, Message

SAFE_NAME_PARTS = ("load", "test")
# How long a kept Hooligram code must still sign in for to be used (longer than any run).
CODE_MARGIN = timedelta(hours=1)


def database_name() -> str:
    """The name of this process's database."""
    return str(connection.settings_dict["NAME"])


def database_is_dedicated(name: str) -> bool:
    """A run writes users and messages: only into a database named for it (holding "load" or "test")."""
    return any(part in name.lower() for part in SAFE_NAME_PARTS)


def database_url() -> str:
    """This process's database as a DATABASE_URL for the server processes (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("Starting servers needs PostgreSQL: set DATABASE_URL=postgres://…")
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(s['NAME'], safe='')}"


def ensure_database() -> bool:
    """Create the PostgreSQL database if it does not exist yet; True when it was created."""
    if connection.vendor != "postgresql":
        return False
    import psycopg
    from psycopg import sql

    s = connection.settings_dict
    params: dict[str, Any] = {
        "host": s.get("HOST") or None,
        "port": s.get("PORT") or None,
        "user": s.get("USER") or None,
    }
    params["password"] = s.get("PASSWORD") or None
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [s["NAME"]]).fetchone()
        if exists:
            return False
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(s["NAME"])))
    return True


def migrate() -> None:
    """Apply the migrations to the run's database."""
    call_command("migrate", interactive=False, verbosity=0)


def database_tidy() -> bool:
    """Vacuum the database and refresh the planner's statistics (PostgreSQL); True when
    autovacuum is off on the server.

    Runs add rows faster than autovacuum analyzes them (stale statistics once turned Hooligram's
    sign-in query into a full scan), and every message leaves a dead version of its
    conversation's row behind: where autovacuum is off those pile up run after run, and each
    run measures a slower database than the last."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("SHOW autovacuum")
        return cursor.fetchone()[0] == "off"


def statistics_forget() -> None:
    """Make PostgreSQL plan as on statistics taken while every table of the database was empty
    (`--stale-statistics`): a new deployment's first burst, or writes faster than autovacuum
    (which puts real statistics back within minutes where it runs). Needs a superuser."""
    if connection.vendor != "postgresql":
        raise CommandError("--stale-statistics needs PostgreSQL")
    tables = "SELECT oid FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM pg_statistic WHERE starelid IN ({tables})")
        cursor.execute(f"UPDATE pg_class SET reltuples = 0, relpages = 0 WHERE oid IN ({tables})")


def login_for(prefix: str, index: int) -> str:
    """The login of load-test user number `index`."""
    return f"{prefix}{index:06d}"


def users_provision(count: int, *, prefix: str, password: str, device_id: str) -> list[dict[str, Any]]:
    """`user_id`, `login` and SAMA access `token` of `count` load-test users, creating the missing ones."""
    logins = [login_for(prefix, n) for n in range(count)]
    existing = set(User.objects.filter(username__in=logins).values_list("username", flat=True))
    missing = [login for login in logins if login not in existing]
    if missing:
        hashed = make_password(password)
        User.objects.bulk_create(
            [User(username=login, password=hashed, first_name="Load", last_name=login) for login in missing],
            batch_size=1000,
        )
    users = {u.username: u for u in User.objects.filter(username__in=logins).only("id", "username", "is_active")}
    DeviceSession.objects.bulk_create(
        [DeviceSession(user=users[login], device_id=device_id) for login in logins],
        batch_size=1000,
        ignore_conflicts=True,
    )
    sessions = {
        s.user.username: s
        for s in DeviceSession.objects.select_related("user").filter(user__username__in=logins, device_id=device_id)
    }
    return [
        {"user_id": users[login].pk, "login": login, "token": tokens.tokens_issue(sessions[login])[0]}
        for login in logins
    ]


def earlier_groups_leave(user_ids: list[int]) -> int:
    """Take these users out of the groups earlier runs made for them; answers how many memberships.

    Each run makes new groups. Without this a user would belong to one more group per run, and a
    Hooligram sign-in (which delivers every group of the user, each answered by the client) would
    cost more run after run. The groups and their messages stay, with nobody in them."""
    left, _ = Participant.objects.filter(
        user_id__in=user_ids, conversation__name__regex=rf"^{GROUP_NAME_PREFIX}[0-9]+\.[0-9]+$"
    ).delete()
    return left


def _newest_verifications(country_code: str, numbers: list[str]) -> dict[str, PhoneVerification]:
    newest: dict[str, PhoneVerification] = {}
    rows = PhoneVerification.objects.filter(country_code=country_code, phone_number__in=numbers).order_by(
        "created_at", "id"
    )
    for row in rows:
        newest[row.phone_number] = row
    return newest


def backlog_acknowledge(user_ids: list[int]) -> int:
    """Mark every message waiting for these users as delivered; answers how many there were.

    A Hooligram user gets at sign-in every message not acknowledged yet; deliveries an earlier run
    left unacknowledged (it stopped reading, or lost them) would load the next run's sign-ins, so
    each run starts as a client that has been online all along."""
    acknowledged = DeliveryReceipt.objects.filter(message_id=OuterRef("pk"), user_id=OuterRef("member"))
    pairs = (
        Message.objects.filter(conversation__participants__user_id__in=user_ids, is_system=False)
        .annotate(member=F("conversation__participants__user_id"))
        .exclude(sender_id=F("member"))
        .exclude(Exists(acknowledged))
        .values_list("member", "pk")
    )
    receipts = [DeliveryReceipt(user_id=user_id, message_id=message_id) for user_id, message_id in pairs]
    DeliveryReceipt.objects.bulk_create(receipts, batch_size=2000, ignore_conflicts=True)
    return len(receipts)


def phone_users_provision(
    count: int, *, country_code: str, number_prefix: str, codes_file: Path
) -> list[dict[str, Any]]:
    """`user_id`, `login`, phone and verified Hooligram `code` of `count` phone users.

    Phones without a verified code known to this machine get one through the verification service
    (with the in-memory SMS backend, in this process); codes are kept in `codes_file` for later runs,
    since a phone may ask for only a few codes an hour and a verified code keeps signing in. Each
    code is kept with its verification's id: a phone verified again since (by a run that kept its
    codes elsewhere), or whose code stops signing in within CODE_MARGIN
    (VERIFICATION_SIGN_IN_TTL after it was verified), gets a new code rather than failing to sign in
    with the one kept."""
    numbers = [f"{number_prefix}{n:07d}" for n in range(count)]
    known: dict[str, Any] = json.loads(codes_file.read_text()) if codes_file.exists() else {}
    newest = _newest_verifications(country_code, numbers)

    # A kept code must sign in for the whole run, whatever the run's length.
    needed_until = timezone.now() + CODE_MARGIN

    def known_code_holds(pn: str) -> bool:
        entry, latest = known.get(f"{country_code}.{pn}"), newest.get(pn)
        if not isinstance(entry, list) or latest is None or entry[0] != latest.pk:
            return False
        signs_in_until = verification.verified_code_signs_in_until(latest)
        return signs_in_until is not None and signs_in_until > needed_until

    stale = [pn for pn in numbers if not known_code_holds(pn)]
    new_codes: dict[str, str] = {}
    with override_settings(SMS_BACKEND="accounts.sms.InMemorySmsBackend"):
        for pn in stale:
            verification.verification_request(country_code=country_code, phone_number=pn, address=None)
            code = sms.last_code(country_code, pn)
            assert code is not None, "the in-memory backend keeps every code it sends"
            verification.verification_submit(country_code=country_code, phone_number=pn, code=code, address=None)
            new_codes[pn] = code
    sms.outbox.clear()
    if stale:
        renewed = _newest_verifications(country_code, stale)
        known.update({f"{country_code}.{pn}": [renewed[pn].pk, code] for pn, code in new_codes.items()})
        codes_file.parent.mkdir(parents=True, exist_ok=True)
        codes_file.write_text(json.dumps(known))
    users = {u.phone_number: u for u in User.objects.filter(country_code=country_code, phone_number__in=numbers)}
    backlog_acknowledge([u.pk for u in users.values()])
    return [
        {
            "user_id": users[pn].pk,
            "login": users[pn].username,
            "country_code": country_code,
            "phone_number": pn,
            "code": known[f"{country_code}.{pn}"][1],
        }
        for pn in numbers
    ]


def secret_key() -> str:
    """The signing key the servers must share with this process (tokens are issued here)."""
    return settings.SECRET_KEY
