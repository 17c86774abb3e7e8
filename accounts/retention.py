"""What of accounts' rows retention removes (`manage.py purge`, docs/retention.md): device sessions
no token can sign in with any more, spent phone verification codes, expired password reset codes,
and expired admin sessions. Each rule answers how many rows went (with `dry_run`, would go)."""

from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import DeviceSession, PasswordResetCode, PhoneVerification
from accounts.services import LAST_SEEN_STEP
from config.batch_delete import Progress, rows_delete


def device_session_idle_limit() -> timedelta:
    """How long a device session lasts with no token issued for it: DEVICE_SESSION_IDLE_DAYS, but
    never less than its longest-lived token (and LAST_SEEN_STEP) could still be valid."""
    lifetimes: list[timedelta] = [
        settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"],
        settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"],
    ]
    tokens_live = max(lifetimes) + LAST_SEEN_STEP
    return max(timedelta(days=settings.DEVICE_SESSION_IDLE_DAYS), tokens_live)


def device_sessions_expired(now: datetime) -> "QuerySet[DeviceSession]":
    """Device sessions no token of which is still valid.

    Every token is issued by `accounts.tokens.tokens_issue`, which moves the session's
    `last_seen_at` to the moment of issue (within LAST_SEEN_STEP): signing in with a password,
    renewing with a refresh token (SAMA's `POST /login`), or any other sign-in that hands out a new
    token. Using a token (a WebSocket connect, a REST request) does not move it: such a token was
    issued at or before `last_seen_at`, and lives no longer than its lifetime. So a session whose
    `last_seen_at` is older than `device_session_idle_limit()` has no token left; removing it signs
    out no one who could still come back without signing in again. A connection opened before and
    still open stays open (its tokens have expired; the next sign-in opens a new session)."""
    return DeviceSession.objects.filter(last_seen_at__lt=now - device_session_idle_limit())


def device_sessions_purge(*, dry_run: bool = False, progress: Progress | None = None) -> int:
    """Remove the device sessions no token can sign in with any more (`device_sessions_expired`)."""
    return rows_delete(device_sessions_expired(timezone.now()), dry_run=dry_run, progress=progress)


def phone_verifications_spent(now: datetime) -> "QuerySet[PhoneVerification]":
    """Phone verification codes that can no longer sign anyone in (accounts/verification.py): one
    a newer code of the same phone replaced (only the newest counts), one never verified and
    expired, or a verified one past its VERIFICATION_SIGN_IN_TTL. A code a Hooligram client still
    signs in with after each reconnect (verified, inside that window) is not spent. Codes requested
    within VERIFICATION_RATE_WINDOW are kept whatever their state: that window's rate limit counts them."""
    newer = PhoneVerification.objects.filter(
        Q(created_at__gt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk")),
        country_code=OuterRef("country_code"),
        phone_number=OuterRef("phone_number"),
    )
    sign_in_ended = now - timedelta(seconds=settings.VERIFICATION_SIGN_IN_TTL)
    return PhoneVerification.objects.filter(
        Exists(newer) | Q(verified_at__isnull=True, expires_at__lte=now) | Q(verified_at__lte=sign_in_ended),
        created_at__lt=now - timedelta(seconds=settings.VERIFICATION_RATE_WINDOW),
    )


def phone_verifications_purge(*, dry_run: bool = False, progress: Progress | None = None) -> int:
    """Remove the spent phone verification codes (`phone_verifications_spent`)."""
    return rows_delete(phone_verifications_spent(timezone.now()), dry_run=dry_run, progress=progress)


def password_reset_codes_purge(*, dry_run: bool = False, progress: Progress | None = None) -> int:
    """Remove the password reset codes past their PASSWORD_RESET_CODE_TTL (accounts/password_reset.py
    refuses them; a new code request also clears them)."""
    expired = PasswordResetCode.objects.filter(expires_at__lte=timezone.now())
    return rows_delete(expired, dry_run=dry_run, progress=progress)


def admin_sessions_purge(*, dry_run: bool = False, progress: Progress | None = None) -> int:
    """Remove the expired admin (Django) sessions through the session engine's `clear_expired`, as
    Django's `clearsessions` does; answers how many there were in the database (the engine's
    session model), 0 for an engine that keeps none there."""
    store: Any = import_module(settings.SESSION_ENGINE).SessionStore
    model = store.get_model_class() if hasattr(store, "get_model_class") else None
    count = model.objects.filter(expire_date__lt=timezone.now()).count() if model is not None else 0
    if not dry_run:
        if progress is not None:
            progress.reset(total=count)
        store.clear_expired()
        if progress is not None:
            progress.update(count)
    return count
