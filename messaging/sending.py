"""Sending messages: what a send must hold, who may send where, who receives it; one send or a
batch of them (the sends a process's connections made at one moment, written together).

A batch costs the queries of one send: the participants of every conversation sent to, then one
write for every message (one statement and one commit on PostgreSQL, `messaging.send_sql`). Each
send is judged on its own and answered on its own: a refused send does not hold up the others."""

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import DatabaseError, transaction

from accounts import blocking
from accounts.models import User
from accounts.push.services import push_enqueue
from chats.access import posting_refuse_if_blocked
from chats.models import Conversation
from chats.participant_settings import participants_restore_on_device
from config.errors import Invalid, NotFound, ServiceError
from config.id_lists import wire_id
from events.delivery import publish
from events.kinds import MessageCreated
from messaging import send_sql
from messaging.access import visible_in_conversations
from messaging.models import HiddenMessage, Message
from messaging.snapshots import message_snapshot

logger = logging.getLogger("messaging")

CLIENT_ID_MAX = 128
ATTACHMENTS_MAX = 10
# SAMA's words for a reply to a message the sender does not see in that conversation.
REPLIED_INCORRECT = "Incorrect replied message ID."


def body_clean(value: object, *, required: bool = False) -> str:
    """A message's text, or Invalid."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid("body must be a string", code="invalid_body")
    limit = settings.MESSAGE_BODY_MAX_LENGTH
    if len(value) > limit:
        raise Invalid(f"body is longer than {limit} characters", code="body_too_long")
    if required and not value.strip():
        raise Invalid("body is required", code="invalid_body")
    return value


def x_clean(value: object) -> dict[str, Any]:
    """A message's extra data (an object), or Invalid."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid("x must be an object", code="invalid_x")
    return value


def attachments_clean(value: object) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(a, dict) for a in value):
        raise Invalid("attachments must be a list of objects", code="invalid_attachments")
    if len(value) > ATTACHMENTS_MAX:
        raise Invalid(f"at most {ATTACHMENTS_MAX} attachments", code="invalid_attachments")
    return value


def _message_id(value: object) -> int | None:
    """A message id from a client (`config.id_lists.wire_id`), None if it is none."""
    return wire_id(value)


def replied_message_id_clean(value: object) -> int | None:
    """The id of the message a send answers (None: none), or Invalid; that the sender sees it in the
    same conversation is judged with the batch (`messaging.access.visible_in_conversations`)."""
    if value is None:
        return None
    found = _message_id(value)
    if found is None:
        raise Invalid(REPLIED_INCORRECT, code="invalid_replied_message")
    return found


def forwarded_message_id_clean(value: object) -> int | None:
    """The id of the message a send forwards (None: none), or Invalid; not checked further: it may
    be any message, as in SAMA."""
    if value is None:
        return None
    found = _message_id(value)
    if found is None:
        raise Invalid("forwarded_message_id is not a valid id", code="invalid_forwarded_message")
    return found


def client_id_clean(value: object) -> str:
    """The id a client gave its message (a string, or an integer as one), or Invalid."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value) > CLIENT_ID_MAX:
        raise Invalid(f"id must be a string of at most {CLIENT_ID_MAX} characters", code="invalid_id")
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class SendRequest:
    """One send as a client asked for it (unchecked)."""

    actor: User
    conversation_id: int
    body: object = ""
    x: object = None
    attachments: object = None
    client_id: object = None
    replied_message_id: object = None
    forwarded_message_id: object = None
    is_visible: bool = True
    origin: str | None = None


# What a send answers: the message and whether this send stored it (False: an earlier send with the
# same client id did), or the error that refused it.
Sent = tuple[Message, bool]


@dataclass(slots=True)
class _Judged:
    """A send that may be written, and what writing it involves."""

    index: int
    request: SendRequest
    message: Message
    conversation_type: str
    recipients: tuple[int, ...]
    hidden_for: set[int]
    restore_on_device: bool
    push_to: tuple[int, ...]

    @property
    def writes_more(self) -> bool:
        return bool(self.hidden_for or self.restore_on_device or self.push_to)


def message_send(
    actor: User,
    *,
    conversation_id: int,
    body: object = "",
    x: object = None,
    attachments: object = None,
    client_id: object = None,
    replied_message_id: object = None,
    forwarded_message_id: object = None,
    is_visible: bool = True,
    origin: str | None = None,
) -> Sent:
    """Store a message and deliver it to every participant; answers (message, created).

    A message the same sender already sent with the same client id is answered again, not stored
    twice. Costs the same queries whatever the number of participants."""
    request = SendRequest(
        actor=actor,
        conversation_id=conversation_id,
        body=body,
        x=x,
        attachments=attachments,
        client_id=client_id,
        replied_message_id=replied_message_id,
        forwarded_message_id=forwarded_message_id,
        is_visible=is_visible,
        origin=origin,
    )
    answer = messages_send([request])[0]
    if isinstance(answer, Exception):
        raise answer
    return answer


def messages_send(requests: Sequence[SendRequest]) -> list[Sent | Exception]:
    """Send a batch of messages; answers each request's `Sent`, or the error refusing it, in order."""
    answers: list[Sent | Exception | None] = [None] * len(requests)
    drafts: list[tuple[int, SendRequest, Message]] = []
    for index, request in enumerate(requests):
        try:
            drafts.append((index, request, _draft(request)))
        except ServiceError as error:
            answers[index] = error
    rows = send_sql.recipients_read([(m.conversation_id, r.actor.pk) for _, r, m in drafts])
    judged: list[_Judged] = []
    for index, request, message in drafts:
        try:
            judged.append(_judge(index, request, message, rows.get((message.conversation_id, request.actor.pk), [])))
        except ServiceError as error:
            answers[index] = error
    judged = _replies_judge(judged, answers)
    # One statement commits on its own; a send that writes more (pushes are queued in the sender's
    # transaction, by _write_the_rest) makes the batch one transaction.
    alone = not any(send.writes_more for send in judged)
    with contextlib.nullcontext() if alone else transaction.atomic():
        inserted = send_sql.messages_insert([send.message for send in judged])
        stored = [send for send, ok in zip(judged, inserted, strict=True) if ok]
        _write_the_rest(stored)
    for send, ok in zip(judged, inserted, strict=True):
        answers[send.index] = (send.message, True) if ok else _resent(send.request, send.message)
    return cast(list[Sent | Exception], answers)  # every request is answered by now


def _replies_judge(judged: list[_Judged], answers: list[Sent | Exception | None]) -> list[_Judged]:
    """The sends whose replied message (if any) the sender sees in the conversation they send to;
    the others are answered with Invalid. One query for the batch, none without replies."""
    asks = {
        send.index: (send.request.actor.pk, send.message.conversation_id, send.message.replied_message_id)
        for send in judged
        if send.message.replied_message_id is not None
    }
    seen = visible_in_conversations(list(asks.values())) if asks else set()
    kept = []
    for send in judged:
        if send.index not in asks or asks[send.index] in seen:
            kept.append(send)
        else:
            answers[send.index] = Invalid(REPLIED_INCORRECT, code="invalid_replied_message")
    return kept


def _draft(request: SendRequest) -> Message:
    body, x = body_clean(request.body), x_clean(request.x)
    attachments, client_id = attachments_clean(request.attachments), client_id_clean(request.client_id)
    if not body.strip() and not attachments and not x:
        raise Invalid("A message needs a body, attachments or x", code="empty_message")
    return Message(
        conversation_id=request.conversation_id,
        sender=request.actor,
        client_id=client_id,
        body=body,
        x=x,
        attachments=attachments,
        replied_message_id=replied_message_id_clean(request.replied_message_id),
        forwarded_message_id=forwarded_message_id_clean(request.forwarded_message_id),
        is_visible=request.is_visible,
    )


def _judge(index: int, request: SendRequest, message: Message, rows: list[send_sql.Recipient]) -> _Judged:
    """Who may send here and who receives the message, from the conversation's participants."""
    actor_id = request.actor.pk
    mine = [row for row in rows if row.user_id == actor_id]
    if not mine:
        raise NotFound("Conversation not found", code="conversation_not_found")
    conversation_type = mine[0].conversation_type
    posting_refuse_if_blocked(mine[0].is_blocked)
    others = [(r.user_id, r.blocked_actor, r.blocked_by_actor) for r in rows if r.user_id != actor_id]
    hidden_for = blocking.message_hidden_for(private=conversation_type == Conversation.PRIVATE, others=others)
    recipients = [row for row in rows if row.user_id not in hidden_for]
    return _Judged(
        index=index,
        request=request,
        message=message,
        conversation_type=conversation_type,
        recipients=tuple(row.user_id for row in recipients),
        hidden_for=hidden_for,
        restore_on_device=any(
            r.is_removed_on_device and (r.user_id == actor_id or conversation_type == Conversation.PRIVATE)
            for r in rows
        ),
        push_to=tuple(r.user_id for r in recipients if r.has_push and not r.is_muted and r.user_id != actor_id),
    )


def _write_the_rest(stored: list[_Judged]) -> None:
    """What stored messages bring with them: chats back on devices, hidden copies, the events."""
    hidden: list[HiddenMessage] = []
    for send in stored:
        actor, message = send.request.actor, send.message
        if send.restore_on_device:
            participants_restore_on_device(
                message.conversation_id, author_id=actor.pk, conversation_type=send.conversation_type
            )
        # those who blocked the sender never see the message
        hidden.extend(HiddenMessage(user_id=uid, message=message) for uid in sorted(send.hidden_for))
        created = MessageCreated(
            recipients=send.recipients,
            actor_id=actor.pk,
            origin=send.request.origin,
            message=message_snapshot(message, actor, send.conversation_type),
            push_to=send.push_to,
        )
        if created.recipients:
            push_enqueue(created)  # in the sender's transaction, like the message
        publish(created)
    if hidden:
        HiddenMessage.objects.bulk_create(hidden)


def _resent(request: SendRequest, message: Message) -> Sent | Exception:
    """A resend after a lost acknowledgement: answered with the message stored the first time.

    Read after the batch is written (and, alone, committed): a failure here answers this send
    only, so that nobody sends the batch's stored messages again."""
    try:
        existing = Message.objects.filter(sender=request.actor, client_id=message.client_id).first()
    except DatabaseError as error:
        logger.exception("cannot read the message a resend refers to")
        return error
    if existing is None or existing.conversation_id != message.conversation_id:
        return Invalid("This message id is already used", code="duplicate_id")
    return existing, False
