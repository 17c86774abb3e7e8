"""The client's address for an HTTP request or a WebSocket scope, believing `X-Forwarded-For` only
as far as TRUSTED_PROXY_COUNT proxies in front of the server vouch for it."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "unknown"


def client_address(socket_address: str | None, forwarded_for: str | None) -> str:
    """The socket's address, or with N trusted proxies the `X-Forwarded-For` entry N hops from the
    right (the one the outermost trusted proxy saw); the leftmost entry if the list is shorter."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0 and forwarded_for:
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return socket_address or UNKNOWN


def request_address(request: HttpRequest) -> str:
    """The address of the client that sent this HTTP request (a Django or DRF request)."""
    return client_address(request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"))


def scope_address(scope: Mapping[str, Any]) -> str:
    """The address of the client of this ASGI connection (the WebSocket's handshake)."""
    client = scope.get("client")
    forwarded = [value.decode("latin-1") for name, value in scope.get("headers", ()) if name == b"x-forwarded-for"]
    return client_address(client[0] if client else None, ",".join(forwarded) or None)
