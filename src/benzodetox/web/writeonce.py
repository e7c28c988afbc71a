"""Rows that are written once and never changed or removed (plan versions and approvals,
relapse-plan versions, adjunct notes, recorded assessments and advice)."""

from __future__ import annotations

from typing import Any

from django.db import models

__all__ = ["ImmutableError", "WriteOnceModel"]


class ImmutableError(RuntimeError):
    """An attempt to change or remove a row that is written once."""


class WriteOnceModel(models.Model):
    """Saving inserts a new row; saving it again or deleting it raises ImmutableError."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update"):
            raise ImmutableError(f"a saved {self._meta.verbose_name} is never changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError(f"a saved {self._meta.verbose_name} is never removed")
