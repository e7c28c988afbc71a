"""Downloads of an approved plan version: the checks and the audit every download shares, the
patient handout and the calendar (the pharmacy order's views are in ``orders``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from benzodetox.core.errors import InputError
from benzodetox.web.audit.services import record
from benzodetox.web.patients.services import get_patient
from benzodetox.web.plans.models import PlanApproval
from benzodetox.web.plans.services import get_version

from . import exports

__all__ = ["calendar_ics", "download", "handout_pdf"]


def download(request: HttpRequest, pk: int, number: int, make: Any) -> HttpResponse:
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
    def make(version: Any) -> exports.Document:
        return exports.handout(version, exports.parse_page_size(request.GET.get("size")))

    return download(request, pk, number, make)


@require_GET
def calendar_ics(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return download(request, pk, number, exports.calendar_ics)
