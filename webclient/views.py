"""The built-in web client: one page that speaks SAMA over the WebSocket at `/`, like any client."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

# Everything the page loads comes from this server (no CDN); user text is only ever set as text.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


@require_safe
def index(request: HttpRequest, cid: str | None = None) -> HttpResponse:
    """The web client page (GET or HEAD `/`); the WebSocket on the same path is SAMA. The page's
    own addresses (`/c/<cid>`, `/profile`) answer the same page, which opens what they name."""
    response = render(request, "client/index.html")
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["Cache-Control"] = "no-cache"
    return response
