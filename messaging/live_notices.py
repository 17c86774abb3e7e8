"""Notices relayed live to a conversation's other participants and never stored: typing, and the
auxiliary notifications (animations, custom signals) of Chats REST's `/chats/<id>/notify`.
Both are refused, like a send, to a participant blocked from posting."""

from typing import Any

from accounts.models import User
from accounts.push.services import push_notice_enqueue
from chats.access import access_participation
from chats.selectors import participant_ids_of
from config.errors import Invalid
from events.delivery import publish
from events.kinds import Notify, Typing

REALMS = ("webSocket", "push", "all")
NAME_MAX = 255
TEXT_MAX = 2048


def _text(value: object, field: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise Invalid(f"{field} must be a string of at most {limit} characters", code="invalid_notification")
    return value


def conversation_notify(
    actor: User,
    *,
    conversation_id: int,
    name: object = None,
    text: object = None,
    data: object = None,
    realm: object = "webSocket",
    origin: str | None = None,
) -> dict[str, Any]:
    """Send `{name, text, data}` to the conversation's other participants; answers the body sent.

    `realm` "webSocket" relays it live, "push" queues a push notification (to those offline who
    have not muted the chat, its text as the push's body), "all" does both."""
    if realm is None:
        realm = "webSocket"
    if realm not in REALMS:
        raise Invalid(f"realm must be one of {', '.join(REALMS)}", code="invalid_realm")
    if data is not None and not isinstance(data, dict):
        raise Invalid("data must be an object", code="invalid_notification")
    notice_name, notice_text = _text(name, "name", NAME_MAX), _text(text, "text", TEXT_MAX)
    body = {"name": notice_name, "text": notice_text, "data": data}
    access_participation(actor, conversation_id, to_post=True)
    recipients = tuple(uid for uid in participant_ids_of(conversation_id) if uid != actor.pk)
    if realm in ("webSocket", "all"):
        publish(
            Notify(recipients=recipients, actor_id=actor.pk, origin=origin, conversation_id=conversation_id, body=body)
        )
    if realm in ("push", "all"):
        push_notice_enqueue(
            actor,
            conversation_id=conversation_id,
            recipient_ids=recipients,
            name=notice_name,
            text=notice_text,
            data=data,
        )
    return body


def typing_notify(actor: User, *, conversation_id: int, origin: str | None = None) -> None:
    """Tell the other participants the actor is typing (refused, like a send, to a participant
    blocked from posting); stores nothing."""
    access_participation(actor, conversation_id, to_post=True)
    members = participant_ids_of(conversation_id)
    publish(
        Typing(
            recipients=tuple(uid for uid in members if uid != actor.pk),
            actor_id=actor.pk,
            origin=origin,
            conversation_id=conversation_id,
            user_id=actor.pk,
        )
    )
