from django.contrib import admin

from messaging.models import DeliveryReceipt, HiddenMessage, Message, OpLogEntry, StoredFile


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "conversation", "sender", "short_body", "is_system", "created_at", "edited_at", "deleted_at")
    list_filter = ("is_system", "created_at", "deleted_at")
    search_fields = ("body", "client_id", "sender__username")
    raw_id_fields = ("conversation", "sender")

    @admin.display(description="body")
    def short_body(self, message: Message) -> str:
        return message.body[:80]


@admin.register(HiddenMessage)
class HiddenMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "message")
    raw_id_fields = ("user", "message")
    search_fields = ("user__username",)


@admin.register(DeliveryReceipt)
class DeliveryReceiptAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "message", "created_at")
    raw_id_fields = ("user", "message")
    search_fields = ("user__username",)
    list_filter = ("created_at",)


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "content_type", "size", "owner", "uploaded_at", "created_at")
    search_fields = ("name", "owner__username")
    list_filter = ("content_type", "created_at")
    raw_id_fields = ("owner",)


@admin.register(OpLogEntry)
class OpLogEntryAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "kind", "created_at")
    list_filter = ("kind", "created_at")
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
