"""`/chats/<id>/messages`: history, post, clear, edit, delete, read mark."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from chats.access import access_participation
from config.metrics import protocol_meters
from messaging import clearing, editing, reactions, receipts, selectors, sending, uploads
from messaging.access import access_message
from messaging.models import Message
from protocols.rest import render, schema
from protocols.rest import serializers_in as i
from protocols.rest import serializers_out as o
from protocols.rest.auth import AuthenticatedRequest
from protocols.rest.base import RestViewSet, empty_ok, to_pk
from protocols.rest.ws import RestWsAdapter

CHAT = [schema.CHAT_PK]
MESSAGE = [schema.CHAT_PK, schema.MESSAGE_ID]
HISTORY_DEFAULT = 50


def _chat_message(user: User, chat_id: int, message_id: int) -> Message:
    """A message of a chat the user takes part in, deleted ones included: the chat is judged first,
    so a chat that is not theirs answers "Conversation not found" as everywhere in Chats REST."""
    access_participation(user, chat_id)
    return access_message(user, message_id, conversation_id=chat_id, include_deleted=True)


def _message(user: User, message: Message) -> Response:
    positions = receipts.read_positions([message.conversation_id]).get(message.conversation_id, [])
    summary = reactions.reactions_summaries(user, [message.pk]).get(message.pk)
    return Response(o.out(o.MessageInfoSerializer, render.message_info(message, positions, summary)))


class ChatMessageViewSet(RestViewSet):
    """Messages of a chat the user takes part in."""

    @extend_schema(
        summary="Message history, newest first",
        request=None,
        parameters=[*CHAT, i.MessageHistoryQuerySerializer],
        responses=schema.answer(o.MessageInfoSerializer(many=True), 404),
    )
    def list(self, request: AuthenticatedRequest, chat_pk: str) -> Response:
        """`count` messages (50 by default) older than message `before`, or the newest ones; deleted messages carry
        `deletedAt`."""
        chat_id, query = to_pk(chat_pk), self.query(i.MessageHistoryQuerySerializer)
        messages = selectors.message_list(
            request.user,
            conversation_id=chat_id,
            limit=query.get("count", HISTORY_DEFAULT),
            before_id=query.get("before"),
            include_deleted=True,
        )
        positions = receipts.read_positions([chat_id]).get(chat_id, [])
        summaries = reactions.reactions_summaries(request.user, [m.pk for m in messages])
        rendered = [render.message_info(m, positions, summaries.get(m.pk)) for m in messages]
        return Response(o.out(o.MessageInfoSerializer, rendered, many=True))

    @extend_schema(
        summary="Post a message (text up to 2048 bytes, an attachment)",
        request=i.MessagePostSerializer,
        parameters=CHAT,
        responses=schema.answer(o.MessageInfoSerializer, 403, 404),
    )
    def create(self, request: AuthenticatedRequest, chat_pk: str) -> Response:
        """Post a message; the same `localId` again answers the same message. Participants are notified (`message`)."""
        chat_id, data = to_pk(chat_pk), self.data(i.MessagePostSerializer)
        attachment = data.get("attachment")
        message, created = sending.message_send(
            request.user,
            conversation_id=chat_id,
            body=data.get("text") or "",
            attachments=[uploads.media_clean(dict(attachment))] if attachment else None,
            client_id=data.get("localId"),
            replied_message_id=data.get("repliedMessageId"),
            forwarded_message_id=data.get("forwardedMessageId"),
            is_visible=data.get("isVisible") is not False,
        )
        if created:
            protocol_meters(RestWsAdapter.name).messages_sent.inc()
        return _message(request.user, message)

    @extend_schema(
        summary="Delete every message of a chat",
        operation_id="chats_messages_clear",
        request=None,
        parameters=CHAT,
        responses=schema.ok(403, 404),
    )
    def clear(self, request: AuthenticatedRequest, chat_pk: str) -> Response:
        """Delete every message of the chat (the owner of a group, either side of a personal chat); participants are
        notified (`chatCleared`)."""
        clearing.conversation_clear(request.user, conversation_id=to_pk(chat_pk))
        return empty_ok()

    @extend_schema(
        summary="Edit a message",
        request=i.MessageEditSerializer,
        parameters=MESSAGE,
        responses=schema.answer(o.MessageInfoSerializer, 403, 404),
    )
    def update(self, request: AuthenticatedRequest, chat_pk: str, pk: str) -> Response:
        """The author edits the text or visibility; `fileExists`/`previewExists` just tell the participants
        (`messageUpdate`)."""
        chat_id, message_id, data = to_pk(chat_pk), to_pk(pk), self.data(i.MessageEditSerializer)
        _chat_message(request.user, chat_id, message_id)
        message = editing.message_edit(
            request.user, message_id=message_id, body=data.get("text"), is_visible=data.get("isVisible")
        )
        return _message(request.user, message)

    @extend_schema(
        summary="Delete a message's content for everyone",
        request=None,
        parameters=MESSAGE,
        responses=schema.answer(o.MessageInfoSerializer, 403, 404),
    )
    def destroy(self, request: AuthenticatedRequest, chat_pk: str, pk: str) -> Response:
        """The author deletes the message's content for everyone; it keeps its place with `deletedAt`
        (`messageDelete`)."""
        chat_id, message_id = to_pk(chat_pk), to_pk(pk)
        _chat_message(request.user, chat_id, message_id)
        deleted = editing.message_delete(request.user, conversation_id=chat_id, message_ids=[message_id], everyone=True)
        return _message(request.user, deleted[0])

    @extend_schema(summary="Put my read mark on a message", request=None, parameters=MESSAGE, responses=schema.ok(404))
    @action(detail=True, methods=["put"])
    def read(self, request: AuthenticatedRequest, chat_pk: str, pk: str) -> Response:
        """Put your read mark on the message and every older one; participants are notified (`readMark`)."""
        chat_id, message_id = to_pk(chat_pk), to_pk(pk)
        _chat_message(request.user, chat_id, message_id)
        receipts.message_read(request.user, conversation_id=chat_id, message_ids=[message_id])
        return empty_ok()
