"""Retention of one-time codes and admin sessions: spent phone verification codes, expired password
reset codes and expired admin sessions go; a code that still signs in (or resets) stays and works."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts import password_reset, retention, verification
from accounts.models import PasswordResetCode, PhoneVerification
from config.errors import RateLimited
from tests.helpers import make_user
from tests.realtime.hooligram.client import phone_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _codes(settings):
    settings.SMS_BACKEND = "accounts.sms.InMemorySmsBackend"
    settings.VERIFICATION_CODE_TTL = 600
    settings.VERIFICATION_RATE_WINDOW = 3600
    settings.VERIFICATION_SIGN_IN_TTL = 30 * 86400


def request_code(phone: str, *, days_ago: float, verified_days_ago: float | None = None) -> tuple[int, str]:
    """A code requested for the phone `days_ago` (and signed in with `verified_days_ago`): its id and the code."""
    _, code = phone_user("65", phone)
    verification.phone_sign_in(country_code="65", phone_number=phone, code=code, address=None)
    row = PhoneVerification.objects.filter(phone_number=phone).latest("id")
    now = timezone.now()
    requested = now - timedelta(days=days_ago)
    PhoneVerification.objects.filter(pk=row.pk).update(
        created_at=requested,
        expires_at=requested + timedelta(seconds=600),
        verified_at=None if verified_days_ago is None else now - timedelta(days=verified_days_ago),
    )
    return row.pk, code


def sign_in(phone: str, code: str) -> None:
    verification.phone_sign_in(country_code="65", phone_number=phone, code=code, address=None)


def test_spent_phone_codes_go_and_a_code_inside_its_sign_in_window_stays_and_signs_in():
    in_window, in_window_code = request_code("91000001", days_ago=10, verified_days_ago=10)
    past_window, _ = request_code("91000002", days_ago=31, verified_days_ago=31)
    never_used, _ = request_code("91000003", days_ago=0.1)  # expired two hours ago, unverified
    replaced, _ = request_code("91000004", days_ago=5, verified_days_ago=5)
    newest, newest_code = request_code("91000004", days_ago=3, verified_days_ago=3)
    just_sent, _ = request_code("91000005", days_ago=0.02)  # expired, but inside the rate limit's window

    assert retention.phone_verifications_purge(dry_run=True) == 3
    assert PhoneVerification.objects.count() == 6
    assert retention.phone_verifications_purge() == 3
    assert set(PhoneVerification.objects.values_list("pk", flat=True)) == {in_window, newest, just_sent}
    assert {past_window, never_used, replaced}.isdisjoint(PhoneVerification.objects.values_list("pk", flat=True))
    sign_in("91000001", in_window_code)  # a Hooligram client reconnecting still signs in
    sign_in("91000004", newest_code)


def test_a_code_requested_within_the_rate_window_still_counts_against_the_rate_limit(settings):
    settings.VERIFICATION_RATE_LIMIT = 2
    for _ in range(2):
        request_code("91000006", days_ago=0.02)  # both expired, one replaced: spent, but recent
    assert retention.phone_verifications_purge() == 0
    with pytest.raises(RateLimited, match="too many verification code requests"):
        phone_user("65", "91000006")


def test_expired_password_reset_codes_go_and_a_live_one_stays_and_resets(settings, mailoutbox):
    expired_user = make_user(email="old@example.com")
    live_user = make_user(email="live@example.com")
    for email in ("old@example.com", "live@example.com"):
        password_reset.password_reset_code_send(email=email, address=None)
    password_reset.mails_wait(10)
    PasswordResetCode.objects.filter(user=expired_user).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert retention.password_reset_codes_purge(dry_run=True) == 1
    assert retention.password_reset_codes_purge() == 1
    assert list(PasswordResetCode.objects.values_list("user_id", flat=True)) == [live_user.pk]
    code = mailoutbox[-1].body.split(" is ")[1][:6]
    reset = password_reset.password_reset_with_code
    assert reset(email="live@example.com", token=code, new_password="new-pass-1", address=None) == live_user


def test_expired_admin_sessions_go_through_the_session_engine():
    live, expired = SessionStore(), SessionStore()
    live["who"], expired["who"] = "admin", "earlier admin"
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(days=1))
    assert retention.admin_sessions_purge(dry_run=True) == 1
    assert Session.objects.count() == 2
    assert retention.admin_sessions_purge() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert SessionStore(session_key=live.session_key)["who"] == "admin"
