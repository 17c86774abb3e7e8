"""SAMA's HTTP `POST /login` and `POST /logout` (CSRF-exempt; the refresh token rides a cookie)."""

import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts import services, tokens
from accounts.models import DeviceSession
from config import json_input
from config.client_address import request_address
from config.errors import Invalid, NotAuthenticated, RateLimited, ServiceError, TooLarge, is_bug, unexpected_error
from protocols.sama import render

logger = logging.getLogger("realtime")

REFRESH_COOKIE = "refresh_token"


def _error(error: ServiceError) -> JsonResponse:
    response = JsonResponse({"error": {"status": error.status, "message": error.message}}, status=error.status)
    if isinstance(error, RateLimited) and error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    return response


def _body(request: HttpRequest) -> dict:
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > settings.REST_JSON_MAX_BYTES:
        raise TooLarge(f"Request body is larger than {settings.REST_JSON_MAX_BYTES} bytes")
    if not request.body.strip():
        return {}
    body = json_input.loads(request.body)
    if not isinstance(body, dict):
        raise Invalid("Body must be a JSON object")
    return body


def _answering_errors(view: Callable[[HttpRequest], JsonResponse]) -> Callable[[HttpRequest], JsonResponse]:
    """The view, with any exception it raises answered in SAMA's HTTP error shape (never a 500 page)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest) -> JsonResponse:
        try:
            return view(request)
        except Exception as error:
            if is_bug(error):
                logger.exception("sama: %s failed", request.path)
            elif not isinstance(error, ServiceError):
                logger.warning("sama: %s: %s: %s", request.path, type(error).__name__, error)
            return _error(unexpected_error(error))

    return wrapped


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _session_for_login(request: HttpRequest, body: dict) -> tuple[DeviceSession, bool]:
    """The device session the request proves, and whether a new refresh token is due."""
    address = request_address(request)
    if body.get("login") is not None or body.get("password") is not None:
        user = services.user_authenticate(login=body.get("login"), password=body.get("password"), address=address)
        return services.device_session_open(user, device_id=body.get("device_id")), True
    device_id = body.get("device_id")
    refresh = request.COOKIES.get(REFRESH_COOKIE)
    if refresh:
        session = tokens.session_sign_in(refresh, address=address, refresh=True)
        renew = True
    elif bearer := _bearer(request):
        session = tokens.session_sign_in(bearer, address=address)
        renew = False
    else:
        raise NotAuthenticated("Incorrect login or password")
    if session.device_id != str(device_id):
        # SAMA's SDK sends the token it kept with whatever device id the browser now has: the
        # token's user signs in on that device with a session of its own.
        return services.device_session_open(session.user, device_id=device_id), True
    return session, renew


@csrf_exempt
@require_POST
@_answering_errors
def login(request: HttpRequest) -> JsonResponse:
    """Log in with login + password, or renew with the refresh cookie or a bearer token."""
    body = _body(request)
    if not isinstance(body.get("device_id"), (str, int)) or isinstance(body.get("device_id"), bool):
        raise Invalid("device_id is required")
    session, renew = _session_for_login(request, body)
    access, refresh, expiry = tokens.tokens_issue(session)
    response = JsonResponse(
        {"user": render.user(session.user), "access_token": access, "expired_at": int(expiry.timestamp() * 1000)}
    )
    if renew:
        response.set_cookie(
            REFRESH_COOKIE,
            refresh,
            max_age=int(settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@csrf_exempt
@require_POST
@_answering_errors
def logout(request: HttpRequest) -> JsonResponse:
    """End the device session the bearer token belongs to, and clear the refresh cookie."""
    session = tokens.session_from_access_token(_bearer(request) or "")
    services.device_session_close(session)
    response = JsonResponse({"success": True})
    response.delete_cookie(REFRESH_COOKIE, samesite="Lax")
    return response
