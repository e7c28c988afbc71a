"""Who may use the portal, and the audit of what a patient does there.

:func:`portal_view` wraps every patient page: the signed-in user must hold an active
:class:`PortalAccount`. It sets ``request.portal_account`` and ``request.portal_patient`` and
limits every query to the patient's programme for the view (the view itself filters by the
patient). Anonymous visitors go to the portal sign-in; a staff user gets 403; a revoked account is
signed out on its next request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from benzodetox.web.audit.services import record
from benzodetox.web.programmes.scoping import scope_programmes, unscoped

from .models import PortalAccount

__all__ = ["account_for_user", "audit_portal", "is_patient_user", "portal_view"]

_CACHE = "_benzodetox_portal_account"


def account_for_user(user: Any) -> PortalAccount | None:
    """The user's portal account (active or revoked), or None for staff and anonymous users.

    Looked up by the user's id across programmes: this is how the request learns which
    programme's scope to open, so no scope is active yet. Cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, _CACHE):
        with unscoped():
            found = (
                PortalAccount.objects.select_related("patient", "programme")
                .filter(user_id=user.pk)
                .first()
            )
        setattr(user, _CACHE, found)
    cached: PortalAccount | None = getattr(user, _CACHE)
    return cached


def is_patient_user(user: Any) -> bool:
    """True for a patient's account, revoked or not: such a user never reaches staff pages."""
    return account_for_user(user) is not None


def _to_login(request: HttpRequest) -> HttpResponse:
    login = reverse("portal:login")
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=401)
        response["HX-Redirect"] = login
        return response
    return HttpResponseRedirect(f"{login}?next={quote(request.get_full_path())}")


def portal_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a patient page: only the patient signed in with an active account gets it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _to_login(request)
        account = account_for_user(request.user)
        if account is None:
            raise PermissionDenied("the portal is for patients: staff use the staff pages")
        if not account.is_active:
            logout(request)
            messages.info(request, "Your access to the portal has ended. Ask your care team.")
            return HttpResponseRedirect(reverse("portal:login"))
        request.portal_account = account  # type: ignore[attr-defined]
        request.portal_patient = account.patient  # type: ignore[attr-defined]
        with scope_programmes({account.programme_id}):
            return view(request, *args, **kwargs)

    return wrapped


def audit_portal(
    request: HttpRequest,
    action: str,
    *,
    obj: Any = None,
    summary: str = "",
    **details: Any,
) -> None:
    """One audit row with the patient as the actor (their portal user) and the patient as the
    subject: every read and write in the portal is recorded through here."""
    patient = request.portal_patient  # type: ignore[attr-defined]
    record(
        request,
        action,
        obj=obj,
        patient=patient,
        summary=summary or f"by the patient: {action}",
        detail={"by": "patient", **details},
        user=request.user,
    )
