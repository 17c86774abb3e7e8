"""Messages, delivery receipts, hidden messages, files and the per-user operations log."""

from django.conf import settings
from django.db import models


class Message(models.Model):
    """A message in a conversation; system messages have `is_system` and carry their data in `x`."""

    # No index of its own: the (conversation, -id) index below serves every lookup by conversation.
    conversation = models.ForeignKey(
        "chats.Conversation", on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client_id = models.CharField(max_length=128, blank=True, help_text="The id the sending client chose.")
    body = models.TextField(blank=True)
    x = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(default=list, blank=True)
    is_system = models.BooleanField(default=False)
    is_visible = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # The message this one answers: one of the same conversation the sender saw (checked by the send).
    replied_message = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    # The message this one copies, as its client said: not checked (it may be anywhere), as in SAMA.
    forwarded_message_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            # A client that resends the same id after a lost acknowledgement gets the same message.
            models.UniqueConstraint(
                fields=["sender", "client_id"],
                condition=~models.Q(client_id=""),
                name="messaging_message_client_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "-id"]),
            # NkCHAT message search: a conversation's messages by time.
            models.Index(fields=["conversation", "created_at"], name="nkchat_message_conv_created"),
            # Few messages are replies: an index of those alone serves unsetting replies to a deleted row.
            models.Index(
                fields=["replied_message"],
                condition=models.Q(replied_message__isnull=False),
                name="messaging_message_replied",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} in {self.conversation_id}"


class MessageReaction(models.Model):
    """A user's reaction (a short string, usually one emoji) to a message; a user may hold several
    different ones on the same message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reaction = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Led by the message: it also serves reading a message's (or a page's) reactions.
            models.UniqueConstraint(fields=["message", "user", "reaction"], name="messaging_messagereaction_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.reaction} on {self.message_id} by {self.user_id}"


class HiddenMessage(models.Model):
    """A message a user deleted for themselves only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="hidden_for")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "message"], name="messaging_hiddenmessage_unique")]

    def __str__(self) -> str:
        return f"{self.message_id} hidden for {self.user_id}"


class DeliveryReceipt(models.Model):
    """A client acknowledged receiving a message (Hooligram store-and-forward)."""

    # Receipts arrive for recent messages: an index led by the message takes its new entries in the
    # few pages at its right edge, where one led by the user (as this one was) writes all over
    # itself and, on a large table, stops fitting in memory. The unique (message, user) index
    # serves lookups by message; the user's own index, whose duplicate keys PostgreSQL stores
    # once, stays small and serves deleting a user's receipts.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="receipts", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="messaging_deliveryreceipt_message_user"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} delivered to {self.user_id}"


class StoredFile(models.Model):
    """An uploaded file (attachment, chat image), stored through Django's storage API; found by
    `name` (`<name>.<type>`) at every upload and download."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    name = models.CharField(max_length=255, db_index=True)
    content_type = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    storage_name = models.CharField(max_length=512, blank=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class OpLogEntry(models.Model):
    """One event a user was sent (or would have been sent while offline), replayable in order."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"]), models.Index(fields=["user", "id"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"
