"""Rows that are written once and never changed or removed (plan versions, approvals and
signatures, relapse-plan versions, adjunct notes, recorded assessments and advice).

Two layers: here the application refuses — ``save()`` of a saved row, ``delete()``, and the
queryset's ``update()``/``delete()`` raise :class:`ImmutableError` with a clear message — and
underneath the database refuses whatever path the write takes (triggers, see
``benzodetox.web.immutable``): ``_base_manager``, raw SQL, a database shell.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from benzodetox.web.programmes.scoping import ScopedManager

__all__ = ["ImmutableError", "WriteOnceModel", "WriteOnceQuerySet", "WriteOnceScopedManager"]


class ImmutableError(RuntimeError):
    """An attempt to change or remove a row that is written once."""


class WriteOnceQuerySet(models.QuerySet[Any]):
    """Bulk ``update()`` and ``delete()`` refuse: a correction is a new version."""

    def update(self, **kwargs: Any) -> int:
        raise ImmutableError(
            f"a saved {self.model._meta.verbose_name} is never changed: "
            "a correction is a new version with its reason"
        )

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableError(f"a saved {self.model._meta.verbose_name} is never removed")


class WriteOnceScopedManager(ScopedManager.from_queryset(WriteOnceQuerySet)):  # type: ignore[misc]
    """The programme-scoped default manager of a write-once model."""


class WriteOnceModel(models.Model):
    """Saving inserts a new row; saving it again or deleting it raises ImmutableError."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update"):
            raise ImmutableError(
                f"a saved {self._meta.verbose_name} is never changed: "
                "a correction is a new version with its reason"
            )
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError(f"a saved {self._meta.verbose_name} is never removed")
