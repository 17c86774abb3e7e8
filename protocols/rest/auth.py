"""Chats REST authentication: Bearer access tokens of a live device session, Basic login + password."""

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, BasicAuthentication, get_authorization_header
from rest_framework.request import Request

from accounts import services, tokens
from accounts.models import DeviceSession, User
from config.client_address import request_address
from config.errors import NotAuthenticated, ServiceError

BEARER_HEADER = 'Bearer realm="api"'
BASIC_HEADER = 'Basic realm="api"'

if TYPE_CHECKING:

    class AuthenticatedRequest(Request):
        """A request that Bearer authentication and `IsAuthenticated` let in: its user is signed in
        and its `auth` is their device session. (For the type checker; at run time a `Request`.)"""

        @property
        def user(self) -> User: ...
        @user.setter
        def user(self, value: User | AnonymousUser) -> None: ...
        @property
        def auth(self) -> DeviceSession: ...
        @auth.setter
        def auth(self, value: Any) -> None: ...

else:
    AuthenticatedRequest = Request


def _session(token: str) -> tuple[User, DeviceSession]:
    try:
        session = tokens.session_from_access_token(token)
    except ServiceError as error:
        raise exceptions.AuthenticationFailed(error.message) from error
    return session.user, session


class BearerAuthentication(BaseAuthentication):
    """`Authorization: Bearer <accessToken>`; a token of a logged-out session no longer works."""

    def authenticate(self, request: Request) -> tuple[User, DeviceSession] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid Authorization header")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("Invalid Authorization header") from error
        return _session(token)

    def authenticate_header(self, request: Request) -> str:
        return BEARER_HEADER


class QueryTokenAuthentication(BearerAuthentication):
    """`?token=<accessToken>`, for links that cannot carry a header (downloads, `<img src>`)."""

    def authenticate(self, request: Request) -> tuple[User, DeviceSession] | None:
        token = request.query_params.get("token")
        return _session(token) if token else None


class BasicLoginAuthentication(BasicAuthentication):
    """`Authorization: Basic` login and password, checked (and throttled) by the accounts service;
    a throttled attempt raises RateLimited itself, so it answers 429 rather than 401."""

    def authenticate_credentials(self, userid: str, password: str, request: Request | None = None) -> tuple[User, None]:
        assert request is not None, "BasicAuthentication.authenticate passes the request"
        try:
            return services.user_authenticate(login=userid, password=password, address=request_address(request)), None
        except NotAuthenticated as error:
            raise exceptions.AuthenticationFailed(error.message) from error

    def authenticate_header(self, request: Request) -> str:
        return BASIC_HEADER


def basic_user(request: Request) -> User:
    """The user whose Basic credentials the request carries, or 401."""
    result = BasicLoginAuthentication().authenticate(request)
    if result is None:
        raise exceptions.NotAuthenticated("Basic authentication with login and password is required")
    return result[0]
