"""`/files/<name>.<type>`: upload (raw body or multipart `file`) and download; previews are
`<name>-preview.jpeg`."""

from collections.abc import Callable
from typing import Any

from django.http import FileResponse, HttpRequest
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import FileUploadParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import Invalid, TooLarge
from messaging import uploads
from protocols.rest import schema
from protocols.rest import serializers_out as o
from protocols.rest.auth import AuthenticatedRequest, BearerAuthentication, QueryTokenAuthentication
from protocols.rest.errors import rest_exception_handler

INLINE_TYPES = ("image/", "video/", "audio/")
PATH = [
    OpenApiParameter(
        "name", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=uploads.NAME_RE.pattern, description="A media id."
    ),
    OpenApiParameter(
        "file_type", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=uploads.TYPE_RE.pattern, description="e.g. png."
    ),
]
UPLOAD_BODY = {"application/octet-stream": OpenApiTypes.BINARY, "multipart/form-data": OpenApiTypes.OBJECT}


class FileView(APIView):
    """One file by name."""

    authentication_classes = [BearerAuthentication, QueryTokenAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FileUploadParser]

    def get_exception_handler(self) -> Callable[..., Any]:
        return rest_exception_handler

    def get_parser_context(self, http_request: HttpRequest) -> dict[str, Any]:
        """A raw body is named by the path, so it needs no Content-Disposition header."""
        context = super().get_parser_context(http_request)
        kwargs = context["kwargs"]
        context["kwargs"] = {**kwargs, "filename": f"{kwargs.get('name')}.{kwargs.get('file_type')}"}
        return context

    def _upload(self, request: AuthenticatedRequest, name: str, file_type: str) -> Response:
        uploads.file_name(name, file_type)
        length = request.META.get("CONTENT_LENGTH") or "0"
        limit = uploads.upload_limit(name)
        if length.isdigit() and int(length) > limit + 64 * 1024:  # room for multipart framing
            raise TooLarge(f"File is larger than {limit} bytes", code="file_too_large")
        content = request.data.get("file") if hasattr(request.data, "get") else None
        if content is None:
            raise Invalid("The body must hold the file (raw, or multipart field `file`)", code="no_file")
        stored = uploads.file_upload(request.user, name=name, file_type=file_type, content=content)
        body = {"name": stored.name, "fileSize": stored.size, "contentType": stored.content_type}
        return Response(o.out(o.StoredFileSerializer, body), status=201)

    @extend_schema(
        summary="Upload a file (or a preview `<name>-preview.jpeg`)",
        parameters=PATH,
        request=UPLOAD_BODY,
        responses={201: o.StoredFileSerializer, **schema.errors(403, 413)},
    )
    def post(self, request: AuthenticatedRequest, name: str, file_type: str) -> Response:
        """Upload the file `<name>.<type>` (a preview as `<name>-preview.jpeg`); only its first uploader may replace
        it."""
        return self._upload(request, name, file_type)

    @extend_schema(
        summary="Upload a file (same as POST)",
        parameters=PATH,
        request=UPLOAD_BODY,
        responses={201: o.StoredFileSerializer, **schema.errors(403, 413)},
    )
    def put(self, request: AuthenticatedRequest, name: str, file_type: str) -> Response:
        """Upload the file `<name>.<type>`, as POST does."""
        return self._upload(request, name, file_type)

    @extend_schema(
        summary="Download a file",
        parameters=PATH,
        request=None,
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            **schema.errors(404),
        },
    )
    def get(self, request: AuthenticatedRequest, name: str, file_type: str) -> FileResponse:
        """Download a file (Bearer header or `?token=`) its uploader, or a reader of a message or
        chat it belongs to, asks for."""
        stored = uploads.file_get(request.user, name=name, file_type=file_type)
        inline = stored.content_type.startswith(INLINE_TYPES) and "svg" not in stored.content_type
        return FileResponse(
            uploads.file_open(stored),
            content_type=stored.content_type,
            as_attachment=not inline,
            filename=stored.name,
        )
