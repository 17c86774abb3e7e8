"""Phone verification (Hooligram sign-in): request a code, submit it, sign in with it (whose phone
is whose: `accounts/phone_owners.py`).

Codes are stored as keyed hashes, expire after VERIFICATION_CODE_TTL seconds, allow
VERIFICATION_MAX_ATTEMPTS wrong tries, and code requests per phone number are rate-limited; on top
of that, code requests and wrong codes (and codes given for a phone with none requested) count
against REGISTER_RATE and LOGIN_RATE per client address and per phone, like every protocol's
sign-up and login (accounts/throttling.py). Only the newest code of a phone counts: requesting a
new one retires a previous one not yet verified. Once verified, a code keeps signing in (clients
sign in again with it after every reconnect) for VERIFICATION_SIGN_IN_TTL seconds, also while a
newer code waits to be verified: anyone may request a code for a phone, and that must not sign
its owner out; verifying the newer code retires it. A wrong code at sign-in takes an attempt of
both.

A phone is given as (country code, number) and read by phonenumbers as "+<country code><number>"
(`accounts/phones.py`). A code is texted only to a number phonenumbers holds valid; anything else
is refused as "invalid phone_number" before the SMS backend is called. A new user's phone is stored
as its national significant number, the trunk prefix dropped ("44", "07400900123" is stored as
"44", "7400900123"), so their sid is "44.7400900123" however the client wrote it. Users registered
before keep the digits they registered with, and so their sid; the same number written either way
finds them (by E.164), and their codes stay keyed by the digits they have."""

import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts import throttling
from accounts.models import PhoneVerification, User
from accounts.phone_index import user_phone_index
from accounts.phone_owners import e164_of, phone_owner, phone_owner_and_code
from accounts.phones import TextablePhone, country_code_known, phone_textable
from accounts.sms import SmsError, get_sms_backend
from accounts.snapshots import user_snapshot
from config.errors import Invalid, NotAuthenticated, RateLimited, ServiceError
from events.delivery import publish
from events.kinds import UserCreated

# Matched whole (`fullmatch`: a `$` alone lets a trailing newline through), ASCII digits only.
COUNTRY_CODE_RE = re.compile(r"\+?([0-9]{1,4})")
PHONE_NUMBER_RE = re.compile(r"[0-9]{3,20}")
CODE_MAX_LENGTH = 32
HASH_SALT = "accounts.verification.code"


def phone_validate(country_code: object, phone_number: object) -> tuple[str, str]:
    """The phone as (country code, number), digits only; Invalid otherwise."""
    cc = COUNTRY_CODE_RE.fullmatch(country_code) if isinstance(country_code, str) else None
    if cc is None:
        raise Invalid("invalid country_code", code="invalid_country_code")
    if not isinstance(phone_number, str) or not PHONE_NUMBER_RE.fullmatch(phone_number):
        raise Invalid("invalid phone_number", code="invalid_phone_number")
    return cc.group(1), phone_number


def _phone_to_text(country_code: str, phone_number: str) -> TextablePhone:
    """The (validated) phone a code may be texted to; Invalid if phonenumbers holds it impossible
    or unassigned, so no SMS is paid for it."""
    if not country_code_known(country_code):
        raise Invalid("invalid country_code", code="invalid_country_code")
    phone = phone_textable(country_code, phone_number)
    if phone is None:
        raise Invalid("invalid phone_number", code="invalid_phone_number")
    return phone


def _phone_account(country_code: str, phone_number: str, e164: str) -> str:
    """The phone's key for login and registration limits (`e164` is the phone's, see `_e164`): one
    whichever way it is written."""
    return e164 or f"{country_code}.{phone_number}"


def _code_validate(code: object) -> str:
    if not isinstance(code, str) or not code or len(code) > CODE_MAX_LENGTH:
        raise Invalid("invalid verification_code", code="invalid_code")
    return code


def _hash(country_code: str, phone_number: str, code: str) -> str:
    return salted_hmac(HASH_SALT, f"{country_code}.{phone_number}.{code}", algorithm="sha256").hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(settings.VERIFICATION_CODE_LENGTH))


def _free_login(country_code: str, phone_number: str) -> str:
    """The sid as login, or the sid with a number after it if a login already looks like it (the
    sid alone is looked up by index; only when it is taken are the logins it begins read)."""
    base = f"{country_code}.{phone_number}"
    if not User.objects.filter(username__lower_exact=base).exists():
        return base
    taken = {
        login.lower() for login in User.objects.filter(username__istartswith=base).values_list("username", flat=True)
    }
    n = 2
    while f"{base}.{n}" in taken:
        n += 1
    return f"{base}.{n}"


def phone_user_get_or_create(phone: TextablePhone) -> tuple[User, bool]:
    """The user who owns this phone, created (without a usable password) if new."""
    user = phone_owner(phone.country_code, phone.national_number)
    if user is not None:
        return user, False
    user = User(
        username=_free_login(phone.country_code, phone.national_number),
        country_code=phone.country_code,
        phone_number=phone.national_number,
        phone=phone.e164,
    )
    user_phone_index(user)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Another request registered the phone (or took the login) at the same moment.
        user = phone_owner(phone.country_code, phone.national_number)
        if user is None:
            raise
        return user, False
    publish(UserCreated(recipients=(), actor_id=user.pk, user=user_snapshot(user)))
    return user, True


@transaction.atomic
def _verification_open(phone: TextablePhone, code: str | None) -> tuple[User, PhoneVerification]:
    """Register the phone and store a new code for it, keyed by the owner's digits; locks the user
    row, so the rate limit holds."""
    user, _ = phone_user_get_or_create(phone)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise NotAuthenticated("user is deactivated", code="user_inactive")
    country_code, phone_number = user.country_code, user.phone_number
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

    A phone phonenumbers does not hold valid is refused first, and counts against nothing.
    The SMS backend is called after the transaction commits, so no row stays locked meanwhile."""
    phone = _phone_to_text(*phone_validate(country_code, phone_number))
    with throttling.attempt(throttling.REGISTER, address=address, account=phone.e164):
        return _verification_send(phone)


def _verification_send(phone: TextablePhone) -> User:
    backend = get_sms_backend()
    code = None if backend.checks_codes else _new_code()
    user, verification = _verification_open(phone, code)
    try:
        backend.send_code(user.country_code, user.phone_number, code)
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
    the limit. A right code already verified (a sign-in on reconnect) writes nothing: it is judged
    on the attempts as read, so a wrong guess committed meanwhile does not refuse it."""
    accepted = _code_accepted(verification, code)
    if accepted and verification.verified_at is not None:
        # Signing in again with a verified code (every reconnect): nothing changes, so nothing
        # is written; the attempts read a moment ago still decide.
        if verification.attempts >= settings.VERIFICATION_MAX_ATTEMPTS:
            raise RateLimited("too many attempts, request a new code", code="too_many_attempts")
        return
    changes: dict[str, Any] = {"attempts": F("attempts") + (0 if accepted else 1)}
    if accepted and verification.verified_at is None:
        changes["verified_at"] = now
    _within_attempts(verification, **changes)
    if not accepted:
        raise Invalid("incorrect verification code", code="wrong_code")


def _verification_check(verification: PhoneVerification | None, code: str) -> None:
    """Check a code against the phone's newest verification (None: none requested) and mark it
    verified; a wrong code uses up one of its attempts."""
    if verification is None:
        raise Invalid("verification code not requested", code="code_not_requested")
    now = timezone.now()
    if verification.verified_at is None and verification.expires_at <= now:
        raise Invalid("verification code expired", code="code_expired")
    signs_in_until = verified_code_signs_in_until(verification)
    if signs_in_until is not None and signs_in_until <= now:
        raise Invalid("verification code expired", code="code_expired")
    if verification.code_hash:
        _stored_code_check(verification, code, now)
    else:
        _provider_code_check(verification, code, now)


def _sign_in_check(newest: PhoneVerification | None, code: str) -> None:
    """Sign-in's check of a code: the newest verification's, or, while that one waits to be
    verified, the newest verified code still signing in (read only then). A wrong code takes an
    attempt of both, so the verified code's guesses stay bounded."""
    verified = _verified_before(newest) if newest is not None and newest.verified_at is None else None
    if verified is not None and _signs_in(verified, code):
        return
    try:
        _verification_check(newest, code)
    except ServiceError:  # wrong, expired, or the newer code's attempts used up
        if verified is not None:
            PhoneVerification.objects.filter(pk=verified.pk).update(attempts=F("attempts") + 1)
        raise


def _verified_before(newest: PhoneVerification) -> PhoneVerification | None:
    """The newest verified code of the phone older than `newest` (None if none)."""
    return (
        PhoneVerification.objects.filter(
            country_code=newest.country_code,
            phone_number=newest.phone_number,
            verified_at__isnull=False,
            created_at__lte=newest.created_at,
        )
        .exclude(pk=newest.pk)
        .order_by("-created_at", "-id")
        .first()
    )


def _signs_in(verified: PhoneVerification, code: str) -> bool:
    """Whether this verified code is `code`, within its attempts and its sign-in time."""
    until = verified_code_signs_in_until(verified)
    return (
        until is not None
        and until > timezone.now()
        and verified.attempts < settings.VERIFICATION_MAX_ATTEMPTS
        and bool(verified.code_hash)
        and _code_accepted(verified, code)
    )


def verified_code_signs_in_until(verification: PhoneVerification) -> datetime | None:
    """When a verified code stops signing in (VERIFICATION_SIGN_IN_TTL after it was verified);
    None while it is not verified."""
    if verification.verified_at is None:
        return None
    return verification.verified_at + timedelta(seconds=settings.VERIFICATION_SIGN_IN_TTL)


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
    e164 = e164_of(cc, pn)
    with throttling.attempt(throttling.LOGIN, address=address, account=_phone_account(cc, pn, e164)):
        found = phone_owner_and_code(cc, pn, e164)
        if found is None:
            raise Invalid("verification code not requested", code="code_not_requested")
        _verification_check(found[1], code)


def phone_sign_in(*, country_code: object, phone_number: object, code: object, address: str | None) -> User:
    """The user of a phone whose code (submitted before, or now) is right; the error otherwise.
    Failures are throttled like `verification_submit`'s."""
    cc, pn, code, e164 = _sign_in_input(country_code, phone_number, code)
    with throttling.attempt(throttling.LOGIN, address=address, account=_phone_account(cc, pn, e164)):
        user = _phone_code_signs_in(cc, pn, e164, code)
    return _active(user)


async def phone_sign_in_on_loop(
    *,
    country_code: object,
    phone_number: object,
    code: object,
    address: str | None,
    run: Callable[..., Awaitable[Any]],
) -> User:
    """`phone_sign_in` for a caller on an event loop: the attempt counted on the loop
    (`throttling.attempting`), the code checked in one unit of database work given to `run`
    (which runs a function off the loop: `realtime.adapter.call`)."""
    cc, pn, code, e164 = _sign_in_input(country_code, phone_number, code)
    async with throttling.attempting(throttling.LOGIN, address=address, account=_phone_account(cc, pn, e164)):
        user = await run(_phone_code_signs_in, cc, pn, e164, code)
    return _active(user)


def _sign_in_input(country_code: object, phone_number: object, code: object) -> tuple[str, str, str, str]:
    """A sign-in's phone (country code, number), code and the phone in E.164; Invalid otherwise."""
    cc, pn = phone_validate(country_code, phone_number)
    return cc, pn, _code_validate(code), e164_of(cc, pn)


def _phone_code_signs_in(country_code: str, phone_number: str, e164: str, code: str) -> User:
    """The phone's owner, if `code` signs in (`_sign_in_check`); the error otherwise."""
    found = phone_owner_and_code(country_code, phone_number, e164)
    if found is None:
        raise Invalid("verification code not requested", code="code_not_requested")
    user, newest = found
    _sign_in_check(newest, code)
    return user


def _active(user: User) -> User:
    if not user.is_active:
        raise NotAuthenticated("user is deactivated", code="user_inactive")
    return user
