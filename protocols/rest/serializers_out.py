"""Output serializers: the Chats REST objects exactly as PROTOCOLS.md shapes them (and as the
OpenAPI schema documents them). They format what `protocols.rest.render` builds."""

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    error = serializers.BooleanField(help_text="Always true.")
    reason = serializers.CharField()


class MediaInfoSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True, help_text="The file name the media is uploaded under.")
    fileType = serializers.CharField()
    fileSize = serializers.IntegerField()
    previewWidth = serializers.IntegerField(allow_null=True)
    previewHeight = serializers.IntegerField(allow_null=True)
    createdAt = serializers.DateTimeField(allow_null=True)


class UserInfoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(allow_null=True)
    username = serializers.CharField(allow_null=True)
    about = serializers.CharField(allow_null=True)
    lastSeen = serializers.DateTimeField(allow_null=True)
    photos = MediaInfoSerializer(many=True)


class DeviceInfoSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    model = serializers.CharField(allow_null=True)
    token = serializers.CharField(allow_null=True)
    transport = serializers.CharField(allow_null=True)


class DeviceSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    deviceInfo = DeviceInfoSerializer()
    accessToken = serializers.CharField(
        allow_null=True, help_text="Bearer token for every other call; only in register and login answers."
    )


class PrivateUserInfoSerializer(UserInfoSerializer):
    deviceSessions = DeviceSessionSerializer(many=True)


class ReadMarkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = serializers.IntegerField(help_text="The reader's user id.")
    createdAt = serializers.DateTimeField(allow_null=True)


class ReactionInfoSerializer(serializers.Serializer):
    reaction = serializers.CharField(help_text="Usually one emoji (at most 10 UTF-16 code units).")
    count = serializers.IntegerField(help_text="How many users reacted so.")
    isOwn = serializers.BooleanField(help_text="You are one of them.")


class MessageInfoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    localId = serializers.CharField(allow_null=True)
    chatId = serializers.IntegerField()
    authorId = serializers.IntegerField(allow_null=True)
    text = serializers.CharField(allow_blank=True)
    createdAt = serializers.DateTimeField(allow_null=True)
    updatedAt = serializers.DateTimeField(allow_null=True)
    editedAt = serializers.DateTimeField(allow_null=True)
    deletedAt = serializers.DateTimeField(allow_null=True)
    isVisible = serializers.BooleanField()
    attachments = MediaInfoSerializer(many=True)
    readMarks = ReadMarkSerializer(many=True)
    # Beyond the Chats REST document: replies, forwards and reactions (SAMA's newer API has them).
    repliedMessageId = serializers.IntegerField(allow_null=True, help_text="The message this one answers.")
    forwardedMessageId = serializers.IntegerField(allow_null=True, help_text="The message this one forwards.")
    reactions = ReactionInfoSerializer(
        many=True, help_text="Reactions to the message (empty in WebSocket events, which do not carry them)."
    )


class ChatInfoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(allow_null=True)
    isPersonal = serializers.BooleanField()
    owner = UserInfoSerializer(allow_null=True)
    allUsers = UserInfoSerializer(many=True, allow_null=True, help_text="Every participant (full information only).")
    addedUsers = UserInfoSerializer(many=True, allow_null=True, help_text="Users just added (add users only).")
    removedUsers = UserInfoSerializer(many=True, allow_null=True, help_text="Users just removed (remove users only).")
    lastMessage = MessageInfoSerializer(allow_null=True)
    images = MediaInfoSerializer(many=True)
    isMuted = serializers.BooleanField()
    isArchived = serializers.BooleanField()
    isBlocked = serializers.BooleanField(help_text="You are blocked from posting in this chat.")


class StoredFileSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="`<name>.<type>`, the path under /files/.")
    fileSize = serializers.IntegerField()
    contentType = serializers.CharField()


def out(serializer_class: type[serializers.Serializer], value: object, *, many: bool = False) -> object:
    """Format rendered data with an output serializer."""
    return serializer_class(value, many=many).data
