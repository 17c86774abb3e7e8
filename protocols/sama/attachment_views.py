"""`/attachments/<token>`: PUT the bytes of a declared file, GET them back (signed, expiring URLs)."""

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from config.errors import ServiceError
from messaging import attachments


def _error(error: ServiceError) -> JsonResponse:
    return JsonResponse({"error": {"status": error.status, "message": error.message}}, status=error.status)


def _content_length(request: HttpRequest) -> int | None:
    value = request.headers.get("Content-Length", "")
    return int(value) if value.isdigit() else None


@csrf_exempt
def attachment(request: HttpRequest, token: str) -> HttpResponseBase:
    """Upload (PUT) or download (GET/HEAD) through a signed token; errors as `{error: {status, message}}`."""
    try:
        if request.method == "PUT":
            stored = attachments.file_for_upload(token)
            attachments.file_content_store(
                stored,
                stream=request,
                content_type=request.headers.get("Content-Type", ""),
                content_length=_content_length(request),
            )
            return JsonResponse({"success": True})
        if request.method in ("GET", "HEAD"):
            stored = attachments.file_for_download(token)
            response = FileResponse(
                default_storage.open(stored.storage_name, "rb"),
                content_type=stored.content_type,
                as_attachment=not attachments.is_inline(stored),
                filename=stored.name,
            )
            response["X-Content-Type-Options"] = "nosniff"
            response["Content-Security-Policy"] = "sandbox"
            response["Cache-Control"] = "private, max-age=3600"
            return response
    except ServiceError as error:
        return _error(error)
    not_allowed = JsonResponse({"error": {"status": 405, "message": "Method not allowed"}}, status=405)
    not_allowed["Allow"] = "GET, HEAD, PUT"
    return not_allowed
