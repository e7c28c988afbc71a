"""Per-programme API tokens.

A token acts for one user in one programme: what it may do is bounded twice, by its scopes
(``read``, ``write``, ``approve``) and by the role its user holds in the programme now (a token
of a user who is no longer a member, or whose role does not allow an action, cannot do it).
Only a SHA-256 hash of the key is stored; the key itself is shown once, when it is created
(``auth.create_token``). Tokens are programme data: the default manager is the programme-scoped
one, and authentication looks a key up explicitly across programmes.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from benzodetox.web.programmes.scoping import ScopedManager

__all__ = ["SCOPES", "ApiToken"]

#: every scope a token may be granted, in the order they are shown
SCOPES: tuple[str, ...] = ("read", "write", "approve")


class ApiToken(models.Model):
    SCOPE_FIELD = "programme"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    # PROTECT: the audit log names the token's user; a user is deactivated, never deleted
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    #: the granted scopes, a subset of SCOPES (a list of strings)
    scopes = models.JSONField(default=list)
    #: the first characters of the key, shown in lists so a holder recognises their token
    prefix = models.CharField(max_length=16)
    #: SHA-256 of the key, hex; the key itself is never stored
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ("programme__name", "name")
        constraints = (
            models.UniqueConstraint(fields=["programme", "name"], name="one_token_name_per_prog"),
        )
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def is_active(self, now: datetime | None = None) -> bool:
        """Neither revoked nor expired at ``now`` (default: the current time)."""
        moment = timezone.now() if now is None else now
        return self.revoked_at is None and self.expires_at > moment

    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if not self.is_active():
            return "expired"
        return "active"
