"""The staff side of the portal (under /portal/staff/, behind the staff sign-in): invite a
patient (a one-time link and its QR code, shown once) and revoke their access."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from benzodetox.web.patients.services import get_patient

from . import services
from .forms import InviteForm

__all__ = ["invite", "qr_svg", "revoke"]


def qr_svg(link: str) -> str:
    """The link as an inline SVG QR code, drawn by segno on the server (no script, no style
    attribute); its <title> names it for assistive technology."""
    code = segno.make(link, error="m")
    svg: str = code.svg_inline(
        scale=4, light="#fff", title="QR code of the invitation link", svgclass="portal-qr-code"
    )
    return svg


@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient(request, pk, "portal.invite")
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "E-mail: " + " ".join(str(e) for e in form.errors.get("email", [])))
        return HttpResponseRedirect(reverse("patients:detail", args=[patient.pk]))
    issued = services.invite(request, patient, email=form.cleaned_data["email"])
    return render(
        request,
        "portal/staff_invite.html",
        {
            "patient": patient,
            "issued": issued,
            "qr": qr_svg(issued.link),
            "hours": services.invite_hours(),
        },
    )


@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient(request, pk, "portal.invite")
    if services.revoke_access(request, patient):
        messages.success(request, "Portal access revoked: the patient is signed out.")
    else:
        messages.info(request, "The patient had no portal access to revoke.")
    return HttpResponseRedirect(reverse("patients:detail", args=[patient.pk]))
