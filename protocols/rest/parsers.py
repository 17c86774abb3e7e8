"""The JSON parser of the Chats REST API: DRF's, with the input rules every protocol shares."""

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from config import json_input
from config.errors import ServiceError


class ClientJSONParser(JSONParser):
    """A JSON body within `config.json_input`'s depth, text and number rules, or 400."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return json_input.loads(stream.read() if stream is not None else b"")
        except ServiceError as error:
            raise ParseError(error.message) from error
