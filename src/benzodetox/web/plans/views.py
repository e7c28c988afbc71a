"""Plan builder with live htmx preview, saved versions, prescriber approval, printable view."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from benzodetox.core.errors import InputError
from benzodetox.web.audit.services import record
from benzodetox.web.patients.services import get_patient, latest_intake
from benzodetox.web.programmes.services import allowed, chosen_programme, require

from . import services
from .forms import (
    ALTERNATIVE_PARAM,
    STRATEGY_LABELS,
    ApproveForm,
    PlanForm,
    PlanPolicyForm,
    apply_changes,
    decode_changes,
    describe_change,
    initial_parameters,
    strategy_changes,
    with_strategy_figures,
)
from .models import PlanSignature, PlanVersion

#: Posted by the strategy control when it changes: the form takes the new strategy's figures.
STRATEGY_CHANGED = "strategy_changed"
#: The programme-wide action that edits the plan policy: programme admins only (the roles table
#: has no plans-specific action yet).
POLICY_ACTION = "plan.policy"


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
    context["past_start"] = form.past_start_note(timezone.localdate())
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
    strategy = data.get("strategy", "")
    if STRATEGY_CHANGED in data and strategy in STRATEGY_LABELS:
        data, changed = apply_changes(data, strategy_changes(strategy))
        data.pop(STRATEGY_CHANGED, None)
        form = PlanForm(data)
        label = STRATEGY_LABELS[strategy]
        extra["applied"] = (
            (f"{form[name].label}", f"{data.get(name) or 'empty'} ({label})") for name in changed
        )
        extra["applied"] = tuple(extra["applied"])
        extra["changed_fields"] = tuple(form[name] for name in changed)
        extra["changed_names"] = changed
        return form, extra
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
        saving = ALTERNATIVE_PARAM not in request.POST and STRATEGY_CHANGED not in request.POST
        if context["preview"] is not None and saving:
            reason = form.cleaned_data.get("reason", "")
            form.check_start(timezone.localdate())
            if not reason.strip():
                form.add_error("reason", "Say why this version is made (e.g. 'first plan').")
            if form.errors:
                context["preview"] = None  # nothing is saved: the form says what to correct
            else:
                try:
                    version = services.save_version(
                        request,
                        patient,
                        context["preview"].request,
                        form.parameters(),
                        _with_past_start(reason, form),
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
        level = intake.decided_level or intake.level_of_care if intake else ""
        form = PlanForm(
            initial=initial_parameters(
                previous, intake.equivalence_table if intake else None, level or None
            )
        )
        record(request, "patient.viewed", obj=patient, patient=patient, summary="plan builder")
        context = {"form": form, "patient": patient, "preview": None}
        if previous is not None:
            carried = with_strategy_figures(previous)
            bound = PlanForm({k: v for k, v in carried.items() if v not in (None, False)})
            context = _preview_context(bound, patient)
            context["form"] = form
    context["latest"] = latest
    facts = services.builder_facts(patient)
    context["facts"] = facts
    context["proposed_label"] = STRATEGY_LABELS.get(
        facts.proposal.strategy, facts.proposal.strategy
    )
    return render(request, "plans/builder.html", context)


def _with_past_start(reason: str, form: PlanForm) -> str:
    """The version's reason, with the clinician's confirmation of a past start date."""
    if form.cleaned_data.get("confirm_past_start") and form.cleaned_data.get("start"):
        why = (form.cleaned_data.get("past_start_reason") or "").strip()
        start = form.cleaned_data["start"]
        if start < timezone.localdate():
            return f"{reason.strip()} (start date {start.isoformat()} in the past: {why})"
    return reason


@require_POST
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx fragment: step table, chart and warnings for the parameters as they stand."""
    patient = get_patient(request, pk, "plan.draft")
    # The preview shows the patient's regimen and a plan for it: a read like any other.
    record(request, "plan.previewed", patient=patient, summary="plan builder preview")
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
        "approve_form": ApproveForm(otp=services.has_authenticator(request.user)),
        "signatures": services.signatures_of(version),
        "two_person": services.two_person_approval(patient.programme_id),
        "can_draft": allowed(request.user, "plan.draft", patient.programme_id),
        "versions": list(patient.plan_versions.select_related("created_by").order_by("-number")),
    }


def _has_approval(version: PlanVersion) -> bool:
    try:
        version.approval  # noqa: B018
    except PlanVersion.approval.RelatedObjectDoesNotExist:
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
    """Approve after an explicit confirmation and re-authentication; a refusal (no tick, wrong
    password or code) approves nothing and shows the page again with the message."""
    patient = get_patient(request, pk, "plan.approve")
    version = services.get_version(patient, number)
    form = ApproveForm(request.POST, otp=services.has_authenticator(request.user))
    if form.is_valid():
        try:
            services.confirm_identity(
                request, form.cleaned_data.get("password", ""), form.cleaned_data.get("token", "")
            )
            result = services.approve(request, version, form.cleaned_data.get("note", ""))
        except InputError as error:
            if error.field in form.fields:
                form.add_error(
                    error.field,
                    f"Not approved: {error.value} was not accepted; enter {error.allowed}.",
                )
            else:
                form.add_error(None, f"Not approved: {error}")
        else:
            if isinstance(result, PlanSignature):
                messages.success(
                    request,
                    f"Version {number}: your approval is recorded as the first signature; a "
                    "second prescriber must approve it too.",
                )
            else:
                messages.success(request, f"Version {number} approved.")
            return HttpResponseRedirect(reverse("plans:detail", args=[patient.pk, number]))
    context = _version_context(request, patient, version)
    context["approve_form"] = form
    return render(request, "plans/detail.html", context, status=200)


@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest) -> HttpResponse:
    """The programme's plan policy (two-person approval); programme admins change it."""
    programmes, programme = chosen_programme(request, "plan.view")
    can_edit = allowed(request.user, POLICY_ACTION, programme.pk)
    current = services.plan_policy(programme.pk)
    form = PlanPolicyForm(
        request.POST or None,
        initial={"two_person_approval": bool(current and current.two_person_approval)},
    )
    if request.method == "POST":
        require(request.user, POLICY_ACTION, programme.pk)
        if form.is_valid():
            on = bool(form.cleaned_data["two_person_approval"])
            services.save_plan_policy(request, programme.pk, on, POLICY_ACTION)
            messages.success(
                request,
                f"Plan policy of {programme.name} saved: "
                + ("two prescribers approve each version." if on else "one prescriber approves."),
            )
            return HttpResponseRedirect(reverse("plans:policy") + f"?programme={programme.pk}")
    else:
        record(request, "plan.policy_viewed", programme=programme.pk)
    return render(
        request,
        "plans/policy.html",
        {
            "programmes": programmes,
            "programme": programme,
            "policy": current,
            "form": form,
            "can_edit": can_edit,
        },
    )
