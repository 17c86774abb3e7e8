"""WebSocket handshake origin check that also admits native clients, which send no Origin."""

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Application = Callable[[Scope, Receive, Send], Awaitable[None]]


class OriginValidator:
    """Refuses a handshake whose Origin is neither an allowed CORS origin nor this server's host.

    Channels' AllowedHostsOriginValidator refuses a missing Origin, which native mobile clients
    never send; this one lets those through."""

    def __init__(self, application: Application) -> None:
        self.application = application

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and not self.allowed(scope):
            await receive()  # the websocket.connect message
            await send({"type": "websocket.close", "code": 4403})
            return None
        return await self.application(scope, receive, send)

    @staticmethod
    def allowed(scope: Scope) -> bool:
        headers = dict(scope.get("headers") or [])
        origin = headers.get(b"origin")
        if origin is None:
            return True
        origin_text = origin.decode("latin-1").rstrip("/")
        if origin_text in settings.CORS_ALLOWED_ORIGINS:
            return True
        host = headers.get(b"host", b"").decode("latin-1")
        return bool(host) and urlsplit(origin_text).netloc == host
