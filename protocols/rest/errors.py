"""Every Chats REST failure as `{"error": true, "reason": "..."}` with its HTTP status."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from config.errors import RateLimited, ServiceError, is_bug, unexpected_error

logger = logging.getLogger("protocols.rest")

# Domain statuses without a REST counterpart in the document become 400 (bad input).
STATUS_MAP = {409: 400, 422: 400}


def _reasons(detail: Any, path: str = "") -> list[str]:
    if isinstance(detail, dict):
        return [r for key, value in detail.items() for r in _reasons(value, f"{path}.{key}" if path else str(key))]
    if isinstance(detail, list):
        nested = any(isinstance(v, (dict, list)) for v in detail)
        if nested:
            return [r for i, value in enumerate(detail) for r in _reasons(value, f"{path}.{i}" if path else str(i))]
        return [f"{path}: {v}" if path and path != "non_field_errors" else str(v) for v in detail]
    return [f"{path}: {detail}" if path and path != "non_field_errors" else str(detail)]


def error_response(status_code: int, reason: str, headers: dict[str, str] | None = None) -> Response:
    """`{"error": true, "reason": ...}` with this status."""
    return Response({"error": True, "reason": reason}, status=status_code, headers=headers)


def rest_exception_handler(exc: Exception, context: dict) -> Response:
    """Render domain, DRF and Django errors, and any other exception as `config.errors.unexpected_error` says."""
    headers: dict[str, str] = {}
    if isinstance(exc, ServiceError):
        code, reason = STATUS_MAP.get(exc.status, exc.status), exc.message
        if isinstance(exc, RateLimited) and exc.retry_after:
            headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, Http404):
        code, reason = status.HTTP_404_NOT_FOUND, "Not found"
    elif isinstance(exc, PermissionDenied):
        code, reason = status.HTTP_403_FORBIDDEN, "Forbidden"
    elif isinstance(exc, RequestDataTooBig):
        code, reason = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "Request body is too large"
    elif isinstance(exc, exceptions.APIException):
        code, reason = exc.status_code, "; ".join(_reasons(exc.detail)) or "Bad request"
        # Set on the exception by DRF: `auth_header` by APIView.handle_exception on a 401, `wait` by Throttled.
        auth_header, wait = getattr(exc, "auth_header", None), getattr(exc, "wait", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        if wait:
            headers["Retry-After"] = str(int(wait))
    else:
        error = unexpected_error(exc)
        if is_bug(exc):
            logger.exception("REST %s failed", context["request"].path if context.get("request") else "request")
        else:
            logger.warning("REST: %s: %s", type(exc).__name__, exc)
        code, reason = STATUS_MAP.get(error.status, error.status), error.message
    set_rollback()
    return error_response(code, reason, headers)
