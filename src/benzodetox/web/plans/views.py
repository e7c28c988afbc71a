"""Plan builder with live htmx preview, saved versions, prescriber approval, printable view."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from benzodetox.core.errors import InputError
from benzodetox.web.audit.services import record
from benzodetox.web.patients.services import get_patient, latest_intake
from benzodetox.web.programmes.services import allowed

from . import services
from .forms import (
    ALTERNATIVE_PARAM,
    PlanForm,
    apply_changes,
    decode_changes,
    describe_change,
    initial_parameters,
)
from .models import PlanVersion


def _preview_context(form: PlanForm, patient: Any) -> dict[str, Any]:
    """Validate and build; errors land on the form's fields (nothing entered is lost)."""
    context: dict[str, Any] = {"form": form, "patient": patient, "preview": None}
    regimen = services.current_regimen(patient)
    if regimen is None:
        form.is_valid()
        form.add_error(None, "Record the patient's current regimen before building a plan.")
        return context
    if not form.is_valid():
        return context
    try:
        preview = services.build_preview(form.plan_request(regimen))
    except InputError as error:
        form.add_core_error(error)
        return context
    context.update(
        preview=preview,
        rows=services.step_rows(preview.plan),
        chart=services.chart_svg(preview.plan),
        citation=services.source_citation(preview.plan.source),
    )
    context["departures"] = services.departures(preview.plan)
    context["alternatives"] = services.alternative_rows(preview.plan, context["departures"])
    return context


def _posted_form(request: HttpRequest) -> tuple[PlanForm, dict[str, Any]]:
    """The builder form as posted; when an alternative's button was pressed, with its changes
    applied (nothing is saved): the context then names what was applied and which fields
    changed, so the preview can update those controls in the form too."""
    data: QueryDict = request.POST
    extra: dict[str, Any] = {"applied": (), "changed_fields": (), "changed_names": ()}
    text = data.get(ALTERNATIVE_PARAM)
    if text is None:
        return PlanForm(data), extra
    try:
        changes = decode_changes(text)
    except InputError as error:
        form = PlanForm(data)
        form.is_valid()
        form.add_error(None, str(error))
        return form, extra
    data, changed = apply_changes(data, changes)
    form = PlanForm(data)
    extra["applied"] = tuple(describe_change(name, value) for name, value in changes)
    extra["changed_fields"] = tuple(form[name] for name in changed)
    extra["changed_names"] = changed
    return form, extra


@require_http_methods(["GET", "POST"])
def builder(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient(request, pk, "plan.draft")
    latest, previous = services.previous_parameters(patient)
    if request.method == "POST":
        form, extra = _posted_form(request)
        context = _preview_context(form, patient)
        context.update(extra)
        if context["preview"] is not None and ALTERNATIVE_PARAM not in request.POST:
            reason = form.cleaned_data.get("reason", "")
            if not reason.strip():
                form.add_error("reason", "Say why this version is made (e.g. 'first plan').")
            else:
                try:
                    version = services.save_version(
                        request,
                        patient,
                        context["preview"].request,
                        form.parameters(),
                        reason,
                        based_on=latest,
                    )
                except InputError as error:
                    form.add_core_error(error)
                else:
                    messages.success(
                        request,
                        f"Saved as version {version.number}"
                        + (
                            ""
                            if allowed(request.user, "plan.approve", patient.programme_id)
                            else "; a prescriber must approve it"
                        )
                        + ".",
                    )
                    return HttpResponseRedirect(
                        reverse("plans:detail", args=[patient.pk, version.number])
                    )
    else:
        intake = latest_intake(patient)
        form = PlanForm(
            initial=initial_parameters(previous, intake.equivalence_table if intake else None)
        )
        record(request, "patient.viewed", obj=patient, patient=patient, summary="plan builder")
        context = {"form": form, "patient": patient, "preview": None}
        if previous is not None:
            bound = PlanForm({k: v for k, v in previous.items() if v not in (None, False)})
            context = _preview_context(bound, patient)
            context["form"] = form
    context["latest"] = latest
    return render(request, "plans/builder.html", context)


@require_POST
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx fragment: step table, chart and warnings for the parameters as they stand."""
    patient = get_patient(request, pk, "plan.draft")
    form, extra = _posted_form(request)
    context = _preview_context(form, patient)
    context.update(extra)
    return render(request, "plans/_fragment_preview.html", context)


def _version_context(request: HttpRequest, patient: Any, version: PlanVersion) -> dict[str, Any]:
    plan = services.plan_of(version)
    approval = getattr(version, "approval", None) if _has_approval(version) else None
    newest_approved = (
        patient.plan_versions.filter(approval__isnull=False).order_by("-number").first()
    )
    return {
        "patient": patient,
        "version": version,
        "approval": approval,
        "superseded": bool(
            approval and newest_approved and newest_approved.number > version.number
        ),
        "plan": plan,
        "warnings": tuple(dict.fromkeys(plan.warnings)),
        "rows": services.step_rows(plan),
        "chart": services.chart_svg(plan),
        "citation": services.source_citation(plan.source),
        "can_approve": approval is None
        and allowed(request.user, "plan.approve", patient.programme_id),
        "can_draft": allowed(request.user, "plan.draft", patient.programme_id),
        "versions": list(patient.plan_versions.select_related("created_by").order_by("-number")),
    }


def _has_approval(version: PlanVersion) -> bool:
    try:
        version.approval  # noqa: B018
    except PlanVersion.approval.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return False
    return True


def detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    patient = get_patient(request, pk, "plan.view")
    version = services.get_version(patient, number)
    record(request, "plan.viewed", obj=version, patient=patient, summary=f"v{number}")
    return render(request, "plans/detail.html", _version_context(request, patient, version))


def print_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    patient = get_patient(request, pk, "plan.view")
    version = services.get_version(patient, number)
    record(request, "plan.printed", obj=version, patient=patient, summary=f"v{number}")
    return render(request, "plans/print.html", _version_context(request, patient, version))


@require_POST
def approve(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    patient = get_patient(request, pk, "plan.approve")
    version = services.get_version(patient, number)
    try:
        services.approve(request, version, request.POST.get("note", ""))
    except InputError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Version {number} approved.")
    return HttpResponseRedirect(reverse("plans:detail", args=[patient.pk, number]))
