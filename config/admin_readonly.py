"""Admin bases for domain data that changes only through the services: shown, never edited there.

Adding, changing and Django's stock delete (which would skip the services' rules, events and
operations log) are off; where the admin may remove rows, an action calls the service instead."""

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows rows; no add, change or stock delete."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_service_delete_permission(self, request: HttpRequest) -> bool:
        """Whether the user may run an action that deletes through a service (Django's delete permission)."""
        return request.user.has_perm(f"{self.opts.app_label}.delete_{self.opts.model_name}")


class ReadOnlyTabularInline(admin.TabularInline):
    """Shows related rows inside another object's page; no add, change or delete."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
