"""Programmes (sites running a detox programme) and the role each user holds in each."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models

from .roles import Role

__all__ = ["Membership", "Programme", "Role"]


class Programme(models.Model):
    name = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Roles whose members must sign in with an authenticator app; null = the deployment's
    # default (settings.TWO_FACTOR_DEFAULT_ROLES: prescribers and admins in production).
    two_factor_roles = models.JSONField(null=True, blank=True, default=None)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def roles_needing_two_factor(self) -> frozenset[str]:
        chosen: Iterable[object] = self.two_factor_roles or ()
        if self.two_factor_roles is None:
            chosen = getattr(settings, "TWO_FACTOR_DEFAULT_ROLES", ())
        return frozenset(str(role) for role in chosen if role in Role.values)


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
