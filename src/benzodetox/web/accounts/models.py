"""Accounts use Django's user model; roles live on programme memberships (programmes app).

Here: the sign-in throttle's counters (in the database, so several app servers share them)
and the password-reset links an admin issued.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SignInThrottle(models.Model):
    """Failed sign-ins counted for one username, one client address or one trusted browser.

    ``locked_until`` is when the next attempt is allowed; attempts before it are refused without
    being counted and without moving it.
    """

    class Kind(models.TextChoices):
        USERNAME = "username", "Username"
        ADDRESS = "address", "Client address"
        DEVICE = "device", "Trusted browser"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    key = models.CharField(max_length=200)
    # the (normalised) username of a username or trusted-browser row; '' for an address
    username = models.CharField(max_length=200, blank=True, default="", db_index=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True, db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["kind", "key"], name="one_throttle_per_key"),
        )
        verbose_name = "sign-in throttle"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}: {self.failures} failures"


class ResetLink(models.Model):
    """A one-time password-reset link an admin issued (the token itself is Django's and is
    not stored; this row is what the link was, who made it, and whether it was used)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reset_links"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_by_name = models.CharField(max_length=160, blank=True, default="")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"reset link for {self.user} ({self.created_at:%Y-%m-%d %H:%M})"
