"""Password reset by a one-time code mailed to the account's e-mail (SAMA's `user_send_otp` and
`user_reset_password`; any protocol may offer it).

A code is six digits, never starting with 0 (SAMA's clients send it as a JSON number), kept as a
keyed hash, and works once, for PASSWORD_RESET_CODE_TTL seconds: a user has at most one, and a
new one replaces it. Each wrong try takes one of the code's PASSWORD_RESET_MAX_ATTEMPTS; the last
one spends it. Code requests count against PASSWORD_RESET_RATE and wrong codes against
LOGIN_RATE, per client address and per e-mail (accounts/throttling.py), on top of the code's own
attempts. Which e-mails have an account is never told: a request for an unknown one is answered
as one for a known one, and a code for it is as wrong as a wrong code."""

import logging
import re
import secrets
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts import throttling
from accounts.models import PasswordResetCode, User
from accounts.services import EMAIL_MAX, password_validate, user_sessions_end
from config.errors import Forbidden, Invalid

logger = logging.getLogger(__name__)

HASH_SALT = "accounts.password_reset.code"
TOKEN_RE = re.compile(r"[0-9]{1,32}")  # matched whole
WRONG_CODE = "Incorrect token for password recovery."
# Accounts one e-mail may reset (sign-up does not check that an e-mail is its user's own).
ACCOUNTS_PER_EMAIL_MAX = 10

# Codes are mailed from threads of their own: the answer does not wait for the mail server, so its
# timing does not tell a known e-mail from an unknown one, and no database thread waits on SMTP.
_mailer = ThreadPoolExecutor(max_workers=2, thread_name_prefix="password-reset-mail")
_mailing: set[Future[None]] = set()


def _email_clean(email: object) -> str:
    if not isinstance(email, str) or not email or len(email) > EMAIL_MAX:
        raise Invalid(f"email must be a string of at most {EMAIL_MAX} characters", code="invalid_email")
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise Invalid("email is not valid", code="invalid_email") from error
    return email.lower()


def _token_clean(token: object) -> str | None:
    """The code as its digits (a JSON number or a string of digits); None for anything else."""
    if isinstance(token, int) and not isinstance(token, bool) and token >= 0:
        token = str(token)
    return token if isinstance(token, str) and TOKEN_RE.fullmatch(token) else None


def _hash(user_id: int, code: str) -> str:
    return salted_hmac(HASH_SALT, f"{user_id}.{code}", algorithm="sha256").hexdigest()


def _new_code() -> str:
    return str(100_000 + secrets.randbelow(900_000))


def _users_of(email: str) -> list[User]:
    users = User.objects.filter(email__lower_exact=email, is_active=True).order_by("pk")
    return list(users[:ACCOUNTS_PER_EMAIL_MAX])


def password_reset_code_send(*, email: object, address: str | None) -> None:
    """Mail a new one-time code to every active account with this e-mail (case-insensitive), if
    any; nothing tells the caller whether there was one. Requests from the client's `address` and
    for the e-mail count against PASSWORD_RESET_RATE, whatever their outcome (None: a trusted
    caller, not counted).

    The mails leave after the codes are committed, in the background (`mails_wait`); one that
    fails is logged, not answered, since only a known e-mail gets one."""
    email = _email_clean(email)
    with throttling.attempt(throttling.PASSWORD_RESET, address=address, account=email):
        codes = _codes_issue(email)
    for user, code in codes:
        future = _mailer.submit(_mail, user.pk, user.username, user.email, code)
        _mailing.add(future)
        future.add_done_callback(_mailing.discard)


def mails_wait(timeout: float | None = None) -> None:
    """Wait until the codes handed to the mailer so far have been mailed (or failed)."""
    wait(list(_mailing), timeout)


@transaction.atomic
def _codes_issue(email: str) -> list[tuple[User, str]]:
    """A new code for each account of the e-mail, replacing its previous one; expired codes of
    every user are cleared on the way."""
    now = timezone.now()
    PasswordResetCode.objects.filter(expires_at__lte=now).delete()
    issued = []
    for user in _users_of(email):
        code = _new_code()
        PasswordResetCode.objects.update_or_create(
            user=user,
            defaults={
                "code_hash": _hash(user.pk, code),
                "attempts": 0,
                "created_at": now,
                "expires_at": now + timedelta(seconds=settings.PASSWORD_RESET_CODE_TTL),
            },
        )
        issued.append((user, code))
    return issued


def _mail(user_id: int, login: str, address: str, code: str) -> None:
    minutes = max(1, settings.PASSWORD_RESET_CODE_TTL // 60)
    body = (
        f"Your one-time password to reset the password of the account {login} is {code}.\n"
        f"It works once, for {minutes} minutes. If you did not ask for it, ignore this message."
    )
    try:
        send_mail("Your one-time password (OTP) for password reset", body, None, [address])
    except Exception:  # SMTP errors, an unreachable server, a broken backend: nobody to answer
        logger.exception("password reset: the code for user %s could not be mailed", user_id)


def password_reset_with_code(*, email: object, token: object, new_password: object, address: str | None) -> User:
    """Set a new password on the account of this e-mail whose code `token` is, spending the code
    and ending the account's device sessions and connections everywhere; the user.

    Forbidden if no live code of the e-mail's accounts is `token` (an unknown e-mail included);
    the wrong try is counted on each of them. Invalid, leaving the code unspent, if the
    validators refuse the password. Wrong codes from the client's `address` and for the e-mail
    count against LOGIN_RATE like failed logins (None: a trusted caller, not counted)."""
    email = _email_clean(email)
    with throttling.attempt(throttling.LOGIN, address=address, account=email):
        user = _reset(email, _token_clean(token), new_password)
        if user is None:
            raise Forbidden(WRONG_CODE, code="wrong_code")
        return user


@transaction.atomic
def _reset(email: str, token: str | None, new_password: object) -> User | None:
    """The user whose password the code reset, or None for a wrong code (its try is committed).
    Locks the e-mail's live codes, so concurrent tries cannot pass a code's attempts or use it
    twice."""
    codes = list(
        PasswordResetCode.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(user__email__lower_exact=email, user__is_active=True, expires_at__gt=timezone.now())
        .order_by("pk")
    )
    match = next(
        (c for c in codes if token is not None and constant_time_compare(_hash(c.user_id, token), c.code_hash)),
        None,
    )
    if match is None:
        spent = [c.pk for c in codes if c.attempts + 1 >= settings.PASSWORD_RESET_MAX_ATTEMPTS]
        PasswordResetCode.objects.filter(pk__in=spent).delete()
        tried = [c.pk for c in codes if c.pk not in spent]
        PasswordResetCode.objects.filter(pk__in=tried).update(attempts=F("attempts") + 1)
        return None
    user = match.user
    user.set_password(password_validate(new_password, user))
    user.save(update_fields=["password", "updated_at"])
    PasswordResetCode.objects.filter(pk=match.pk).delete()
    user_sessions_end(user)
    return user
