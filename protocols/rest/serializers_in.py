"""Input serializers: they check a request's shape and types; the services check the rules."""

from typing import Any

from django.conf import settings
from rest_framework import serializers

from config.id_lists import ID_MAX

USERS_MAX = 1000


def text_max_bytes() -> int:
    """The most UTF-8 bytes a message text may hold."""
    return getattr(settings, "REST_TEXT_MAX_BYTES", 2048)


def _max_bytes(value: str | None) -> None:
    if value is not None and len(value.encode("utf-8")) > text_max_bytes():
        raise serializers.ValidationError(f"Ensure this field has no more than {text_max_bytes()} bytes.")


def _id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


def _optional_text(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False, **kwargs)


class DeviceSerializer(serializers.Serializer):
    id = _optional_text(max_length=255)
    name = _optional_text(max_length=255)
    model = _optional_text(max_length=255)
    token = _optional_text(max_length=4096)
    transport = _optional_text(max_length=64)


class RegisterSerializer(serializers.Serializer):
    name = _optional_text(max_length=150)
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    deviceInfo = DeviceSerializer(required=False, allow_null=True)


class LoginSerializer(serializers.Serializer):
    deviceInfo = DeviceSerializer(required=False, allow_null=True)


class UserUpdateSerializer(serializers.Serializer):
    name = _optional_text(max_length=150)
    about = _optional_text(max_length=2000)


class PasswordChangeSerializer(serializers.Serializer):
    oldPassword = serializers.CharField(max_length=128, trim_whitespace=False)
    newPassword = serializers.CharField(max_length=128, trim_whitespace=False)


class UserSearchQuerySerializer(serializers.Serializer):
    s = serializers.CharField(required=False, allow_blank=True, max_length=150, help_text="A part of a name or login.")


class ChatCreateSerializer(serializers.Serializer):
    title = _optional_text(max_length=255, help_text="Ignored for personal chats.")
    participants = serializers.ListField(child=_id_field(), max_length=USERS_MAX, help_text="User ids.")
    isPersonal = serializers.BooleanField(
        required=False, allow_null=True, help_text="True by default when the chat has two participants with you."
    )


class ChatListQuerySerializer(serializers.Serializer):
    full = serializers.BooleanField(required=False, default=False, help_text="Include every chat's participants.")


class ChatUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=255, allow_blank=True)


class ChatSettingsSerializer(serializers.Serializer):
    isMuted = serializers.BooleanField(required=False, allow_null=True)
    isArchived = serializers.BooleanField(required=False, allow_null=True)
    isRemovedOnDevice = serializers.BooleanField(required=False, allow_null=True)


class MediaSerializer(serializers.Serializer):
    id = serializers.CharField(
        required=False, allow_null=True, max_length=128, help_text="File name of the upload (made when omitted)."
    )
    fileType = serializers.CharField(max_length=16)
    fileSize = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="In bytes.")
    previewWidth = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=10000)
    previewHeight = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=10000)


class ChatImageSerializer(serializers.Serializer):
    image = MediaSerializer()


class ChatUsersSerializer(serializers.Serializer):
    users = serializers.ListField(child=_id_field(), max_length=USERS_MAX, help_text="User ids.")


class NotifySerializer(serializers.Serializer):
    name = _optional_text(max_length=255, help_text='What it is about, for example "typing_started".')
    text = _optional_text(max_length=2048)
    realm = serializers.ChoiceField(choices=["webSocket", "push", "all"], required=False, default="webSocket")
    # DRF's serializer metaclass takes declared fields off the class, so `.data` stays the property.
    data = serializers.DictField(required=False, allow_null=True, help_text="Any JSON object.")  # type: ignore[assignment]


class MessagePostSerializer(serializers.Serializer):
    localId = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=128,
        help_text='"<UserID>+<UUID>"; posting it again answers the same message.',
    )
    text = _optional_text(max_length=2048, validators=[_max_bytes], help_text="Up to 2048 bytes of UTF-8.")
    isVisible = serializers.BooleanField(required=False, allow_null=True, default=True)
    attachment = MediaSerializer(required=False, allow_null=True)
    # Beyond the Chats REST document, optional: SAMA's newer API has replies and forwards.
    repliedMessageId = _id_field(
        required=False, allow_null=True, help_text="A message of this chat you see, that this one answers."
    )
    forwardedMessageId = _id_field(required=False, allow_null=True, help_text="A message this one forwards.")


class MessageEditSerializer(serializers.Serializer):
    text = _optional_text(max_length=2048, validators=[_max_bytes], help_text="Up to 2048 bytes of UTF-8.")
    isVisible = serializers.BooleanField(required=False, allow_null=True)
    fileExists = serializers.BooleanField(required=False, allow_null=True, help_text="The file is now uploaded.")
    previewExists = serializers.BooleanField(required=False, allow_null=True, help_text="The preview is now uploaded.")


class MessageHistoryQuerySerializer(serializers.Serializer):
    count = serializers.IntegerField(required=False, min_value=1, max_value=100, help_text="50 by default.")
    before = _id_field(required=False, help_text="Only messages older than this message id.")
