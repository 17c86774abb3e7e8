"""`/chats`: create, list, read, rename, settings, pictures, members, blocking, leave, delete, notify."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from chats import blocking, conversations, membership, participant_settings
from messaging import conversation_views, group_pictures, live_notices
from protocols.rest import render, schema
from protocols.rest import serializers_in as i
from protocols.rest import serializers_out as o
from protocols.rest.auth import AuthenticatedRequest
from protocols.rest.base import RestViewSet, empty_ok, to_pk

CHAT = [schema.CHAT_ID]
CHAT_USER = [schema.CHAT_ID, schema.USER_ID]


def _chat(user: User, chat_id: int, *, added: list[User] | None = None, removed: list[User] | None = None) -> Response:
    info = render.chat_info(conversation_views.conversation_view_get(user, chat_id), added=added, removed=removed)
    return Response(o.out(o.ChatInfoSerializer, info))


class ChatViewSet(RestViewSet):
    """Chats the user takes part in."""

    @extend_schema(
        summary="My chats",
        request=None,
        parameters=[i.ChatListQuerySerializer],
        responses=schema.answer(o.ChatInfoSerializer(many=True)),
    )
    def list(self, request: AuthenticatedRequest) -> Response:
        """Every chat you take part in, newest activity first, except those removed on your devices; `full` adds every
        chat's participants."""
        full = self.query(i.ChatListQuerySerializer)["full"]
        views = conversation_views.conversation_views(request.user)
        return Response(o.out(o.ChatInfoSerializer, [render.chat_info(v, full=full) for v in views], many=True))

    @extend_schema(
        summary="Create a personal or group chat (or get the one with the same participants)",
        request=i.ChatCreateSerializer,
        responses=schema.answer(o.ChatInfoSerializer, 403, 404),
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        """Create a chat with these participants (you are always one); the chat of exactly the same participants is
        answered instead if it exists. More than two participants in a personal chat is an error."""
        data = self.data(i.ChatCreateSerializer)
        conversation, _ = conversations.conversation_find_or_create(
            request.user,
            participant_ids=data["participants"],
            is_personal=data.get("isPersonal"),
            title=data.get("title"),
        )
        return _chat(request.user, conversation.pk)

    @extend_schema(summary="A chat", request=None, parameters=CHAT, responses=schema.answer(o.ChatInfoSerializer, 404))
    def retrieve(self, request: AuthenticatedRequest, pk: str) -> Response:
        """A chat you take part in, with every participant."""
        return _chat(request.user, to_pk(pk))

    @extend_schema(
        summary="Rename a group chat",
        request=i.ChatUpdateSerializer,
        parameters=CHAT,
        responses=schema.answer(o.ChatInfoSerializer, 403, 404),
    )
    def update(self, request: AuthenticatedRequest, pk: str) -> Response:
        """Rename a group chat; participants are notified (`chatUpdate`). Personal chats cannot be renamed."""
        chat_id, data = to_pk(pk), self.data(i.ChatUpdateSerializer)
        conversations.group_rename(request.user, conversation_id=chat_id, name=data["title"])
        return _chat(request.user, chat_id)

    @extend_schema(summary="Delete a chat for everyone", request=None, parameters=CHAT, responses=schema.ok(403, 404))
    def destroy(self, request: AuthenticatedRequest, pk: str) -> Response:
        """Delete the chat with all its messages for everyone (the owner of a group, either side of a personal chat);
        participants are notified (`chatDeleted`)."""
        conversations.conversation_delete_for_everyone(request.user, conversation_id=to_pk(pk))
        return empty_ok()

    @extend_schema(
        summary="My settings of a chat (mute, archive, remove from my devices)",
        request=i.ChatSettingsSerializer,
        parameters=CHAT,
        responses=schema.answer(o.ChatInfoSerializer, 404),
    )
    @action(detail=True, methods=["put"], url_path="settings")
    def chat_settings(self, request: AuthenticatedRequest, pk: str) -> Response:
        """Your own settings of the chat: muted, archived, removed on your devices (hidden from your list until a
        message arrives)."""
        chat_id, data = to_pk(pk), self.data(i.ChatSettingsSerializer)
        participant_settings.participant_settings_update(
            request.user,
            conversation_id=chat_id,
            is_muted=data.get("isMuted"),
            is_archived=data.get("isArchived"),
            is_removed_on_device=data.get("isRemovedOnDevice"),
        )
        return _chat(request.user, chat_id)

    @extend_schema(
        summary="Add a picture to a group chat",
        request=i.ChatImageSerializer,
        parameters=CHAT,
        responses=schema.answer(o.ChatInfoSerializer, 403, 404),
    )
    @action(detail=True, methods=["post"], url_path="images")
    def image_add(self, request: AuthenticatedRequest, pk: str) -> Response:
        """The owner adds a picture (uploaded beforehand under `/files/<id>.<fileType>`) to a group chat; participants
        are notified (`chatUpdate`)."""
        chat_id, data = to_pk(pk), self.data(i.ChatImageSerializer)
        group_pictures.conversation_image_add(request.user, conversation_id=chat_id, image=dict(data["image"]))
        return _chat(request.user, chat_id)

    @extend_schema(
        summary="Remove a group chat's picture",
        request=None,
        parameters=[schema.CHAT_ID, schema.IMAGE_ID],
        responses=schema.ok(403, 404),
    )
    @action(detail=True, methods=["delete"], url_path=r"images/(?P<image_id>[^/]+)")
    def image_remove(self, request: AuthenticatedRequest, pk: str, image_id: str) -> Response:
        """The owner removes a group chat's picture and its files; participants are notified (`chatUpdate`)."""
        group_pictures.conversation_image_remove(request.user, conversation_id=to_pk(pk), image_id=image_id)
        return empty_ok()

    @extend_schema(
        summary="Add users to a group chat (at most 10 at a time)",
        request=i.ChatUsersSerializer,
        parameters=CHAT,
        responses=schema.answer(o.ChatInfoSerializer, 403, 404),
    )
    @action(detail=True, methods=["post"], url_path="users")
    def users_add(self, request: AuthenticatedRequest, pk: str) -> Response:
        """Add at most 10 users to a group chat; adding nobody new is an error. Participants are notified
        (`addedUsers`)."""
        chat_id, data = to_pk(pk), self.data(i.ChatUsersSerializer)
        _, added = membership.group_participants_add(request.user, conversation_id=chat_id, user_ids=data["users"])
        return _chat(request.user, chat_id, added=added)

    @extend_schema(
        summary="Remove users from a group chat",
        request=i.ChatUsersSerializer,
        parameters=CHAT,
        responses=schema.answer(o.ChatInfoSerializer, 403, 404),
    )
    @users_add.mapping.delete
    def users_remove(self, request: AuthenticatedRequest, pk: str) -> Response:
        """The owner removes participants from a group chat; naming no participant is an error. Participants are
        notified (`removedUsers`)."""
        chat_id, data = to_pk(pk), self.data(i.ChatUsersSerializer)
        _, removed = membership.group_participants_remove(request.user, conversation_id=chat_id, user_ids=data["users"])
        return _chat(request.user, chat_id, removed=removed)

    @extend_schema(summary="Leave a group chat", request=None, parameters=CHAT, responses=schema.ok(404))
    @action(detail=True, methods=["delete"], url_path="me")
    def chat_exit(self, request: AuthenticatedRequest, pk: str) -> Response:
        """Leave a group chat; a personal chat cannot be left. Participants are notified (`removedUsers`)."""
        membership.group_leave(request.user, conversation_id=to_pk(pk))
        return empty_ok()

    @extend_schema(
        summary="Block a group chat: leave it and refuse to be added again",
        request=None,
        parameters=CHAT,
        responses=schema.ok(404),
    )
    @action(detail=True, methods=["put"])
    def block(self, request: AuthenticatedRequest, pk: str) -> Response:
        """Leave a group chat and refuse to be added to it again; ignored for personal chats."""
        blocking.conversation_block(request.user, conversation_id=to_pk(pk))
        return empty_ok()

    @extend_schema(summary="Unblock a chat", request=None, parameters=CHAT, responses=schema.ok(404))
    @action(detail=True, methods=["put"])
    def unblock(self, request: AuthenticatedRequest, pk: str) -> Response:
        """Allow being added again to a group chat you blocked; ignored for personal chats."""
        blocking.conversation_unblock(request.user, conversation_id=to_pk(pk))
        return empty_ok()

    @extend_schema(
        summary="Users blocked from posting in a chat",
        request=None,
        parameters=CHAT,
        responses=schema.answer(o.UserInfoSerializer(many=True), 404),
    )
    @action(detail=True, methods=["get"], url_path="users/blocked")
    def blocked_users(self, request: AuthenticatedRequest, pk: str) -> Response:
        """The participants blocked from posting in the chat."""
        users = blocking.blocked_users_list(request.user, conversation_id=to_pk(pk))
        return Response(o.out(o.UserInfoSerializer, [render.user_info(u) for u in users], many=True))

    def _user_block(self, user: User, pk: str, user_id: str, *, blocked: bool) -> Response:
        blocking.participant_block_set(user, conversation_id=to_pk(pk), user_id=to_pk(user_id), blocked=blocked)
        return empty_ok()

    @extend_schema(
        summary="Block a user from posting in a chat",
        request=None,
        parameters=CHAT_USER,
        responses=schema.ok(403, 404),
    )
    @action(detail=True, methods=["put"], url_path=r"users/(?P<user_id>[^/.]+)/block")
    def user_block(self, request: AuthenticatedRequest, pk: str, user_id: str) -> Response:
        """Block a participant from posting: the owner in a group, either side in a personal chat."""
        return self._user_block(request.user, pk, user_id, blocked=True)

    @extend_schema(
        summary="Unblock a user in a chat", request=None, parameters=CHAT_USER, responses=schema.ok(403, 404)
    )
    @action(detail=True, methods=["put"], url_path=r"users/(?P<user_id>[^/.]+)/unblock")
    def user_unblock(self, request: AuthenticatedRequest, pk: str, user_id: str) -> Response:
        """Let a blocked participant post again."""
        return self._user_block(request.user, pk, user_id, blocked=False)

    @extend_schema(
        summary="Send auxiliary data (typing...) to the chat's participants",
        request=i.NotifySerializer,
        parameters=CHAT,
        responses=schema.ok(403, 404),
    )
    @action(detail=True, methods=["post"], url_path="notify")
    def chat_notify(self, request: AuthenticatedRequest, pk: str) -> Response:
        """Relay auxiliary data (typing, animations...) to the other participants without storing it (`auxiliary` on
        `/ws`)."""
        data = self.data(i.NotifySerializer)
        live_notices.conversation_notify(
            request.user,
            conversation_id=to_pk(pk),
            name=data.get("name"),
            text=data.get("text"),
            data=data.get("data"),
            realm=data.get("realm"),
        )
        return empty_ok()
