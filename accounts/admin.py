from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Contact, DeviceSession, PhoneVerification, PushEvent, PushSubscription, User, UserBlock


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
        *DjangoUserAdmin.fieldsets,
        ("Chat", {"fields": ("phone", "country_code", "phone_number", "about", "last_activity_at")}),
    )


@admin.register(DeviceSession)
class DeviceSessionAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "device_id", "name", "created_at", "last_seen_at")
    search_fields = ("user__username", "device_id", "name")
    list_filter = ("created_at",)
    raw_id_fields = ("user",)


@admin.register(PhoneVerification)
class PhoneVerificationAdmin(admin.ModelAdmin):
    list_display = ("id", "country_code", "phone_number", "attempts", "verified_at", "created_at", "expires_at")
    search_fields = ("phone_number",)
    list_filter = ("created_at",)
    exclude = ("code_hash",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "first_name", "last_name", "company", "updated_at")
    search_fields = ("first_name", "last_name", "company", "owner__username")
    raw_id_fields = ("owner",)


@admin.register(UserBlock)
class UserBlockAdmin(admin.ModelAdmin):
    list_display = ("id", "blocker", "blocked", "created_at")
    search_fields = ("blocker__username", "blocked__username")
    raw_id_fields = ("blocker", "blocked")


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "platform", "device_udid", "created_at")
    list_filter = ("platform",)
    search_fields = ("user__username", "device_udid")
    raw_id_fields = ("user",)


@admin.register(PushEvent)
class PushEventAdmin(admin.ModelAdmin):
    list_display = ("id", "sender", "attempts", "sent_at", "created_at")
    list_filter = ("sent_at", "created_at")
    raw_id_fields = ("sender",)
