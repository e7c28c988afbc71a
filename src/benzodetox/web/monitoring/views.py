"""Monitoring pages (the programme dashboard is in ``dashboard``): a patient's trends with the
advice beside the plan, quick entry of assessments (with a live running total), corrections,
alerts and the programme's thresholds. Views are thin: they check the role, validate a form,
call a service (``recording``, ``advice``, ``programme_settings``, ``alerts``) and render what
``queries`` reads through the scope. Every page showing patient data appends an audit event.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from benzodetox.core.assessment import instrument
from benzodetox.core.errors import InputError
from benzodetox.web.audit.services import record
from benzodetox.web.checkins import services as checkins
from benzodetox.web.patients.models import Patient
from benzodetox.web.patients.services import get_patient
from benzodetox.web.plans import services as plans_services
from benzodetox.web.plans.models import PlanApproval
from benzodetox.web.programmes.services import allowed, chosen_programme, require

from . import alerts, queries
from .advice import advice_key, apply_advice
from .forms import SettingsForm, form_for, initial_from, now_local
from .models import INSTRUMENT_KINDS, Assessment, Kind, Rater
from .programme_settings import policy_for, save_settings, settings_for
from .recording import action_for, describe, record_assessment
from .running import running_total

KINDS = dict(Kind.choices)
# ----------------------------------------------------------------------------- patient


def patient_monitoring(request: HttpRequest, pk: int) -> HttpResponse:
    """A patient's trends, what is due, alerts, the advice beside the plan, entries."""
    patient = get_patient(request, pk, "monitoring.view")
    record(request, "patient.viewed", obj=patient, patient=patient, summary="monitoring")
    today = timezone.localdate()
    seen = queries.patient_overview(patient, today, timezone.now())
    advice = seen.advice
    recent = queries.recent_alerts(patient)
    context = {
        "patient": patient,
        "policy": seen.policy,
        "version": seen.version,
        "latest": seen.latest,
        "pending": seen.pending,
        "plan": seen.plan,
        "step": seen.step,
        "next_step": seen.next_step,
        "advice": advice,
        "advice_key": advice_key(advice) if advice is not None else "",
        # the escalation's actions are shown once, in their own box, not again as reasons
        "escalation_codes": (
            {a.code for a in advice.escalation.actions}
            if advice is not None and advice.escalation is not None
            else set()
        ),
        "due": seen.due,
        "escalated_at": seen.escalated_at,
        "setting": seen.setting,
        "open_alerts": [a for a in recent if a.is_open],
        "closed_alerts": [a for a in recent if not a.is_open][:10],
        "entries": seen.entries,
        "entries_total": seen.entries_total,
        "charts": seen.charts,
        "history": queries.advice_history(patient),
        "kinds": KINDS,
        "can": _can(request, patient),
        "self_reported": seen.self_reported,
        "adherence": checkins.adherence_by_step(patient, seen.plan, today),
        "requests": checkins.requests_of(patient)[:5],
    }
    return render(request, "monitoring/patient.html", context)


def _can(request: HttpRequest, patient: Patient) -> dict[str, bool]:
    """What the user may do on the patient page."""
    can = {
        action.replace(".", "_"): allowed(request.user, action, patient.programme_id)
        for action in (
            "monitoring.record",
            "monitoring.record_mood",
            "alert.acknowledge",
            "advice.apply",
            "plan.approve",
        )
    }
    can["authenticator"] = can["plan_approve"] and plans_services.has_authenticator(request.user)
    return can


@require_http_methods(["GET", "POST"])
def record_view(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Quick entry of one assessment; nothing typed is lost on an error."""
    if kind not in KINDS:
        raise Http404("no such assessment kind")
    patient = get_patient(request, pk, action_for(kind))
    if request.method == "POST":
        form = form_for(kind, request.POST)
        if form.is_valid():
            try:
                row = record_assessment(request, patient, form.entry())
            except InputError as error:
                form.add_core_error(error)
            else:
                return _saved(request, patient, row)
    else:
        record(request, "patient.viewed", obj=patient, patient=patient, summary=f"record {kind}")
        form = form_for(kind, initial={"at": now_local()})
    return render(request, "monitoring/record.html", _record_context(patient, kind, form))


def _saved(request: HttpRequest, patient: Patient, row: Assessment) -> HttpResponse:
    raised = list(row.alerts.all())
    text = f"{row.get_kind_display()} saved: {describe(row)}."
    if raised:
        text += " Alert: " + "; ".join(a.title for a in raised) + "."
    messages.success(request, text)
    return HttpResponseRedirect(reverse("monitoring:patient", args=[patient.pk]))


def _record_context(
    patient: Patient, kind: str, form: Any, correcting: Assessment | None = None
) -> dict[str, Any]:
    policy = policy_for(patient.programme_id)
    context: dict[str, Any] = {
        "patient": patient,
        "kind": kind,
        "kind_name": KINDS[kind],
        "form": form,
        "correcting": correcting,
        "instrument": instrument(kind) if kind in INSTRUMENT_KINDS else None,
    }
    if kind in INSTRUMENT_KINDS or kind == "vitals":
        data = form.data if form.is_bound else form.initial
        context["running"] = running_total(patient, kind, data, policy, correcting)
    return context


@require_POST
def score_preview(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The htmx fragment: running total and band as items are answered, and the alerts
    saving will raise (instruments and vital signs)."""
    if kind not in INSTRUMENT_KINDS and kind != "vitals":
        raise Http404("no such instrument")
    patient = get_patient(request, pk, action_for(kind))
    # The running total is computed from the patient's record (alerts, the entry corrected).
    record(
        request,
        "monitoring.score_previewed",
        patient=patient,
        summary=f"{KINDS[kind]} preview",
        detail={"kind": kind},
    )
    policy = policy_for(patient.programme_id)
    correcting = queries.entry_of(patient, request.POST.get("correcting", ""))
    return render(
        request,
        "monitoring/_fragment_running.html",
        {
            "running": running_total(patient, kind, request.POST, policy, correcting),
            "kind_name": KINDS[kind],
        },
    )


def _entry(patient: Patient, entry_id: int) -> Assessment:
    found = queries.entry_of(patient, entry_id)
    if found is None:
        raise Http404("no such entry")
    return found


def entry_detail(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    """One entry with every version of it (corrections are new versions)."""
    patient = get_patient(request, pk, "monitoring.view")
    row = _entry(patient, entry_id)
    chain = queries.entry_chain(patient, row)
    record(request, "patient.viewed", obj=row, patient=patient, summary=f"entry #{row.pk}")
    return render(
        request,
        "monitoring/entry.html",
        {
            "patient": patient,
            "entry": row,
            "chain": list(reversed(chain)),
            "describe": {r.pk: describe(r) for r in chain},
            "can_correct": allowed(
                request.user, action_for(row.kind), patient.programme_id
            )
            and row.is_current
            and row.rater == Rater.CLINICIAN,
        },
    )


@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    patient = get_patient(request, pk, "monitoring.view")
    row = _entry(patient, entry_id)
    require(request.user, action_for(row.kind), patient.programme_id)
    if row.rater == Rater.SELF:
        messages.error(request, "A self-reported answer is the patient's: it is not corrected.")
        return HttpResponseRedirect(reverse("monitoring:entry", args=[patient.pk, row.pk]))
    if not row.is_current:
        messages.error(request, "That entry was already corrected: correct the newest version.")
        return HttpResponseRedirect(
            reverse("monitoring:entry", args=[patient.pk, row.superseded_by_id])
        )
    if request.method == "POST":
        form = form_for(row.kind, request.POST, correcting=True)
        if form.is_valid():
            try:
                new = record_assessment(
                    request, patient, form.entry(), row, form.cleaned_data["correction_reason"]
                )
            except InputError as error:
                form.add_core_error(error)
            else:
                return _saved(request, patient, new)
    else:
        form = form_for(row.kind, initial=initial_from(row), correcting=True)
    return render(
        request, "monitoring/record.html", _record_context(patient, row.kind, form, correcting=row)
    )


# ----------------------------------------------------------------------------- alerts, advice


@require_POST
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = queries.alert_with_patient(alert_id)
    if alert is None:
        raise Http404("no such alert")
    done = alerts.acknowledge(request, alert, request.POST.get("note", ""))
    if request.headers.get("HX-Request"):
        alert.refresh_from_db()
        return render(request, "monitoring/_fragment_ack.html", {"alert": alert})
    if done:
        messages.success(request, f"Alert acknowledged: {alert.title}.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("monitoring:patient", args=[alert.patient_id])
    return HttpResponseRedirect(target)


@require_POST
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the advice's proposed plan the next version (approved at once by a prescriber who
    asks for it)."""
    patient = get_patient(request, pk, "advice.apply")
    try:
        expected = int(request.POST.get("latest", ""))
    except ValueError:
        raise Http404("no plan version given") from None
    approve = request.POST.get("approve") == "on"
    try:
        if approve:
            # approving here is approving a plan: the same re-authentication as the plan page
            require(request.user, "plan.approve", patient.programme_id)
            plans_services.confirm_identity(
                request, request.POST.get("password", ""), request.POST.get("token", "")
            )
        version = apply_advice(
            request, patient, expected, request.POST.get("advice", ""), approve=approve
        )
    except InputError as error:
        messages.error(request, f"Not applied: {error}")
        return HttpResponseRedirect(reverse("monitoring:patient", args=[patient.pk]))
    if PlanApproval.objects.filter(plan_version=version).exists():
        outcome = " (approved)."
    elif approve:
        outcome = ": your approval is the first signature; a second prescriber must approve it."
    else:
        outcome = "; a prescriber must approve it."
    messages.success(request, f"The advice is plan version {version.number}{outcome}")
    return HttpResponseRedirect(reverse("plans:detail", args=[patient.pk, version.number]))


# ----------------------------------------------------------------------------- settings


@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    """The programme's thresholds beside the core's cited defaults."""
    programmes, programme = chosen_programme(request, "monitoring.view")
    can_edit = allowed(request.user, "monitoring.settings", programme.pk)
    current = settings_for(programme.pk)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        require(request.user, "monitoring.settings", programme.pk)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in form.Meta.fields}
            values["vitals_set"] = values["vitals_set"] or ""
            save_settings(request, programme.pk, values)
            messages.success(request, f"Monitoring settings of {programme.name} saved.")
            return HttpResponseRedirect(
                reverse("monitoring:settings") + f"?programme={programme.pk}"
            )
    else:
        record(request, "monitoring.settings_viewed", programme=programme.pk)
    return render(
        request,
        "monitoring/settings.html",
        {
            "programmes": programmes,
            "programme": programme,
            "policy": policy_for(programme.pk),
            "form": form,
            "can_edit": can_edit,
        },
    )
