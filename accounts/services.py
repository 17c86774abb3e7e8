"""Writes on users and device sessions; the only way to change them."""

import re
from datetime import timedelta
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import throttling
from accounts.models import DeviceSession, User
from accounts.phone_index import user_phone_index
from accounts.snapshots import user_snapshot
from config.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from config.json_input import UNSTORABLE
from events.delivery import publish
from events.kinds import SessionsEnded, UserCreated, UserDeleted

# Matched whole (`fullmatch`: a `$` alone lets a trailing newline through).
LOGIN_RE = re.compile(r"[\w.@+\-]{1,150}")
DEVICE_ID_MAX = 255


def _validate_login(login: object) -> str:
    if not isinstance(login, str) or not LOGIN_RE.fullmatch(login):
        raise Invalid("login must be 1-150 letters, digits or . @ + - _", code="invalid_login")
    return login


def password_validate(password: object, user: User | None = None) -> str:
    """The password if Django's validators (AUTH_PASSWORD_VALIDATORS) accept it; Invalid otherwise."""
    if not isinstance(password, str) or not password:
        raise Invalid("password is required", code="invalid_password")
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise Invalid(" ".join(error.messages), code="invalid_password") from error
    return password


EMAIL_MAX = 254


def _validate_profile(fields: dict[str, Any], *, email_format: bool = True) -> dict[str, Any]:
    """The profile fields given, cleaned; without `email_format` an e-mail is any short string."""
    clean = {}
    for name, limit in (("first_name", 150), ("last_name", 150), ("phone", 32), ("about", 2000)):
        value = fields.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > limit:
            raise Invalid(f"{name} must be a string of at most {limit} characters", field=name)
        clean[name] = value.strip()
    email = fields.get("email")
    if email is not None:
        if not isinstance(email, str) or len(email) > EMAIL_MAX:
            raise Invalid(f"email must be a string of at most {EMAIL_MAX} characters", field="email")
        if email and email_format:
            try:
                validate_email(email)
            except ValidationError as error:
                raise Invalid("email is not valid", code="invalid_email") from error
        clean["email"] = email
    return clean


@transaction.atomic
def user_create(*, login: object, password: object, address: str | None, **profile: object) -> User:
    """Register a user; logins are unique whatever their case. `address` is the registering
    client's, throttled against REGISTER_RATE; None for a trusted caller (tests, provisioning)."""
    with throttling.attempt(throttling.REGISTER, address=address, account=login if isinstance(login, str) else None):
        return _user_create(login, password, profile)


def _user_create(login: object, password: object, profile: dict[str, Any]) -> User:
    login = _validate_login(login)
    password = password_validate(password)
    # Sign-up keeps the e-mail as given (SAMA's web app sends the login there); a change checks it.
    clean = _validate_profile(profile, email_format=False)
    if User.objects.filter(username__lower_exact=login).exists():
        raise Invalid("User already exists", code="user_exists")
    user = User(username=login, **clean)
    user_phone_index(user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise Invalid("User already exists", code="user_exists") from error
    publish(UserCreated(recipients=(), actor_id=user.pk, user=user_snapshot(user)))
    return user


def user_authenticate(*, login: object, password: object, address: str | None) -> User:
    """The active user with this login and password, or NotAuthenticated; failures from the
    client's `address` and on the login are throttled against LOGIN_RATE."""
    with throttling.attempt(throttling.LOGIN, address=address, account=login if isinstance(login, str) else None):
        return _user_authenticate(login, password)


def _user_authenticate(login: object, password: object) -> User:
    if not isinstance(login, str) or not isinstance(password, str) or not login or not password:
        raise NotAuthenticated("Incorrect login or password")
    max_length = User._meta.get_field("username").max_length
    if (max_length is not None and len(login) > max_length) or UNSTORABLE.search(login):
        # No account has such a login (an HTTP Basic header reaches here unchecked): no lookup.
        raise NotAuthenticated("Incorrect login or password")
    user = User.objects.filter(username__lower_exact=login, is_active=True).first()
    if user is None or not user.check_password(password):
        raise NotAuthenticated("Incorrect login or password")
    return user


def _validate_device_id(device_id: object) -> str:
    if isinstance(device_id, int) and not isinstance(device_id, bool):
        device_id = str(device_id)
    if not isinstance(device_id, str) or not device_id or len(device_id) > DEVICE_ID_MAX:
        raise Invalid("device_id is required (a string of at most 255 characters)", code="invalid_device_id")
    return device_id


@transaction.atomic
def device_session_open(user: User, *, device_id: object, info: dict[str, Any] | None = None) -> DeviceSession:
    """Start (or resume) the session of one of a user's devices."""
    device_id = _validate_device_id(device_id)
    session, created = DeviceSession.objects.get_or_create(
        user=user, device_id=device_id, defaults={"info": info or {}}
    )
    if not created:
        session.info = info or session.info
        session.save(update_fields=["info", "last_seen_at"])
    return session


# How far a session's `last_seen_at` may lag the newest token issued for it: a session signed in to
# again within this is not written again (accounts/tokens.py: tokens_issue).
LAST_SEEN_STEP = timedelta(minutes=1)


def device_session_seen(session: DeviceSession) -> None:
    """Record that the session was signed in to now (a token was issued for it), unless it was
    within LAST_SEEN_STEP: its `last_seen_at` bounds how long any of its tokens stays valid, which
    is what the retention rule (accounts/retention.py) relies on."""
    now = timezone.now()
    if session.last_seen_at is not None and session.last_seen_at > now - LAST_SEEN_STEP:
        return
    DeviceSession.objects.filter(pk=session.pk).update(last_seen_at=now)
    session.last_seen_at = now


@transaction.atomic
def device_session_close(session: DeviceSession) -> None:
    """End a device session: its tokens stop working and the connections bound to it close."""
    DeviceSession.objects.filter(pk=session.pk).delete()
    publish(SessionsEnded(recipients=(session.user_id,), user_id=session.user_id, session_ids=(session.pk,)))


@transaction.atomic
def user_update(
    user: User,
    *,
    current_password: object = None,
    new_password: object = None,
    login: object = None,
    address: str | None = None,
    **profile: object,
) -> User:
    """Change a user's own profile; a new password needs the current one, and a wrong one counts
    against LOGIN_RATE for the client's `address` and the account, like a failed login."""
    fields = _validate_profile(profile)
    if login is not None and login != user.username:
        login = _validate_login(login)
        if User.objects.filter(username__lower_exact=login).exclude(pk=user.pk).exists():
            raise Invalid("User already exists", code="user_exists")
        fields["username"] = login
    if new_password is not None:
        with throttling.attempt(throttling.LOGIN, address=address, account=user.username):
            if not isinstance(current_password, str) or not user.check_password(current_password):
                raise Forbidden("Incorrect current password", code="wrong_password")
        user.set_password(password_validate(new_password, user))
    for name, value in fields.items():
        setattr(user, name, value)
    user_phone_index(user)
    user.save()
    return user


@transaction.atomic
def user_delete(user: User) -> None:
    """Delete a user's account and everything only they own; before it goes, it leaves every
    conversation (chats/apps.py)."""
    user_id = user.pk
    user.delete()
    publish(UserDeleted(recipients=(), actor_id=user_id, user_id=user_id))
    publish(SessionsEnded(recipients=(user_id,), user_id=user_id, everywhere=True))


@transaction.atomic
def user_delete_as(actor: User, *, user_id: int) -> None:
    """Delete the account with this id: a user deletes only themselves, staff delete anyone."""
    if user_id != actor.pk and not actor.is_staff:
        raise Forbidden("Only staff delete other users", code="not_self")
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise NotFound("User not found", code="user_not_found")
    user_delete(user)


def users_touch_activity(user_ids: list[int]) -> None:
    """Record that the users were active now (their last connection closed, or the process that
    held their connections died), in one UPDATE."""
    User.objects.filter(pk__in=user_ids).update(last_activity_at=timezone.now())


@transaction.atomic
def user_sessions_end(user: User) -> int:
    """Log the user out everywhere: end every device session and close every connection (also
    those signed in without a session); the account stays active. Answers the sessions ended."""
    sessions = DeviceSession.objects.filter(user_id=user.pk)
    session_ids = tuple(sessions.values_list("pk", flat=True))
    sessions.delete()
    publish(SessionsEnded(recipients=(user.pk,), user_id=user.pk, session_ids=session_ids, everywhere=True))
    return len(session_ids)


@transaction.atomic
def user_deactivate(user: User) -> None:
    """Deactivate an account: it can no longer sign in, and it is logged out everywhere."""
    user.is_active = False
    user.save(update_fields=["is_active", "updated_at"])
    user_sessions_end(user)


@transaction.atomic
def user_activate(user: User) -> None:
    """Let a deactivated account sign in again."""
    user.is_active = True
    user.save(update_fields=["is_active", "updated_at"])
