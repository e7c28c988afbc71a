"""The append-only audit log: who did or saw what, to which object, when and from where.

Rows are only ever inserted. ``save()`` refuses to update an existing row, ``delete()`` refuses,
and the queryset's ``update()``/``delete()`` refuse too, so no code path in the application can
change the record; the admin shows it read-only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from benzodetox.web.programmes.scoping import ScopedManager

__all__ = ["AppendOnlyError", "AuditEvent"]


class AppendOnlyError(RuntimeError):
    """An attempt to change or remove an audit event."""


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are append-only")


class AuditManager(ScopedManager.from_queryset(AuditQuerySet)):  # type: ignore[misc]
    pass


class AuditEvent(models.Model):
    SCOPE_FIELD = "programme"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # PROTECT: a user who appears in the log is deactivated, never deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    programme = models.ForeignKey(
        "programmes.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    objects = AuditManager()

    class Meta:
        ordering = ("-at", "-id")
        indexes = (models.Index(fields=["programme", "-at"], name="audit_programme_at"),)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update"):
            raise AppendOnlyError("audit events are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are append-only")
