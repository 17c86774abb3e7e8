"""Access and refresh tokens (simplejwt), bound to a device session so logout revokes them; and
PyJWT's HMAC algorithms, made to check the server's key once (`check_hmac_keys_once`)."""

from datetime import datetime
from functools import cache

import jwt
from jwt.algorithms import HMACAlgorithm
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts import services, throttling
from accounts.models import DeviceSession, User
from config.errors import NotAuthenticated
from config.prepared_sql import columns, executed, instance_at

SESSION_CLAIM = "session_id"


class HMACKeyCheckedOnce(HMACAlgorithm):
    """PyJWT's HMAC algorithm, checking the server's key once rather than at every token: PyJWT
    makes sure an HMAC key is not an asymmetric key or a JWK (parsing it as DER three ways, and
    as JSON) every time it signs or verifies, 28 µs of a token's 78. simplejwt hands it the same
    key object every time (its prepared key); the check's answer for that object is kept."""

    _checked: tuple[str | bytes, bytes] | None = None

    def prepare_key(self, key: str | bytes) -> bytes:
        """The key as PyJWT checks and prepares it, from the last check when `key` is its object."""
        checked = self._checked
        if checked is not None and checked[0] is key:
            return checked[1]
        prepared = super().prepare_key(key)
        self._checked = (key, prepared)
        return prepared


def check_hmac_keys_once() -> None:
    """Make PyJWT's HS256, HS384 and HS512 check their key once (`HMACKeyCheckedOnce`)."""
    for name, hash_alg in (
        ("HS256", HMACAlgorithm.SHA256),
        ("HS384", HMACAlgorithm.SHA384),
        ("HS512", HMACAlgorithm.SHA512),
    ):
        jwt.unregister_algorithm(name)
        jwt.register_algorithm(name, HMACKeyCheckedOnce(hash_alg))


def tokens_issue(session: DeviceSession) -> tuple[str, str, datetime]:
    """Return (access token, refresh token, access expiry) for a device session, and record that the
    session was signed in to: no token of a session outlives its `last_seen_at` by more than the
    token's lifetime (and LAST_SEEN_STEP), so a session idle longer has no token left."""
    refresh = RefreshToken.for_user(session.user)
    refresh[SESSION_CLAIM] = session.pk
    # The SAMA web app reads the user id from `_id`; simplejwt's own claim is `user_id`.
    refresh["_id"] = str(session.user_id)
    access = refresh.access_token
    services.device_session_seen(session)
    return str(access), str(refresh), datetime.fromtimestamp(access["exp"]).astimezone()


def _session_for(token_class: type, token: str) -> DeviceSession:
    if not isinstance(token, str) or not token:
        raise NotAuthenticated("Token is missing")
    try:
        payload = token_class(token)
    except TokenError as error:
        raise NotAuthenticated("Invalid or expired token") from error
    session = _live_session(payload.get(SESSION_CLAIM), payload.get("user_id"))
    if session is None:
        raise NotAuthenticated("Session has ended")
    return session


def _live_session(session_id: object, user_id: object) -> DeviceSession | None:
    """The device session with its (active) user, in one statement written once: every sign-in
    of a storm after a restart runs it, and building it with the ORM took half the time the
    database threads held the interpreter (py-spy)."""
    try:
        ids = (int(str(session_id)), int(str(user_id)))
    except ValueError:
        return None
    with executed(_live_session_sql(), ids) as cursor:
        row = cursor.fetchone()
    if row is None:
        return None
    session, at = instance_at(DeviceSession, row, 0)
    session.user = instance_at(User, row, at)[0]
    return session


@cache
def _live_session_sql() -> str:
    return (
        f"SELECT {columns(DeviceSession, 's')}, {columns(User, 'u')} FROM {DeviceSession._meta.db_table} s"
        f" JOIN {User._meta.db_table} u ON u.id = s.user_id WHERE s.id = %s AND s.user_id = %s AND u.is_active"
    )


def session_from_access_token(token: str) -> DeviceSession:
    """The live device session an access token belongs to, or NotAuthenticated."""
    return _session_for(AccessToken, token)


def session_from_refresh_token(token: str) -> DeviceSession:
    """The live device session a refresh token belongs to, or NotAuthenticated."""
    return _session_for(RefreshToken, token)


def session_sign_in(token: str, *, address: str | None, refresh: bool = False) -> DeviceSession:
    """The session of a token a client logs in with (not one that authorizes a request): a
    failure counts against LOGIN_RATE for the client's `address`, like a wrong password."""
    with throttling.attempt(throttling.LOGIN, address=address):
        return session_from_refresh_token(token) if refresh else session_from_access_token(token)


def user_from_access_token(token: str) -> User:
    return session_from_access_token(token).user
