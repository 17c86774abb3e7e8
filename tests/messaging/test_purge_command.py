"""`manage.py purge`: every retention rule runs, each kind's count is printed, `--dry-run` removes
nothing and prints the same counts; a progress bar shows on a terminal only, nothing at verbosity 0."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from accounts import services
from accounts.models import (
    DeviceSession,
    PasswordResetCode,
    PhoneVerification,
    PushDelivery,
    PushEvent,
    PushSubscription,
)
from accounts.push.services import push_event_create
from messaging.models import OpLogEntry
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

KINDS = [
    "device sessions",
    "phone verification codes",
    "password reset codes",
    "push deliveries",
    "push events",
    "operations log entries",
    "admin sessions",
]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def expired_rows() -> None:
    """One row of every kind that retention removes, and one of each that it keeps."""
    long_ago = timezone.now() - timedelta(days=400)
    user = make_user()
    for device_id in ("gone", "kept"):
        services.device_session_open(user, device_id=device_id)
    DeviceSession.objects.filter(device_id="gone").update(last_seen_at=long_ago)
    for expires_at in (long_ago, timezone.now() + timedelta(hours=1)):
        code = PhoneVerification.objects.create(
            country_code="65", phone_number=f"9100{expires_at.year}", code_hash="x", expires_at=expires_at
        )
    PhoneVerification.objects.exclude(pk=code.pk).update(created_at=long_ago)
    PasswordResetCode.objects.create(user=user, code_hash="x", expires_at=long_ago)
    event = push_event_create(user, recipient_ids=[user.pk], message={"title": "t"})
    PushEvent.objects.filter(pk=event.pk).update(sent_at=long_ago)
    subscription = PushSubscription.objects.create(user=user, platform="ios", device_udid="d", device_token="t")
    sent = PushDelivery.objects.create(event=event, subscription=subscription, sent_at=long_ago)
    PushDelivery.objects.filter(pk=sent.pk).update(created_at=long_ago)
    OpLogEntry.objects.create(user=user, kind="message_created", payload={})
    OpLogEntry.objects.create(user=user, kind="message_created", payload={})
    OpLogEntry.objects.filter(pk=OpLogEntry.objects.earliest("id").pk).update(created_at=long_ago)
    for expire_date in (long_ago, timezone.now() + timedelta(days=1)):
        store = SessionStore()
        store.create()
        Session.objects.filter(session_key=store.session_key).update(expire_date=expire_date)


def purge(*args: str, **options) -> tuple[dict[str, int], str, str]:
    """Run the command: the counts it printed by kind, its whole output and its stderr."""
    out, err = options.pop("stdout", io.StringIO()), options.pop("stderr", io.StringIO())
    call_command("purge", *args, stdout=out, stderr=err, **options)
    counts = {label: int(n) for label, n in re.findall(r"^  ([a-z ]+): (\d+)$", out.getvalue(), re.M)}
    return counts, out.getvalue(), err.getvalue()


def remaining() -> list[int]:
    models = (DeviceSession, PhoneVerification, PasswordResetCode, PushDelivery, PushEvent, OpLogEntry, Session)
    return [model.objects.count() for model in models]


def test_a_dry_run_removes_nothing_and_prints_the_counts_the_run_then_removes():
    expired_rows()
    before = remaining()
    would, output, _ = purge("--dry-run")
    assert output.startswith("Would remove (dry run, nothing removed):")
    assert remaining() == before
    assert list(would) == KINDS
    assert would == {
        "device sessions": 1,
        "phone verification codes": 1,
        "password reset codes": 1,
        "push deliveries": 1,
        "push events": 1,
        "operations log entries": 1,
        "admin sessions": 1,
    }
    removed, output, errors = purge()
    assert output.startswith("Removed:") and errors == ""
    assert removed == would
    assert remaining() == [1, 1, 0, 0, 0, 1, 1]
    again, _, _ = purge()
    assert set(again.values()) == {0}


def test_a_terminal_gets_a_progress_bar_and_verbosity_0_gets_nothing():
    expired_rows()
    _, _, plain = purge("--dry-run")
    assert plain == ""  # not a terminal (cron, a pipe): no bar
    counts, output, errors = purge(verbosity=0, stderr=Terminal())
    assert (counts, output, errors) == ({}, "", "")
    assert set(purge("--dry-run")[0].values()) == {0}  # it did remove, silently
    expired_rows()
    _, _, bar = purge(stderr=Terminal())
    assert "operations log entries" in bar and "rows" in bar
