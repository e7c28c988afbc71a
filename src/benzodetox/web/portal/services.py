"""Invitations, patient accounts and their revocation (the staff side of the portal).

A clinician with ``portal.invite`` makes a one-time link (:func:`invite`); the patient opens it
and chooses a sign-in name and a password (:func:`accept`), which creates the patient's user and
:class:`PortalAccount` — or gives a revoked account a new password. :func:`revoke_access` ends
the account and every session of it at its next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from benzodetox.core.errors import InputError
from benzodetox.web.audit.services import record
from benzodetox.web.env import env_int
from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.programmes.services import require

from .models import Invitation, PortalAccount, hash_token, new_token

__all__ = [
    "DEFAULT_INVITE_HOURS",
    "IssuedInvitation",
    "accept",
    "account_of",
    "find_invitation",
    "invitation_state",
    "invite",
    "invite_hours",
    "revoke_access",
]

#: how long an invitation link works unless BENZODETOX_PORTAL_INVITE_HOURS says otherwise
DEFAULT_INVITE_HOURS = 48


def invite_hours() -> int:
    """``BENZODETOX_PORTAL_INVITE_HOURS`` (a whole number ≥ 1), 48 by default."""
    return env_int("BENZODETOX_PORTAL_INVITE_HOURS", DEFAULT_INVITE_HOURS, minimum=1)


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    link: str  # the full address; shown once, never stored
    emailed: bool


def _absolute(request: HttpRequest | None, path: str) -> str:
    if request is not None and (request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME")):
        return request.build_absolute_uri(path)
    return f"{settings.BASE_URL}{path}"


def account_of(patient: Patient) -> PortalAccount | None:
    return PortalAccount.objects.filter(patient=patient).select_related("user").first()


def invite(request: HttpRequest, patient: Patient, *, email: str = "") -> IssuedInvitation:
    """A new one-time link for ``patient`` (earlier unused links stop working). E-mailed to
    ``email`` when the deployment has e-mail configured (``BENZODETOX_EMAIL``)."""
    require(request.user, "portal.invite", patient.programme_id)
    token = new_token()
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(patient=patient, used_at=None, revoked_at=None).update(
            revoked_at=now
        )
        invitation = Invitation.objects.create(
            patient=patient,
            token_hash=hash_token(token),
            created_by=request.user,
            expires_at=now + timedelta(hours=invite_hours()),
        )
    link = _absolute(request, reverse("portal:accept", args=[token]))
    emailed = bool(email) and bool(getattr(settings, "EMAIL_MODE", ""))
    if emailed:
        ends = timezone.localtime(invitation.expires_at)
        send_mail(
            "Your invitation to the patient portal",
            "Your care team invited you to see your taper plan on your phone.\n\n"
            f"Open this link to choose your password:\n{link}\n\n"
            f"The link works once and ends on {ends:%d %b %Y at %H:%M}.",
            None,
            [email],
        )
    record(
        request,
        "portal.invited",
        obj=invitation,
        patient=patient,
        summary=f"portal invitation (expires {invitation.expires_at:%Y-%m-%d %H:%M} UTC)",
        detail={"emailed": emailed, "hours": invite_hours()},
    )
    return IssuedInvitation(invitation, link, emailed)


def revoke_access(request: HttpRequest, patient: Patient) -> bool:
    """End the patient's portal access: the account (sessions end at their next request) and
    any unused invitation. False when there was nothing to revoke."""
    require(request.user, "portal.invite", patient.programme_id)
    now = timezone.now()
    with transaction.atomic():
        links = Invitation.objects.filter(patient=patient, used_at=None, revoked_at=None).update(
            revoked_at=now
        )
        accounts = PortalAccount.objects.filter(patient=patient, revoked_at=None).update(
            revoked_at=now, revoked_by=request.user
        )
    if links or accounts:
        record(
            request,
            "portal.revoked",
            patient=patient,
            summary="portal access revoked",
            detail={"account": bool(accounts), "invitations": links},
        )
    return bool(links or accounts)


def find_invitation(token: str) -> Invitation | None:
    """The invitation a link names (any state), across programmes: the visitor is not signed
    in, so the link alone says which patient it is for."""
    with unscoped():
        return (
            Invitation.objects.select_related("patient", "patient__programme")
            .filter(token_hash=hash_token(token))
            .first()
        )


def invitation_state(invitation: Invitation | None, now: datetime | None = None) -> str:
    """'valid', or why the link does not work: 'unknown', 'used', 'revoked', 'expired'."""
    now = now or timezone.now()
    if invitation is None:
        return "unknown"
    if invitation.used_at is not None:
        return "used"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= now:
        return "expired"
    return "valid"


def _check_username(username: str, existing: Any) -> str:
    name = username.strip()
    if not name:
        raise InputError("username", username, "a sign-in name")
    if len(name) > 150 or not all(c.isalnum() or c in "@.+-_" for c in name):
        raise InputError(
            "username", username, "up to 150 letters, digits and @ . + - _ (no spaces)"
        )
    users = get_user_model().objects.filter(username__iexact=name)
    if existing is not None:
        users = users.exclude(pk=existing.pk)
    if users.exists():
        raise InputError("username", username, "a sign-in name nobody uses yet")
    return name


def accept(
    request: HttpRequest | None, token: str, *, username: str, password: str
) -> PortalAccount:
    """Use the invitation: create the patient's account (or give a revoked one a new password
    and open it again). Raises ``InputError`` naming the field: 'link' when it does not work,
    'username' or 'password' (Django's password validators)."""
    with transaction.atomic(), unscoped():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("patient")
            .filter(token_hash=hash_token(token))
            .first()
        )
        state = invitation_state(invitation)
        if invitation is None or state != "valid":
            raise InputError("link", state, "an invitation link that is new, unused and current")
        patient = invitation.patient
        account: PortalAccount | None = (
            PortalAccount.objects.select_related("user").filter(patient=patient).first()
        )
        user = account.user if account is not None else None
        name = _check_username(username, user)
        candidate = user or get_user_model()(username=name)
        candidate.username = name
        try:
            validate_password(password, candidate)
        except ValidationError as error:
            raise InputError("password", "", " ".join(error.messages)) from None
        candidate.set_password(password)
        candidate.save()
        if account is None:
            account = PortalAccount.objects.create(
                programme_id=patient.programme_id,
                patient=patient,
                user=candidate,
                created_by=invitation.created_by,
            )
        else:
            account.revoked_at = None
            account.revoked_by = None
            account.save(update_fields=["revoked_at", "revoked_by"])
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
        record(
            request,
            "portal.account_opened",
            obj=account,
            patient=patient,
            summary="the patient accepted the portal invitation and set a password",
            detail={"by": "patient", "invitation": invitation.pk},
            user=candidate,
        )
    return account
