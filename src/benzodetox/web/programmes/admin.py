"""Programmes and memberships in the Django admin. Every membership added, changed or deleted
here is an audit event naming who did it, whose membership, and the role before → after."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from benzodetox.web.audit.services import record

from .models import Membership, Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "created_at")
    search_fields = ("name",)


def _audit_membership(
    request: HttpRequest, action: str, membership: Membership, before: str, after: str
) -> None:
    member = membership.user.get_username()
    record(
        request,
        action,
        obj=membership.user,
        programme=membership.programme_id,
        summary=f"{member} in {membership.programme}: {before or 'not a member'} → "
        f"{after or 'not a member'} (Django admin)",
        detail={"member": member, "from": before, "to": after, "via": "admin"},
    )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "programme", "role", "created_at")
    list_filter = ("programme", "role")
    search_fields = ("user__username",)

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        previous = Membership.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        if previous is None:
            _audit_membership(request, "member.added", obj, "", obj.role)
            return
        if (previous.user_id, previous.programme_id) != (obj.user_id, obj.programme_id):
            # moved to another user or programme: the old membership ended, a new one began
            _audit_membership(request, "member.removed", previous, previous.role, "")
            _audit_membership(request, "member.added", obj, "", obj.role)
        elif previous.role != obj.role:
            _audit_membership(request, "member.role_changed", obj, previous.role, obj.role)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        _audit_membership(request, "member.removed", obj, obj.role, "")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.select_related("user", "programme"):
            _audit_membership(request, "member.removed", membership, membership.role, "")
        super().delete_queryset(request, queryset)
