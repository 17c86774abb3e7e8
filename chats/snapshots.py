"""Protocol-neutral plain-data views of conversations, carried in events."""

from typing import Any

from accounts.models import User
from accounts.snapshots import timestamp
from chats.models import Conversation


def conversation_snapshot(conversation: Conversation, participants: list[User] | None = None) -> dict[str, Any]:
    """The conversation with its participants as `{id, login, sid, name}` (queried unless given);
    queried participants also carry their own settings (`is_muted`, `is_archived`, `is_blocked`)."""
    if participants is None:
        rows = list(
            conversation.participants.select_related("user")
            .order_by("user_id")
            .values_list(
                "user_id",
                "user__username",
                "user__country_code",
                "user__phone_number",
                "user__first_name",
                "user__last_name",
                "is_muted",
                "is_archived",
                "is_blocked",
            )
        )
        members = [
            {
                "id": uid,
                "login": login,
                "sid": f"{cc}.{pn}" if pn else login,
                "name": f"{first} {last}".strip(),
                "is_muted": muted,
                "is_archived": archived,
                "is_blocked": blocked,
            }
            for uid, login, cc, pn, first, last, muted, archived, blocked in rows
        ]
    else:
        members = [
            {"id": u.pk, "login": u.username, "sid": u.sid, "name": f"{u.first_name} {u.last_name}".strip()}
            for u in participants
        ]
    return {
        "id": conversation.pk,
        "type": conversation.type,
        "name": conversation.name,
        "description": conversation.description,
        "owner_id": conversation.owner_id,
        "opponent_id": conversation.opponent_id,
        "images": conversation.images,
        "participants": members,
        "created_at": timestamp(conversation.created_at),
        "updated_at": timestamp(conversation.updated_at),
    }


def participant_ids(snapshot: dict[str, Any]) -> list[int]:
    """The ids of a conversation snapshot's participants."""
    return [member["id"] for member in snapshot["participants"]]
