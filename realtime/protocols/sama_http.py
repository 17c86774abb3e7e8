"""SAMA's HTTP `POST /login` and `POST /logout` (CSRF-exempt; the refresh token rides a cookie)."""

import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts import services, tokens
from accounts.models import DeviceSession
from config.errors import Invalid, NotAuthenticated, ServiceError
from realtime.protocols import sama_render as render

REFRESH_COOKIE = "refresh_token"


def _error(error: ServiceError) -> JsonResponse:
    return JsonResponse({"error": {"status": error.status, "message": error.message}}, status=error.status)


def _body(request: HttpRequest) -> dict:
    if not request.body.strip():
        return {}
    try:
        body = json.loads(request.body)
    except ValueError as error:
        raise Invalid("Body is not valid JSON") from error
    if not isinstance(body, dict):
        raise Invalid("Body must be a JSON object")
    return body


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _session_for_login(request: HttpRequest, body: dict) -> tuple[DeviceSession, bool]:
    """The device session the request proves, and whether a new refresh token is due."""
    if body.get("login") is not None or body.get("password") is not None:
        user = services.user_authenticate(login=body.get("login"), password=body.get("password"))
        return services.device_session_open(user, device_id=body.get("device_id")), True
    device_id = body.get("device_id")
    refresh = request.COOKIES.get(REFRESH_COOKIE)
    if refresh:
        session = tokens.session_from_refresh_token(refresh)
        renew = True
    elif _bearer(request):
        session = tokens.session_from_access_token(_bearer(request))
        renew = False
    else:
        raise NotAuthenticated("Incorrect login or password")
    if session.device_id != str(device_id):
        raise NotAuthenticated("Token belongs to another device")
    return session, renew


@csrf_exempt
@require_POST
def login(request: HttpRequest) -> JsonResponse:
    """Log in with login + password, or renew with the refresh cookie or a bearer token."""
    try:
        body = _body(request)
        if not isinstance(body.get("device_id"), (str, int)) or isinstance(body.get("device_id"), bool):
            raise Invalid("device_id is required")
        session, renew = _session_for_login(request, body)
        access, refresh, expiry = tokens.tokens_issue(session)
    except ServiceError as error:
        return _error(error)
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
def logout(request: HttpRequest) -> JsonResponse:
    """End the device session the bearer token belongs to, and clear the refresh cookie."""
    try:
        session = tokens.session_from_access_token(_bearer(request) or "")
    except ServiceError as error:
        return _error(error)
    services.device_session_close(session)
    response = JsonResponse({"success": True})
    response.delete_cookie(REFRESH_COOKIE, samesite="Lax")
    return response
