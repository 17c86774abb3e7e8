"""HTTP middleware of our own: requests whose address holds text PostgreSQL cannot store."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from config.json_input import UNSTORABLE

# SAMA's HTTP paths answer errors in SAMA's shape; every other JSON path is the Chats REST API's.
SAMA_PATHS = {"/login", "/logout"}
REASON = "The address must not contain NUL characters"


def refuse_unstorable_text(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Answer 400 to a request whose path or query string holds a NUL character, before any view
    can hand it to the database (which refuses it with an error that would be a 500)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        texts = [request.path, *(text for key, values in request.GET.lists() for text in (key, *values))]
        if any(UNSTORABLE.search(text) for text in texts):
            if request.path in SAMA_PATHS:
                return JsonResponse({"error": {"status": 400, "message": REASON}}, status=400)
            return JsonResponse({"error": True, "reason": REASON}, status=400)
        return get_response(request)

    return middleware
