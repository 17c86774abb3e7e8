"""What every Chats REST view shares: Bearer authentication, the error shape, input parsing."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from config.errors import NotFound, TooLarge
from config.id_lists import wire_id
from protocols.rest.auth import BearerAuthentication
from protocols.rest.errors import rest_exception_handler
from protocols.rest.parsers import ClientJSONParser


def json_max_bytes() -> int:
    """The largest JSON request body accepted."""
    return getattr(settings, "REST_JSON_MAX_BYTES", 1024 * 1024)


def to_pk(value: object, what: str = "Not found") -> int:
    """A path id as an integer; anything else is simply not found."""
    pk = wire_id(str(value))
    if pk is None:
        raise NotFound(what)
    return pk


def parse(serializer_class: type[Serializer], data: Any) -> dict[str, Any]:
    """Validated input, or 400."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def empty_ok() -> Response:
    """`Response: OK` of the document: status 200 and no body."""
    return Response(status=200)


class RestViewSet(viewsets.ViewSet):
    """A Chats REST viewset: Bearer access token, `{error, reason}` errors, bounded JSON bodies."""

    authentication_classes = [BearerAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [ClientJSONParser]

    def get_exception_handler(self) -> Callable:
        return rest_exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > json_max_bytes():
            raise TooLarge(f"Request body is larger than {json_max_bytes()} bytes")
        super().initial(request, *args, **kwargs)

    def data(self, serializer_class: type[Serializer]) -> dict[str, Any]:
        """The request body, validated."""
        return parse(serializer_class, self.request.data)

    def query(self, serializer_class: type[Serializer]) -> dict[str, Any]:
        """The query string, validated."""
        return parse(serializer_class, self.request.query_params)
