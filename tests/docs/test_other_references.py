"""The reference pages of Hooligram V2, NkCHAT and Chats REST (`docs/protocols/`) name everything
the code handles: each name the code enumerates must appear in its page as a code span, so a new
action, command or route cannot go undocumented.

- Hooligram: every action type the adapter dispatches, the answers `X_SUCCESS`/`X_FAILURE` of
  every `X_REQUEST` among them, the generic failure, and the two server-sent deliveries with their
  payload fields.
- NkCHAT: every `class/subclass/cmd` the adapter dispatches, and every event type (the document's
  spellings and the aliases a subscription accepts).
- Chats REST: every route of `protocols/rest/urls.py` as "METHOD /path", the path written with
  placeholders: an id after a collection is `<chatId>`, `<messageId>`, `<userId>`, `<imageId>`
  (the collection's singular + "Id"); a file is `<name>.<type>`."""

import re
from pathlib import Path

import pytest

from protocols.hooligram import render as hooligram_render
from protocols.hooligram.adapter import HooligramAdapter
from protocols.nkchat.adapter import COMMANDS
from protocols.nkchat.event_frames import EVENT_TYPES, TYPE_ALIASES
from protocols.rest import urls as rest_urls

PAGES = Path(__file__).resolve().parents[2] / "docs" / "protocols"
CODE_SPAN = re.compile(r"`([^`\n]+)`")
GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
METHODS = ("get", "post", "put", "patch", "delete")
# Path parameters that are not an id after a collection.
NAMED_PARAMETERS = {"name": "<name>", "file_type": "<type>"}


def code_spans(page: str) -> set[str]:
    return set(CODE_SPAN.findall((PAGES / page).read_text(encoding="utf-8")))


def missing(names: set[str], page: str) -> list[str]:
    return sorted(names - code_spans(page))


# --- Hooligram --------------------------------------------------------------------------------


def hooligram_names() -> set[str]:
    actions = set(HooligramAdapter.ACTIONS)
    answers = {
        f"{action.removesuffix('_REQUEST')}_{outcome}"
        for action in actions
        if action.endswith("_REQUEST")
        for outcome in ("SUCCESS", "FAILURE")
    }
    group = hooligram_render.group_deliver_request(
        {"type": "g", "created_at": 0, "id": 1, "name": "", "participants": []}
    )
    message = hooligram_render.messaging_deliver_request(
        {"body": "", "created_at": 0, "conversation_id": 1, "id": 1, "sender_sid": ""}
    )
    deliveries = {group["type"], message["type"], *group["payload"], *message["payload"]}
    return actions | answers | deliveries | {hooligram_render.GENERIC_FAILURE}


def test_hooligram_page_names_every_action():
    names = hooligram_names()
    assert "MESSAGING_DELIVER_SUCCESS" in names and "GROUP_DELIVER_REQUEST" in names
    assert missing(names, "hooligram.md") == []


# --- NkCHAT -----------------------------------------------------------------------------------


def nkchat_names() -> set[str]:
    commands = {"/".join(key) for key in COMMANDS}
    event_types = set().union(*EVENT_TYPES.values()) | set(TYPE_ALIASES)
    return commands | event_types


def test_nkchat_page_names_every_command_and_event_type():
    names = nkchat_names()
    assert {"core/user/login", "chat/message/search", "added_memebers"} <= names
    assert missing(names, "nkchat.md") == []


# --- Chats REST -------------------------------------------------------------------------------


def _placeholder(match: re.Match[str], path: str) -> str:
    name = match[1]
    if name in NAMED_PARAMETERS:
        return NAMED_PARAMETERS[name]
    collection = path[: match.start()].rstrip("/").rsplit("/", 1)[-1]
    return f"<{collection.removesuffix('s')}Id>"


def rest_path(regex: str) -> str:
    """A route's regex as the page writes its path: `^chats/(?P<chat_pk>[^/.]+)/messages/?$` ->
    `/chats/<chatId>/messages`."""
    path = "/" + regex.removeprefix("^").removesuffix("$").removesuffix("/?")
    path = GROUP.sub(lambda match: _placeholder(match, path), path)
    return path.replace("\\.", ".")


def rest_methods(callback: object) -> list[str]:
    """The HTTP methods a route's view answers: a viewset's action map, or an APIView's handlers."""
    actions = getattr(callback, "actions", None)
    if actions:
        # DRF adds HEAD to a viewset's map (as GET) once the route has served a request.
        return [method for method in actions if method in METHODS]
    view_class = callback.cls  # type: ignore[attr-defined]
    return [method for method in METHODS if hasattr(view_class, method)]


def rest_endpoints() -> set[str]:
    endpoints = set()
    for pattern in rest_urls.urlpatterns:
        if pattern.callback is rest_urls.not_found:  # the JSON 404 for every other path
            continue
        path = rest_path(str(pattern.pattern))
        endpoints |= {f"{method.upper()} {path}" for method in rest_methods(pattern.callback)}
    return endpoints


@pytest.mark.parametrize(
    ("regex", "path"),
    [
        ("^users/?$", "/users"),
        ("^chats/(?P<pk>[^/.]+)/users/(?P<user_id>[^/.]+)/block/?$", "/chats/<chatId>/users/<userId>/block"),
        ("^chats/(?P<chat_pk>[^/.]+)/messages/(?P<pk>[^/.]+)/read/?$", "/chats/<chatId>/messages/<messageId>/read"),
        ("^files/(?P<name>[^/]+)\\.(?P<file_type>[^/.]+)$", "/files/<name>.<type>"),
        ("api/schema/", "/api/schema/"),
    ],
)
def test_rest_paths_are_written_with_named_placeholders(regex, path):
    assert rest_path(regex) == path


def test_rest_page_names_every_route_and_method():
    endpoints = rest_endpoints()
    assert {"POST /users/login", "PUT /chats/<chatId>/messages/<messageId>/read", "GET /api/schema/"} <= endpoints
    assert missing(endpoints, "rest.md") == []
