"""Access and refresh tokens (simplejwt), bound to a device session so logout revokes them."""

from datetime import datetime

from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts import services, throttling
from accounts.models import DeviceSession, User
from config.errors import NotAuthenticated

SESSION_CLAIM = "session_id"


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
    session = (
        DeviceSession.objects.select_related("user")
        .filter(pk=payload.get(SESSION_CLAIM), user_id=payload.get("user_id"), user__is_active=True)
        .first()
    )
    if session is None:
        raise NotAuthenticated("Session has ended")
    return session


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
