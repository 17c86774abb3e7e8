"""SAMA's wire shapes: ids as strings, `t` in Unix seconds, other times ISO 8601 with `Z`."""

from typing import Any

from accounts.models import User
from accounts.snapshots import user_snapshot
from chats.models import Conversation, Participant
from messaging.reactions import ReactionsSummary
from protocols.timestamps import iso


def sid(value: int | None) -> str | None:
    return str(value) if value is not None else None


def user(u: User | dict) -> dict[str, Any]:
    s = u if isinstance(u, dict) else user_snapshot(u)
    out = {
        "_id": str(s["id"]),
        "native_id": str(s["id"]),
        "login": s["login"],
        "first_name": s["first_name"],
        "last_name": s["last_name"],
        "email": s["email"],
        "phone": s["phone"],
        "created_at": iso(s["created_at"]),
        "updated_at": iso(s["updated_at"]),
    }
    if s["last_activity_at"] is not None:
        out["recent_activity"] = int(s["last_activity_at"])
    return out


def attachment(a: dict) -> dict[str, Any]:
    out = {k: v for k, v in a.items() if k != "name"}
    name = a.get("file_name", a.get("name"))
    out.setdefault("file_id", a.get("id", name))
    out["file_name"] = name
    out.pop("id", None)
    return out


MEMBERSHIP_NOTICES = {"added_participant", "removed_participant", "left_participants"}


def notice_x(x: dict) -> dict:
    """A message's `x`; a membership notice's user as SAMA's document has it (`_id`, `recent_activity`
    in Unix seconds). Notices stored before the user was kept neutrally already hold that form."""
    user = x.get("user")
    if x.get("type") not in MEMBERSHIP_NOTICES or not isinstance(user, dict) or "id" not in user:
        return x
    seen = user.get("last_activity_at")
    return {
        **x,
        "user": {
            "_id": str(user["id"]),
            "native_id": str(user["id"]),
            "login": user.get("login"),
            "first_name": user.get("first_name"),
            "last_name": user.get("last_name"),
            "email": user.get("email"),
            "recent_activity": int(seen) if seen is not None else None,
        },
    }


def message(
    m: dict, *, with_status: bool = False, read: bool | None = None, reactions: dict | None = None
) -> dict[str, Any]:
    """A message snapshot as SAMA delivers and lists it: `updated_at` is `created_at` until an edit,
    `attachments`, `replied_message_id` and `forwarded_message_id` only when there are some; with
    `read` (whether someone other than its sender read it) it carries `status: "read"` or `"sent"`,
    and with `reactions` (its summary for the viewer, or None) `reactions`, as the original server
    lists messages."""
    out = {
        "_id": str(m["id"]),
        "t": int(m["created_at"]),
        "from": sid(m["sender_id"]),
        "body": m["body"],
        "cid": str(m["conversation_id"]),
        "x": notice_x(m["x"]),
        "created_at": iso(m["created_at"]),
        "updated_at": iso(m.get("edited_at") or m["created_at"]),
    }
    if m["attachments"]:  # the key is left out when there are none, as the original server does
        out["attachments"] = [attachment(a) for a in m["attachments"]]
    for key in ("replied_message_id", "forwarded_message_id"):
        if m.get(key) is not None:
            out[key] = str(m[key])
    if with_status or read is not None:
        out["status"] = "read" if read else "sent"
    if reactions is not None:
        out["reactions"] = reactions
    return out


def reactions_summary(summary: ReactionsSummary | None) -> dict[str, Any]:
    """A message's reactions summary for its viewer as `message_list` carries it: `{}` when it has
    none, else `{own: [...], total: {reaction: count}}`."""
    return {"own": summary["own"], "total": summary["total"]} if summary else {}


def conversation_brief(c: dict) -> dict[str, Any]:
    """A conversation snapshot as SAMA's system messages carry it."""
    return {
        "_id": str(c["id"]),
        "type": c["type"],
        "name": c["name"],
        "description": c["description"],
        "opponent_id": sid(c["opponent_id"]),
        "owner_id": sid(c["owner_id"]),
        "participants": [str(p["id"]) for p in c["participants"]],
        "created_at": iso(c["created_at"]),
        "updated_at": iso(c["updated_at"]),
    }


def conversation(
    c: Conversation,
    *,
    last_message: dict | None = None,
    unread: int | None = None,
    settings: Participant | None = None,
) -> dict:
    """A conversation as SAMA's requests answer it; with `settings` (the caller's participation),
    this server's `muted` and `archived` (`conversation_settings_update`)."""
    out: dict[str, Any] = {
        "_id": str(c.pk),
        "name": c.name,
        "type": c.type,
        "description": c.description,
        "owner_id": sid(c.owner_id),
        "opponent_id": sid(c.opponent_id),
        "created_at": iso(c.created_at.timestamp()),
        "updated_at": iso(c.updated_at.timestamp()),
    }
    if last_message is not None:
        out["last_message"] = {
            "_id": last_message["_id"],
            "body": last_message["body"],
            "from": last_message["from"],
            "t": last_message["t"],
            "x": last_message["x"],
        }
        for key in ("attachments", "status", "reactions"):
            if key in last_message:
                out["last_message"][key] = last_message[key]
    if unread is not None:
        out["unread_messages_count"] = unread
    if settings is not None:
        out["muted"] = settings.is_muted
        out["archived"] = settings.is_archived
    return out


def system_message(c: dict, key: str, *, actor_id: int | None, t: int) -> dict[str, Any]:
    """`{system_message: {...x: {<key>: conversation}}}`, as the SDK acts on them."""
    return {
        "system_message": {
            "_id": str(c["id"]),
            "t": t,
            "cid": str(c["id"]),
            "from": sid(actor_id),
            "x": {key: conversation_brief(c)},
        }
    }


def error(status: int, message: str) -> dict[str, Any]:
    return {"status": status, "message": message}
