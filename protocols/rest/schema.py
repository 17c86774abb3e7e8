"""OpenAPI documentation pieces: security schemes, error answers, path parameters, path clean-up."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from protocols.rest.serializers_out import ErrorSerializer

# `extend_schema(auth=...)`: an operation's OpenAPI security requirements.
BASIC_AUTH: list[dict[str, list[str]]] = [{"basicAuth": []}]
NO_AUTH: list[dict[str, list[str]]] = []

ERROR_DESCRIPTIONS = {
    400: "Bad input.",
    401: "Missing, invalid or expired credentials.",
    403: "Not allowed.",
    404: "Not found, or not visible to you.",
    413: "Too large.",
    429: "Too many attempts; retry later.",
}


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "protocols.rest.auth.BearerAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


class QueryTokenScheme(OpenApiAuthenticationExtension):
    target_class = "protocols.rest.auth.QueryTokenAuthentication"
    name = "tokenQuery"

    def get_security_definition(self, auto_schema: Any) -> dict:
        return {"type": "apiKey", "in": "query", "name": "token"}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Error answers `{error: true, reason}`; 400 and 401 are always possible."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in (400, 401, *codes)}


def ok(*codes: int) -> dict[int, OpenApiResponse]:
    """An empty 200 answer, and the given errors."""
    return {200: OpenApiResponse(description="OK (empty body)."), **errors(*codes)}


def answer(serializer: Any, *codes: int) -> dict:
    """A 200 answer with this body, and the given errors."""
    return {200: serializer, **errors(*codes)}


def path_id(name: str, description: str) -> OpenApiParameter:
    """An integer path parameter."""
    return OpenApiParameter(name, OpenApiTypes.INT64, OpenApiParameter.PATH, description=description)


CHAT_ID = path_id("id", "Chat id.")
CHAT_PK = path_id("chat_pk", "Chat id.")
MESSAGE_ID = path_id("id", "Message id.")
USER_ID = path_id("user_id", "User id.")
IMAGE_ID = OpenApiParameter("image_id", OpenApiTypes.STR, OpenApiParameter.PATH, description="Image id.")


def strip_trailing_slashes(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """Routes take an optional trailing slash; document them without it, as the spec writes them."""
    result["paths"] = {(path.rstrip("/") or "/"): item for path, item in result.get("paths", {}).items()}
    return result
