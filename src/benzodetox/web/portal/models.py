"""Patient accounts of the portal, the one-time invitations that create them, the private
calendar-feed tokens, and what plan version a patient has already been shown.

A patient account is a Django user with a :class:`PortalAccount` and no programme membership:
it reaches the portal only (``access.portal_view``), never a staff page
(``accounts.middleware``). Invitation and feed tokens are stored hashed (SHA-256): the link
itself is shown once, to the clinician who made it.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models

from benzodetox.web.programmes.scoping import ScopedManager

__all__ = ["FeedToken", "Invitation", "PortalAccount", "hash_token", "new_token"]


def new_token() -> str:
    """A fresh random token for a link (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What is stored of a token: its SHA-256 (a leaked database gives no working link)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class PortalAccount(models.Model):
    """The patient's own sign-in: one per patient, one per user; revoked, never deleted."""

    SCOPE_FIELD = "programme"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="+"
    )
    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.PROTECT, related_name="portal_account"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="portal_account"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    #: the approved plan version the patient was last shown (a newer one is announced)
    seen_plan_number = models.PositiveIntegerField(null=True, blank=True)

    objects = ScopedManager()

    def __str__(self) -> str:
        return f"portal account of patient {self.patient_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Invitation(models.Model):
    """A one-time link a clinician gave the patient: used once, before ``expires_at``, unless
    revoked (a newer invitation revokes the older ones)."""

    SCOPE_FIELD = "patient__programme"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="portal_invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"portal invitation {self.pk} of patient {self.patient_id}"


class FeedToken(models.Model):
    """The patient's private calendar-feed address (its token hashed); revocable."""

    SCOPE_FIELD = "patient__programme"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="portal_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"calendar feed {self.pk} of patient {self.patient_id}"
