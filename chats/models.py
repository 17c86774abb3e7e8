"""Conversations and their participants, each with their own settings and read position."""

from django.conf import settings
from django.db import models


class Conversation(models.Model):
    """A private (two people) or group conversation; every protocol's chat/group is one of these."""

    PRIVATE = "u"
    GROUP = "g"
    TYPES = [(PRIVATE, "Private"), (GROUP, "Group")]

    type = models.CharField(max_length=1, choices=TYPES, default=GROUP)
    name = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opponent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # "<lower user id>:<higher user id>" for private conversations, so a pair has at most one.
    private_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    images = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Not indexed: every message stamps it, and with no index on it PostgreSQL writes the new row
    # version beside the old one (a HOT update) instead of adding an entry to each of the table's
    # indexes. Lists that sort by it start from the user's participants, not all conversations.
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name or f"{self.get_type_display()} #{self.pk}"

    @property
    def is_private(self) -> bool:
        return self.type == self.PRIVATE


class Participant(models.Model):
    """A user's membership of a conversation, with that user's settings and read position."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations")
    joined_at = models.DateTimeField(auto_now_add=True)
    is_muted = models.BooleanField(default=False)
    is_archived = models.BooleanField(default=False)
    is_removed_on_device = models.BooleanField(default=False)
    is_blocked = models.BooleanField(default=False, help_text="Blocked from posting in this conversation.")
    last_read_message_id = models.BigIntegerField(default=0)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="chats_participant_unique"),
        ]
        indexes = [models.Index(fields=["user", "conversation"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class ConversationBlock(models.Model):
    """A user who left a group and refuses to be added back to it."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="blocks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="chats_conversationblock_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} blocks {self.conversation_id}"
