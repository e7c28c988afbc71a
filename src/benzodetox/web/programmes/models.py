"""Programmes (sites running a detox programme) and the role each user holds in each."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .roles import Role

__all__ = ["Membership", "Programme", "Role"]


class Programme(models.Model):
    name = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """``user`` holds ``role`` in ``programme`` (one role per programme)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["user", "programme"], name="one_role_per_programme"),
        )
        ordering = ("programme__name", "user__username")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.programme}"
