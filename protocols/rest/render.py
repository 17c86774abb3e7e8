"""Models and event snapshots as the Chats REST objects (`UserInfo`, `MediaInfo`, `MessageInfo`,
`ChatInfo`), before their output serializers format them. Snapshot renderers never query."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, overload

from accounts.models import DeviceSession, User
from chats.models import Conversation, Participant
from messaging.conversation_views import ConversationView
from messaging.models import Message
from messaging.reactions import ReactionsSummary

DEVICE_INFO_FIELDS = ("id", "name", "model", "token", "transport")


@overload
def dt(ts: float) -> datetime: ...
@overload
def dt(ts: float | None) -> datetime | None: ...
def dt(ts: float | None) -> datetime | None:
    """Unix seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(ts, UTC) if isinstance(ts, (int, float)) else None


def _full_name(first: str, last: str) -> str | None:
    return f"{first} {last}".strip() or None


def user_info(user: User) -> dict[str, Any]:
    """A user as `UserInfo`."""
    return {
        "id": user.pk,
        "name": _full_name(user.first_name, user.last_name),
        "username": user.username,
        "about": user.about or None,
        "lastSeen": user.last_activity_at,
        "photos": [],
    }


def member_info(member: dict | None, user_id: int) -> dict[str, Any]:
    """A participant entry of a conversation snapshot as `UserInfo` (what the snapshot knows)."""
    member = member or {}
    return {
        "id": user_id,
        "name": member.get("name") or None,
        "username": member.get("login"),
        "about": None,
        "lastSeen": None,
        "photos": [],
    }


def device_info(info: object) -> dict[str, Any]:
    """A device session's stored info as `deviceInfo`, every field present."""
    info = info if isinstance(info, dict) else {}
    return {key: info.get(key) for key in DEVICE_INFO_FIELDS}


def private_user_info(user: User, sessions: list[DeviceSession], access_token: str | None = None) -> dict:
    """`UserInfo` for its owner, with device sessions (the access token only on the new one)."""
    return {
        **user_info(user),
        "deviceSessions": [
            {"id": s.pk, "deviceInfo": device_info(s.info), "accessToken": access_token} for s in sessions
        ],
    }


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def media_info(media: dict) -> dict[str, Any]:
    """A stored attachment or chat image (whichever protocol stored it) as `MediaInfo`."""
    media_id = media.get("id", media.get("file_id"))
    name = str(media.get("file_name") or media.get("name") or "")
    file_type = media.get("file_type") or (name.rsplit(".", 1)[1] if "." in name else "")
    return {
        "id": str(media_id) if media_id is not None else None,
        "fileType": str(file_type),
        "fileSize": _int(media.get("file_size", media.get("size"))) or 0,
        "previewWidth": _int(media.get("preview_width")),
        "previewHeight": _int(media.get("preview_height")),
        "createdAt": dt(media.get("created_at")),
    }


def _media_list(values: object) -> list[dict]:
    return [media_info(m) for m in values if isinstance(m, dict)] if isinstance(values, list) else []


def read_marks(message_id: int, sender_id: int | None, positions: list[Participant]) -> list[dict]:
    """Who has read up to this message (its sender aside)."""
    return [
        {"id": p.pk, "user": p.user_id, "createdAt": p.last_read_at}
        for p in positions
        if p.user_id != sender_id and p.last_read_message_id >= message_id
    ]


def reactions_info(summary: ReactionsSummary | None) -> list[dict[str, Any]]:
    """A message's reactions summary for its viewer (`messaging.reactions.reactions_summaries`) as
    a list of `{reaction, count, isOwn}`."""
    if not summary:
        return []
    own = set(summary["own"])
    return [{"reaction": r, "count": n, "isOwn": r in own} for r, n in summary["total"].items()]


def message_info(
    message: Message, positions: Sequence[Participant] = (), reactions: ReactionsSummary | None = None
) -> dict[str, Any]:
    """A message as `MessageInfo`, its read marks taken from the chat's read positions, its
    reactions from its summary for the viewer."""
    return {
        "id": message.pk,
        "localId": message.client_id or None,
        "chatId": message.conversation_id,
        "authorId": message.sender_id,
        "text": message.body,
        "createdAt": message.created_at,
        "updatedAt": message.updated_at,
        "editedAt": message.edited_at,
        "deletedAt": message.deleted_at,
        "isVisible": message.is_visible,
        "attachments": _media_list(message.attachments),
        "readMarks": read_marks(message.pk, message.sender_id, list(positions)),
        "repliedMessageId": message.replied_message_id,
        "forwardedMessageId": message.forwarded_message_id,
        "reactions": reactions_info(reactions),
    }


def message_info_from_snapshot(m: dict) -> dict[str, Any]:
    """A message snapshot as `MessageInfo`; read marks and reactions are not part of a snapshot."""
    return {
        "id": m["id"],
        "localId": m.get("client_id") or None,
        "chatId": m["conversation_id"],
        "authorId": m.get("sender_id"),
        "text": m.get("body", ""),
        "createdAt": dt(m.get("created_at")),
        "updatedAt": dt(m.get("updated_at")),
        "editedAt": dt(m.get("edited_at")),
        "deletedAt": dt(m.get("deleted_at")),
        "isVisible": m.get("is_visible", True),
        "attachments": _media_list(m.get("attachments")),
        "readMarks": [],
        "repliedMessageId": m.get("replied_message_id"),
        "forwardedMessageId": m.get("forwarded_message_id"),
        "reactions": [],
    }


def chat_info(
    view: ConversationView, *, full: bool = True, added: list[User] | None = None, removed: list[User] | None = None
) -> dict[str, Any]:
    """A chat as its viewer sees it; `allUsers` only with `full`."""
    c, me = view.conversation, view.participation
    positions = [m for m in view.members if m.last_read_message_id]
    last = view.last_message
    return {
        "id": c.pk,
        "title": c.name or None,
        "isPersonal": c.is_private,
        "owner": user_info(c.owner) if c.owner is not None else None,
        "allUsers": [user_info(m.user) for m in view.members] if full else None,
        "addedUsers": [user_info(u) for u in added] if added is not None else None,
        "removedUsers": [user_info(u) for u in removed] if removed is not None else None,
        "lastMessage": message_info(last, positions, view.last_message_reactions) if last is not None else None,
        "images": _media_list(c.images),
        "isMuted": bool(me and me.is_muted),
        "isArchived": bool(me and me.is_archived),
        "isBlocked": bool(me and me.is_blocked),
    }


def chat_info_from_snapshot(
    c: dict, viewer_id: int, *, added_ids: tuple[int, ...] | None = None, removed_ids: tuple[int, ...] | None = None
) -> dict[str, Any]:
    """A conversation snapshot as `ChatInfo` for one viewer (their own settings, no history)."""
    members = {m["id"]: m for m in c.get("participants", [])}
    me = members.get(viewer_id, {})
    owner_id = c.get("owner_id")
    return {
        "id": c["id"],
        "title": c.get("name") or None,
        "isPersonal": c.get("type") == Conversation.PRIVATE,
        "owner": member_info(members.get(owner_id), owner_id) if owner_id is not None else None,
        "allUsers": None,
        "addedUsers": [member_info(members.get(i), i) for i in added_ids] if added_ids is not None else None,
        "removedUsers": [member_info(None, i) for i in removed_ids] if removed_ids is not None else None,
        "lastMessage": None,
        "images": _media_list(c.get("images")),
        "isMuted": bool(me.get("is_muted", False)),
        "isArchived": bool(me.get("is_archived", False)),
        "isBlocked": bool(me.get("is_blocked", False)),
    }
