"""Hooligram V2 wire shapes: `{id, payload, type}` actions, ids as integers, ISO 8601 dates."""

import uuid
from typing import Any

from chats.models import Conversation
from protocols.timestamps import iso

GROUP_STANDARD = 0
GROUP_DIRECT_MESSAGE = 1
# The answer to a frame whose action type is unknown (or that is not an action at all).
GENERIC_FAILURE = "ACTION_FAILURE"


def action(action_id: Any, action_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"id": action_id, "payload": payload, "type": action_type}


def failure(action_id: Any, action_type: str, *reasons: str) -> dict[str, Any]:
    return action(action_id, action_type, {"errors": list(reasons)})


def server_request(action_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """An action the server starts (a delivery), with a fresh id the client answers with."""
    return action(uuid.uuid4().hex, action_type, payload)


def group(conversation: dict) -> dict[str, Any]:
    """A conversation snapshot as GROUP_DELIVER_REQUEST carries it: both `group_type` and
    `is_direct_message`, since clients of both versions of the document exist."""
    direct = conversation["type"] == Conversation.PRIVATE
    return {
        "date_created": iso(conversation["created_at"]),
        "group_id": conversation["id"],
        "group_name": conversation["name"],
        "group_type": GROUP_DIRECT_MESSAGE if direct else GROUP_STANDARD,
        "is_direct_message": direct,
        "member_sids": [member["sid"] for member in conversation["participants"]],
    }


def group_deliver_request(conversation: dict) -> dict[str, Any]:
    return server_request("GROUP_DELIVER_REQUEST", group(conversation))


def message(snapshot: dict) -> dict[str, Any]:
    """A message snapshot as MESSAGING_DELIVER_REQUEST carries it."""
    return {
        "content": snapshot["body"],
        "date_created": iso(snapshot["created_at"]),
        "group_id": snapshot["conversation_id"],
        "message_id": snapshot["id"],
        "sender_sid": snapshot["sender_sid"],
    }


def messaging_deliver_request(snapshot: dict) -> dict[str, Any]:
    return server_request("MESSAGING_DELIVER_REQUEST", message(snapshot))
