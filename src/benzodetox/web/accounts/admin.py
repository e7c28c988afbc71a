"""Users, sign-in throttles and reset links in the Django admin.

Changing a user's is_superuser / is_staff / is_active here (or adding or deleting a user, or
setting their password) is an audit event naming who, whom and before → after. Clearing a
throttle is an audited unlock. A user whom a clinical record names (as its author, approver,
or the author of a history row) cannot be deleted: the admin lists those records as protected and
the account is deactivated instead — the database would refuse to blank the name anyway
(``web/immutable.py``)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from benzodetox.web.audit.services import record
from benzodetox.web.immutable import GUARDED

from . import throttle
from .models import ResetLink, SignInThrottle

User = get_user_model()
FLAGS = ("is_superuser", "is_staff", "is_active")


def _flags(user: Any) -> dict[str, bool]:
    return {flag: bool(getattr(user, flag)) for flag in FLAGS}


def _words(flags: dict[str, bool]) -> str:
    return ", ".join(f"{flag}={'yes' if on else 'no'}" for flag, on in flags.items())


def records_naming(user: Any) -> list[str]:
    """Each kind of immutable record that names ``user`` (through any foreign key), with how
    many: these stand in the way of deleting the account."""
    guarded = {g.table for g in GUARDED}
    found: list[str] = []
    for model in apps.get_models():
        if model._meta.db_table not in guarded:
            continue
        for field in model._meta.get_fields():
            if not (isinstance(field, models.ForeignKey) and field.related_model is User):
                continue
            count = model._base_manager.filter(**{field.name: user}).count()
            if count:
                found.append(
                    f"{count} {model._meta.verbose_name_plural} naming "
                    f"{user.get_username()} ({field.verbose_name})"
                )
    return found


class AuditedUserAdmin(UserAdmin):  # type: ignore[type-arg]
    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """Django's list, with the clinical records that name a user added as protected: the
        admin then refuses the delete and says why (deactivate the account instead)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected)
        for user in objs:
            protected.extend(records_naming(user))
        return deleted, counts, perms_needed, protected

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        previous = User.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        name = obj.get_username()
        after = _flags(obj)
        if previous is None:
            record(
                request,
                "account.created",
                obj=obj,
                summary=f"account {name} created ({_words(after)}) (Django admin)",
                detail={"member": name, "to": after, "via": "admin"},
            )
            return
        before = _flags(previous)
        changed = {flag for flag in FLAGS if before[flag] != after[flag]}
        if changed:
            record(
                request,
                "account.rights_changed",
                obj=obj,
                summary=f"{name}: "
                + "; ".join(
                    f"{flag} {'yes' if before[flag] else 'no'} → {'yes' if after[flag] else 'no'}"
                    for flag in FLAGS
                    if flag in changed
                )
                + " (Django admin)",
                detail={
                    "member": name,
                    "from": {f: before[f] for f in changed},
                    "to": {f: after[f] for f in changed},
                    "via": "admin",
                },
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._audit_deleted(request, obj)
        super().delete_model(request, obj)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Setting someone's password here is as strong as a reset link: audited too."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.filter(pk=id).first()
            if user is not None:
                record(
                    request,
                    "account.password_set_by_admin",
                    obj=user,
                    summary=f"password of {user.get_username()} set (Django admin)",
                    detail={"member": user.get_username(), "via": "admin"},
                )
        return response

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for user in queryset:
            self._audit_deleted(request, user)
        super().delete_queryset(request, queryset)

    @staticmethod
    def _audit_deleted(request: HttpRequest, user: Any) -> None:
        name = user.get_username()
        record(
            request,
            "account.deleted",
            summary=f"account {name} deleted ({_words(_flags(user))}) (Django admin)",
            detail={"member": name, "from": _flags(user), "via": "admin", "user_id": user.pk},
        )


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, AuditedUserAdmin)


@admin.register(SignInThrottle)
class SignInThrottleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("kind", "key", "failures", "last_failure_at", "locked_until")
    list_filter = ("kind",)
    search_fields = ("key", "username")
    readonly_fields = ("kind", "key", "username", "failures", "last_failure_at", "locked_until")
    actions = ("unlock",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Unlock: clear these counters and their delays")
    def unlock(self, request: HttpRequest, queryset: QuerySet[SignInThrottle]) -> None:
        self._clear(request, list(queryset))
        messages.success(request, "Unlocked.")

    def delete_model(self, request: HttpRequest, obj: SignInThrottle) -> None:
        self._clear(request, [obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SignInThrottle]) -> None:
        self._clear(request, list(queryset))

    @staticmethod
    def _clear(request: HttpRequest, rows: list[SignInThrottle]) -> None:
        for row in rows:
            if row.kind == SignInThrottle.Kind.USERNAME:
                cleared = throttle.unlock_user(row.key)
            else:
                cleared, _ = SignInThrottle.objects.filter(pk=row.pk).delete()
            record(
                request,
                "account.unlocked",
                obj=row,
                summary=f"sign-in delays of {row.get_kind_display().lower()} {row.key} cleared "
                "(Django admin)",
                detail={"kind": row.kind, "key": row.key, "counters": cleared, "via": "admin"},
            )


@admin.register(ResetLink)
class ResetLinkAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "issued_by_name", "created_at", "expires_at", "used_at")
    readonly_fields = ("user", "issued_by", "issued_by_name", "created_at", "expires_at", "used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
