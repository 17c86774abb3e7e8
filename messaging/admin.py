"""Messages and their state, read only: messages are deleted through the messaging service."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User
from config.admin_readonly import ReadOnlyAdmin
from config.errors import ServiceError
from messaging.editing import messages_remove
from messaging.models import DeliveryReceipt, HiddenMessage, Message, OpLogEntry, StoredFile


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "conversation", "sender", "short_body", "is_system", "created_at", "edited_at", "deleted_at")
    list_filter = ("is_system", "created_at", "deleted_at")
    search_fields = ("body", "client_id", "sender__username")
    raw_id_fields = ("conversation", "sender")
    actions = ("delete_for_everyone",)

    @admin.display(description="body")
    def short_body(self, message: Message) -> str:
        return message.body[:80]

    @admin.action(description="Delete selected messages for everyone", permissions=["service_delete"])
    def delete_for_everyone(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        """Through `messages_remove`, so participants get the deletion and their operations logs record it."""
        actor = request.user
        assert isinstance(actor, User), "the admin lets only signed-in staff in"
        try:
            count = messages_remove(actor, message_ids=list(queryset.values_list("pk", flat=True)))
        except ServiceError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        self.message_user(request, f"{count} messages deleted for everyone.", messages.SUCCESS)


@admin.register(HiddenMessage)
class HiddenMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "message")
    raw_id_fields = ("user", "message")
    search_fields = ("user__username",)


@admin.register(DeliveryReceipt)
class DeliveryReceiptAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "message", "created_at")
    raw_id_fields = ("user", "message")
    search_fields = ("user__username",)
    list_filter = ("created_at",)


@admin.register(StoredFile)
class StoredFileAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "content_type", "size", "owner", "uploaded_at", "created_at")
    search_fields = ("name", "owner__username")
    list_filter = ("content_type", "created_at")
    raw_id_fields = ("owner",)


@admin.register(OpLogEntry)
class OpLogEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "kind", "created_at")
    list_filter = ("kind", "created_at")
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
