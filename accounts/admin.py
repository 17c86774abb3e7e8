"""Users, sessions and the accounts' other data in the admin. Activation, logging out and deleting
go through `accounts.services`, so connections close and events follow; the rest is read only."""

from collections.abc import Sequence

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from accounts import services
from accounts.admin_login import ThrottledAdminLoginForm
from accounts.models import (
    Contact,
    DeviceSession,
    PhoneVerification,
    PushDelivery,
    PushEvent,
    PushSubscription,
    User,
    UserBlock,
)
from accounts.phone_index import user_phone_index
from config.admin_readonly import ReadOnlyAdmin

admin.site.login_form = ThrottledAdminLoginForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "id",
        "username",
        "first_name",
        "last_name",
        "email",
        "phone",
        "sid",
        "last_activity_at",
        "is_active",
    )
    list_filter = ("is_active", "is_staff", "date_joined")
    search_fields = ("username", "first_name", "last_name", "email", "phone", "phone_number")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Chat", {"fields": ("phone", "country_code", "phone_number", "phone_e164", "about", "last_activity_at")}),
    )
    readonly_fields = ("phone_e164",)
    actions = ("deactivate", "log_out_everywhere")

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        """Save the form, with the E.164 form of the user's phones kept in step; a change of
        `is_active` goes through the service (deactivating ends the user's sessions and closes
        their connections)."""
        toggled = change and "is_active" in form.changed_data
        active = obj.is_active
        if toggled:
            obj.is_active = not active
        user_phone_index(obj)
        super().save_model(request, obj, form, change)
        if toggled:
            (services.user_activate if active else services.user_deactivate)(obj)

    def get_deleted_objects(
        self, objs: Sequence[User] | QuerySet[User], request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        """What deleting the users takes with them; the rows of read-only admins (messages,
        sessions, ...) go with the user through `user_delete`, so they need no delete permission."""
        deleted, model_count, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, set(), protected

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        services.user_delete(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_delete(user)

    @admin.action(description="Deactivate selected users (and log them out everywhere)", permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users = list(queryset)
        for user in users:
            services.user_deactivate(user)
        self.message_user(request, f"{len(users)} users deactivated and logged out everywhere.", messages.SUCCESS)

    @admin.action(description="Log out everywhere (end sessions, close connections)", permissions=["change"])
    def log_out_everywhere(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users = list(queryset)
        ended = sum(services.user_sessions_end(user) for user in users)
        message = f"{len(users)} users logged out everywhere ({ended} sessions ended)."
        self.message_user(request, message, messages.SUCCESS)


@admin.register(DeviceSession)
class DeviceSessionAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "device_id", "name", "created_at", "last_seen_at")
    search_fields = ("user__username", "device_id", "name")
    list_filter = ("created_at",)
    raw_id_fields = ("user",)
    actions = ("end_sessions",)

    @admin.action(description="End selected sessions (their connections close)", permissions=["service_delete"])
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[DeviceSession]) -> None:
        sessions = list(queryset)
        for session in sessions:
            services.device_session_close(session)
        self.message_user(request, f"{len(sessions)} sessions ended.", messages.SUCCESS)


@admin.register(PhoneVerification)
class PhoneVerificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "country_code", "phone_number", "attempts", "verified_at", "created_at", "expires_at")
    search_fields = ("phone_number",)
    list_filter = ("created_at",)
    exclude = ("code_hash",)


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ("id", "owner", "first_name", "last_name", "company", "updated_at")
    search_fields = ("first_name", "last_name", "company", "owner__username")
    raw_id_fields = ("owner",)


@admin.register(UserBlock)
class UserBlockAdmin(ReadOnlyAdmin):
    list_display = ("id", "blocker", "blocked", "created_at")
    search_fields = ("blocker__username", "blocked__username")
    raw_id_fields = ("blocker", "blocked")


@admin.register(PushSubscription)
class PushSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "platform", "device_udid", "created_at")
    list_filter = ("platform",)
    search_fields = ("user__username", "device_udid")
    raw_id_fields = ("user",)


@admin.register(PushEvent)
class PushEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "sender", "attempts", "sent_at", "created_at")
    list_filter = ("sent_at", "created_at")
    raw_id_fields = ("sender",)


@admin.register(PushDelivery)
class PushDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "event", "subscription", "attempts", "next_attempt_at", "sent_at", "created_at")
    list_filter = ("sent_at", "created_at")
    search_fields = ("subscription__user__username", "subscription__device_udid", "last_error")
    raw_id_fields = ("event", "subscription")
