"""The programme's outcomes page (admins and prescribers), its de-identified CSV and its PDF
summary. Every view is audited; every figure comes from the core with small cells hidden."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from benzodetox.core.outcomes import CSV_COLUMNS, csv_row, select
from benzodetox.web.audit.services import record
from benzodetox.web.programmes.models import Programme
from benzodetox.web.programmes.roles import Role, roles_allowed
from benzodetox.web.programmes.services import chosen_programme, role_in

from . import services
from .forms import FilterForm, SettingsForm
from .models import OutcomeSettings
from .report import figures

__all__ = ["ALLOWED_ROLES", "export_csv", "page", "settings_view", "summary_pdf"]

#: who sees programme outcomes: its admins and prescribers
ALLOWED_ROLES = roles_allowed("outcomes.view")


#: seconds a page view may spend computing outcomes (a programme's first view continues over
#: several views rather than holding one request for minutes)
BUDGET_SECONDS = 3.0
#: a page view within this many seconds of the programme's last refresh uses the outcomes the
#: server holds (programme figures may be that much behind the records)
FRESH_SECONDS = 30.0


def _context(
    request: HttpRequest, budget: float | None
) -> tuple[list[Programme], Programme, FilterForm, list[Any], int]:
    programmes, programme = chosen_programme(request, "patient.view")
    if role_in(request.user, programme.pk) not in ALLOWED_ROLES:
        raise PermissionDenied("programme outcomes are for the programme's admins and prescribers")
    outcomes, remaining = services.outcomes_within(
        programme.pk, timezone.localdate(), budget, FRESH_SECONDS
    )
    data = request.GET.copy()
    data.pop("programme", None)
    form = FilterForm(data or None, outcomes=outcomes)
    cohort = select(outcomes, form.cohort_filter())
    return programmes, programme, form, cohort, remaining


@require_GET
def page(request: HttpRequest) -> HttpResponse:
    programmes, programme, form, cohort, remaining = _context(request, BUDGET_SECONDS)
    defs = services.definitions_for(programme.pk)
    record(
        request,
        "outcomes.viewed",
        programme=programme.pk,
        summary=f"programme outcomes of {programme.name}",
        detail={"filters": form.described()},
    )
    query = request.GET.urlencode()
    return HttpResponse(
        render_to_string(
            "outcomes/page.html",
            {
                "programmes": programmes,
                "programme": programme,
                "form": form,
                "f": figures(cohort, defs),
                "query": query,
                "today": timezone.localdate(),
                "is_admin": role_in(request.user, programme.pk) == Role.ADMIN,
                "remaining": remaining,
            },
            request=request,
        )
    )


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    """One de-identified row per patient episode of the filtered cohort."""
    _programmes, programme, form, cohort, _remaining = _context(request, budget=None)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for outcome in sorted(cohort, key=lambda o: o.episode):
        writer.writerow(csv_row(outcome))
    record(
        request,
        "outcomes.exported",
        programme=programme.pk,
        summary=f"de-identified outcomes CSV of {programme.name} ({len(cohort)} episodes)",
        detail={"filters": form.described(), "rows": len(cohort), "format": "csv"},
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="outcomes-{stamp}.csv"'
    return response


@require_GET
def summary_pdf(request: HttpRequest) -> HttpResponse:
    """The page's figures as a PDF for the filtered period."""
    from benzodetox.web.outcomes.pdf import summary_pdf as render_pdf

    _programmes, programme, form, cohort, _remaining = _context(request, budget=None)
    defs = services.definitions_for(programme.pk)
    body = render_pdf(programme.name, form.described(), figures(cohort, defs), timezone.localdate())
    record(
        request,
        "outcomes.exported",
        programme=programme.pk,
        summary=f"outcomes summary PDF of {programme.name}",
        detail={"filters": form.described(), "format": "pdf"},
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="outcomes-{timezone.localdate().isoformat()}.pdf"'
    )
    return response


@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    """The programme's own outcome definitions (its admins change them)."""
    programmes, programme = chosen_programme(request, "patient.view")
    if role_in(request.user, programme.pk) not in roles_allowed("outcomes.settings"):
        raise PermissionDenied("the outcome definitions are changed by the programme's admins")
    current = OutcomeSettings.objects.filter(programme_id=programme.pk).first()
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in SettingsForm.Meta.fields}
        services.save_settings(request, programme.pk, values)
        messages.success(request, f"Outcome definitions of {programme.name} saved.")
        return HttpResponseRedirect(reverse("outcomes:page") + f"?programme={programme.pk}")
    return render(
        request,
        "outcomes/settings.html",
        {
            "programmes": programmes,
            "programme": programme,
            "form": form,
            "rows": services.definitions_for(programme.pk),
        },
    )
