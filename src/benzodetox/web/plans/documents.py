"""The documents of an approved plan version, served under the plan version's URL: the
patient handout (PDF), the pharmacy order (PDF and CSV) and the calendar (.ics). Every
download shares one path — the plan version must be approved, a refusal names what to change,
and the export is audited (``plan.exported``). The documents themselves are made from the plan
exactly as saved, with the care plan's content (relapse plan, sessions, aftercare) and the
programme's pharmacy policy (``careplans.exports``, ``careplans.orders``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from benzodetox.core.errors import InputError
from benzodetox.web.audit.services import record
from benzodetox.web.careplans import exports, orders
from benzodetox.web.careplans.exports import Document
from benzodetox.web.careplans.pharmacy_policy import order_default
from benzodetox.web.patients.services import get_patient

from .models import PlanApproval, PlanVersion
from .services import get_version

__all__ = [
    "calendar_ics",
    "download",
    "handout_pdf",
    "pharmacy_order_csv",
    "pharmacy_order_pdf",
]

Make = Callable[[PlanVersion], Document]


def download(request: HttpRequest, pk: int, number: int, make: Make) -> HttpResponse:
    """The document ``make`` gives for an approved version, as an attachment, audited."""
    patient = get_patient(request, pk, "plan.export")
    version = get_version(patient, number)
    if not PlanApproval.objects.filter(plan_version=version).exists():
        messages.error(
            request,
            f"Version {number} is not approved: the handout, pharmacy order and calendar are "
            "available once a prescriber approves it.",
        )
        return HttpResponseRedirect(reverse("plans:detail", args=[patient.pk, number]))
    try:
        document = make(version)
    except InputError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("plans:detail", args=[patient.pk, number]))
    record(
        request,
        "plan.exported",
        obj=version,
        patient=patient,
        summary=f"exported {document.kind}: v{number} {document.what}",
        detail={
            "number": number,
            "format": document.kind,
            "document": document.what,
            "filename": document.filename,
        },
    )
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def handout_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    def make(version: PlanVersion) -> Document:
        return exports.handout(version, exports.parse_page_size(request.GET.get("size")))

    return download(request, pk, number, make)


@require_GET
def calendar_ics(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return download(request, pk, number, exports.calendar_ics)


def _order(request: HttpRequest, fmt: str) -> Make:
    """The pharmacy order for the period asked (``?period=``), else the programme's
    staged-supply default for the patient, whose reason the order then states."""

    def make(version: PlanVersion) -> Document:
        default = order_default(version.patient)
        days = orders.parse_period(request.GET.get("period"), default.key)
        note = default.note if default.staged and days == default.days else ""
        return orders.pharmacy_order(version, days, fmt, note)

    return make


@require_GET
def pharmacy_order_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return download(request, pk, number, _order(request, "pdf"))


@require_GET
def pharmacy_order_csv(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return download(request, pk, number, _order(request, "csv"))
