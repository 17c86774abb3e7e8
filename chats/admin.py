"""Conversations and participants, read only: they change through the chats services."""

from django.contrib import admin

from chats.models import Conversation, ConversationBlock, Participant
from config.admin_readonly import ReadOnlyAdmin, ReadOnlyTabularInline


class ParticipantInline(ReadOnlyTabularInline):
    model = Participant
    raw_id_fields = ("user",)


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ("id", "type", "name", "owner", "opponent", "created_at", "updated_at")
    list_filter = ("type", "created_at")
    search_fields = ("name", "description", "owner__username")
    raw_id_fields = ("owner", "opponent")
    inlines = [ParticipantInline]


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ("id", "conversation", "user", "is_muted", "is_archived", "is_blocked", "last_read_message_id")
    list_filter = ("is_muted", "is_archived", "is_blocked")
    search_fields = ("user__username", "conversation__name")
    raw_id_fields = ("conversation", "user")


@admin.register(ConversationBlock)
class ConversationBlockAdmin(ReadOnlyAdmin):
    list_display = ("id", "conversation", "user", "created_at")
    search_fields = ("user__username", "conversation__name")
    raw_id_fields = ("conversation", "user")
