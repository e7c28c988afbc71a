"""The patient's sign-in, sign-out and the invitation link where they choose a password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from benzodetox.core.errors import InputError
from benzodetox.web.accounts.views import ThrottledLoginView
from benzodetox.web.audit.services import record

from . import services
from .access import account_for_user
from .forms import AcceptForm, PortalLoginForm

__all__ = ["PortalLoginView", "accept", "sign_out"]

_BACKEND = "benzodetox.web.accounts.backends.ThrottledModelBackend"

_LINK_WORDS = {
    "unknown": "This link does not work. Check you typed all of it, or ask your care team "
    "for a new one.",
    "used": "This link has been used already. Sign in with the name and password you chose.",
    "revoked": "This link was cancelled by your care team. Ask them for a new one.",
    "expired": "This link is too old. Ask your care team for a new one.",
}


class PortalLoginView(ThrottledLoginView):
    """The staff sign-in's form and throttle, for patients only."""

    template_name = "portal/login.html"
    authentication_form = PortalLoginForm

    def get_default_redirect_url(self) -> str:
        return reverse("portal:today")

    def get_success_url(self) -> str:
        target = self.get_redirect_url()
        return target if target.startswith("/portal/") else reverse("portal:today")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = account_for_user(request.user)
        if account is not None and account.is_active:
            return HttpResponseRedirect(reverse("portal:today"))
        return super().get(request, *args, **kwargs)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    account = account_for_user(request.user)
    if account is not None:
        record(request, "portal.signed_out", patient=account.patient,
               summary="the patient signed out")
    logout(request)
    return HttpResponseRedirect(reverse("portal:login"))


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: choose a sign-in name and a password, then go to today's page."""
    invitation = services.find_invitation(token)
    state = services.invitation_state(invitation)
    if state != "valid":
        return render(
            request, "portal/link_invalid.html", {"message": _LINK_WORDS[state]}, status=410
            if state in ("used", "revoked", "expired") else 404,
        )
    if request.user.is_authenticated and account_for_user(request.user) is None:
        return render(
            request,
            "portal/link_invalid.html",
            {"message": "You are signed in as staff. Sign out first: this link is for the "
             "patient."},
            status=403,
        )
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.accept(
                request,
                token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except InputError as error:
            field = {"username": "username", "password": "password1"}.get(error.field)
            form.add_error(field, _input_message(error))
        else:
            login(request, account.user, backend=_BACKEND)
            return HttpResponseRedirect(reverse("portal:today"))
    return render(request, "portal/accept.html", {"form": form})


def _input_message(error: InputError) -> str:
    if error.field == "password":
        return str(error.allowed)
    if error.field == "username":
        return f"Choose another sign-in name: {error.allowed}."
    return _LINK_WORDS.get(str(error.value), "This link does not work.")
