"""Phone verification (Hooligram sign-in): request a code, submit it, sign in with it; and finding
users by their Hooligram `sid`.

Codes are stored as keyed hashes, expire after VERIFICATION_CODE_TTL seconds, allow
VERIFICATION_MAX_ATTEMPTS wrong tries, and code requests per phone number are rate-limited; on top
of that, code requests and wrong codes count against REGISTER_RATE and LOGIN_RATE per client
address and per phone, like every protocol's sign-up and login (accounts/throttling.py). Only
the newest code of a phone counts: requesting a new one retires the previous one. Once verified,
a code keeps signing in (clients sign in again with it after every reconnect) for
VERIFICATION_SIGN_IN_TTL seconds."""

import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts import throttling
from accounts.models import PhoneVerification, User
from accounts.phone_index import user_phone_index
from accounts.sms import SmsError, get_sms_backend
from accounts.snapshots import user_snapshot
from config.errors import Invalid, NotAuthenticated, RateLimited, ServiceError
from events.delivery import publish
from events.kinds import UserCreated

COUNTRY_CODE_RE = re.compile(r"^\+?(\d{1,4})$")
PHONE_NUMBER_RE = re.compile(r"^\d{3,20}$")
SID_RE = re.compile(r"^(\d{1,4})\.(\d{3,20})$")
CODE_MAX_LENGTH = 32
HASH_SALT = "accounts.verification.code"


def phone_validate(country_code: object, phone_number: object) -> tuple[str, str]:
    """The phone as (country code, number), digits only; Invalid otherwise."""
    cc = COUNTRY_CODE_RE.match(country_code) if isinstance(country_code, str) else None
    if cc is None:
        raise Invalid("invalid country_code", code="invalid_country_code")
    if not isinstance(phone_number, str) or not PHONE_NUMBER_RE.match(phone_number):
        raise Invalid("invalid phone_number", code="invalid_phone_number")
    return cc.group(1), phone_number


def _code_validate(code: object) -> str:
    if not isinstance(code, str) or not code or len(code) > CODE_MAX_LENGTH:
        raise Invalid("invalid verification_code", code="invalid_code")
    return code


def _hash(country_code: str, phone_number: str, code: str) -> str:
    return salted_hmac(HASH_SALT, f"{country_code}.{phone_number}.{code}", algorithm="sha256").hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(settings.VERIFICATION_CODE_LENGTH))


def _free_login(country_code: str, phone_number: str) -> str:
    """The sid as login, or the sid with a number after it if a login already looks like it."""
    base = f"{country_code}.{phone_number}"
    taken = {
        login.lower() for login in User.objects.filter(username__istartswith=base).values_list("username", flat=True)
    }
    if base not in taken:
        return base
    n = 2
    while f"{base}.{n}" in taken:
        n += 1
    return f"{base}.{n}"


def phone_user_get_or_create(country_code: str, phone_number: str) -> tuple[User, bool]:
    """The user who owns this (validated) phone, created (without a usable password) if new."""
    user = User.objects.filter(country_code=country_code, phone_number=phone_number).first()
    if user is not None:
        return user, False
    user = User(
        username=_free_login(country_code, phone_number),
        country_code=country_code,
        phone_number=phone_number,
        phone=f"+{country_code}{phone_number}",
    )
    user_phone_index(user)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Another request registered the phone (or took the login) at the same moment.
        user = User.objects.filter(country_code=country_code, phone_number=phone_number).first()
        if user is None:
            raise
        return user, False
    publish(UserCreated(recipients=(), actor_id=user.pk, user=user_snapshot(user)))
    return user, True


@transaction.atomic
def _verification_open(country_code: str, phone_number: str, code: str | None) -> tuple[User, PhoneVerification]:
    """Register the phone and store a new code for it; locks the user row, so the rate limit holds."""
    user, _ = phone_user_get_or_create(country_code, phone_number)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise NotAuthenticated("user is deactivated", code="user_inactive")
    now = timezone.now()
    recent = PhoneVerification.objects.filter(
        country_code=country_code,
        phone_number=phone_number,
        created_at__gt=now - timedelta(seconds=settings.VERIFICATION_RATE_WINDOW),
    ).count()
    if recent >= settings.VERIFICATION_RATE_LIMIT:
        raise RateLimited("too many verification code requests", code="too_many_requests")
    verification = PhoneVerification.objects.create(
        country_code=country_code,
        phone_number=phone_number,
        code_hash=_hash(country_code, phone_number, code) if code is not None else "",
        expires_at=now + timedelta(seconds=settings.VERIFICATION_CODE_TTL),
    )
    return user, verification


def verification_request(*, country_code: object, phone_number: object, address: str | None) -> User:
    """Register the phone (creating its user if new) and send it a new one-time code. Requests
    from the client's `address` and for the phone count against REGISTER_RATE (None: a trusted
    caller, not counted).

    The SMS backend is called after the transaction commits, so no row stays locked meanwhile."""
    cc, pn = phone_validate(country_code, phone_number)
    with throttling.attempt(throttling.REGISTER, address=address, account=f"{cc}.{pn}"):
        return _verification_send(cc, pn)


def _verification_send(cc: str, pn: str) -> User:
    backend = get_sms_backend()
    code = None if backend.checks_codes else _new_code()
    user, verification = _verification_open(cc, pn, code)
    try:
        backend.send_code(cc, pn, code)
    except SmsError as error:
        PhoneVerification.objects.filter(pk=verification.pk).delete()
        raise ServiceError("could not send verification code", code="sms_failed") from error
    return user


def _code_accepted(verification: PhoneVerification, code: str) -> bool:
    if verification.code_hash:
        expected = _hash(verification.country_code, verification.phone_number, code)
        return constant_time_compare(expected, verification.code_hash)
    backend = get_sms_backend()
    if not backend.checks_codes:
        return False
    try:
        return backend.check_code(verification.country_code, verification.phone_number, code)
    except SmsError as error:
        raise ServiceError("could not check verification code", code="sms_failed") from error


def _within_attempts(verification: PhoneVerification, **changes: Any) -> None:
    """Apply `changes` to the verification if its attempts are not used up (the database judges,
    so concurrent callers cannot exceed the limit); RateLimited if they are."""
    updated = PhoneVerification.objects.filter(
        pk=verification.pk, attempts__lt=settings.VERIFICATION_MAX_ATTEMPTS
    ).update(**changes)
    if not updated:
        raise RateLimited("too many attempts, request a new code", code="too_many_attempts")


def _stored_code_check(verification: PhoneVerification, code: str, now: datetime) -> None:
    """Check a code against its stored hash, in one conditional statement (one commit): a wrong
    code takes an attempt, a right one only marks the phone verified, and either is refused once
    the attempts are used up. The condition is the database's, so concurrent guesses cannot exceed
    the limit (a right code among them included)."""
    accepted = _code_accepted(verification, code)
    changes: dict[str, Any] = {"attempts": F("attempts") + (0 if accepted else 1)}
    if accepted and verification.verified_at is None:
        changes["verified_at"] = now
    _within_attempts(verification, **changes)
    if not accepted:
        raise Invalid("incorrect verification code", code="wrong_code")


def _verification_check(country_code: str, phone_number: str, code: str) -> PhoneVerification:
    """Check a code against the phone's newest verification and mark it verified; a wrong code
    uses up one of its attempts."""
    verification = (
        PhoneVerification.objects.filter(country_code=country_code, phone_number=phone_number)
        .order_by("-created_at", "-id")
        .first()
    )
    if verification is None:
        raise Invalid("verification code not requested", code="code_not_requested")
    now = timezone.now()
    if verification.verified_at is None and verification.expires_at <= now:
        raise Invalid("verification code expired", code="code_expired")
    if (
        verification.verified_at is not None
        and verification.verified_at + timedelta(seconds=settings.VERIFICATION_SIGN_IN_TTL) <= now
    ):
        raise Invalid("verification code expired", code="code_expired")
    if verification.code_hash:
        _stored_code_check(verification, code, now)
    else:
        _provider_code_check(verification, code, now)
    return verification


def _provider_code_check(verification: PhoneVerification, code: str, now: datetime) -> None:
    """Check a code with the SMS provider: the attempt is taken before the remote check, without
    holding a lock, so concurrent guesses cannot exceed the limit, and given back if the code is
    right (or the provider failed). A right code's hash is kept: later sign-ins need no provider."""
    _within_attempts(verification, attempts=F("attempts") + 1)
    attempt = PhoneVerification.objects.filter(pk=verification.pk)
    try:
        accepted = _code_accepted(verification, code)
    except ServiceError:
        attempt.update(attempts=F("attempts") - 1)  # the provider failed, not the client
        raise
    if not accepted:
        raise Invalid("incorrect verification code", code="wrong_code")
    changes: dict[str, Any] = {
        "attempts": F("attempts") - 1,
        "code_hash": _hash(verification.country_code, verification.phone_number, code),
    }
    if verification.verified_at is None:
        changes["verified_at"] = now
    attempt.update(**changes)


def verification_submit(*, country_code: object, phone_number: object, code: object, address: str | None) -> None:
    """Check the code sent to the phone; a right code verifies the phone. Wrong codes from the
    client's `address` and for the phone count against LOGIN_RATE, on top of the code's own
    attempts (None: a trusted caller, not counted)."""
    cc, pn = phone_validate(country_code, phone_number)
    code = _code_validate(code)
    with throttling.attempt(throttling.LOGIN, address=address, account=f"{cc}.{pn}"):
        _verification_check(cc, pn, code)


def phone_sign_in(*, country_code: object, phone_number: object, code: object, address: str | None) -> User:
    """The user of a phone whose code (submitted before, or now) is right; the error otherwise.
    Failures are throttled like `verification_submit`'s."""
    cc, pn = phone_validate(country_code, phone_number)
    code = _code_validate(code)
    user = User.objects.filter(country_code=cc, phone_number=pn).first()
    if user is None:
        raise Invalid("verification code not requested", code="code_not_requested")
    with throttling.attempt(throttling.LOGIN, address=address, account=f"{cc}.{pn}"):
        _verification_check(cc, pn, code)
    if not user.is_active:
        raise NotAuthenticated("user is deactivated", code="user_inactive")
    return user


def users_by_sids(sids: Iterable[str]) -> dict[str, User]:
    """Active users by sid ("<country_code>.<phone_number>", or the login of a user without a
    phone), in one query; unknown sids are left out. A phone match wins over a login."""
    wanted = {sid for sid in sids if isinstance(sid, str) and sid}
    if not wanted:
        return {}
    condition = Q()
    for sid in wanted:
        match = SID_RE.match(sid)
        if match:
            condition |= Q(country_code=match.group(1), phone_number=match.group(2))
        condition |= Q(username__iexact=sid, phone_number="")
    users = User.objects.filter(condition, is_active=True)
    # Phone owners are indexed last, so their sid wins over a login that looks the same.
    index = {user.sid.lower(): user for user in sorted(users, key=lambda u: bool(u.phone_number))}
    return {sid: index[sid.lower()] for sid in wanted if sid.lower() in index}
