"""The audit log in the admin: read-only (no add, change or delete). A superuser sees every
programme's events and those without a programme (sign-ins), whatever their memberships."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from benzodetox.web.programmes.scoping import unscoped

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("at", "username", "action", "programme", "patient", "summary", "ip")
    list_filter = ("action", "programme")
    search_fields = ("username", "summary", "request_id")
    list_select_related = ("programme", "patient")

    def get_queryset(self, request: HttpRequest) -> Any:
        if getattr(request.user, "is_superuser", False):
            # The scope filter is applied when the queryset is made; later chaining keeps it.
            with unscoped():
                return super().get_queryset(request)
        return super().get_queryset(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
