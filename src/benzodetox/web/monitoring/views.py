"""Monitoring pages: the programme dashboard, a patient's trends with the advice beside the
plan, quick entry of assessments (with a live running total), corrections, alerts and the
programme's thresholds. Views are thin: they fetch through the scope, check the role, validate
a form and call ``services``. Every page showing patient data appends an audit event.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from benzodetox.core.assessment import instrument, score
from benzodetox.core.assessment.vitals import VitalSigns
from benzodetox.core.errors import InputError
from benzodetox.web.audit.services import record
from benzodetox.web.checkins import services as checkins
from benzodetox.web.patients.models import Patient
from benzodetox.web.patients.services import get_patient
from benzodetox.web.plans import services as plans_services
from benzodetox.web.plans.models import PlanApproval
from benzodetox.web.programmes.services import allowed, chosen_programme, require

from . import alerts, charts, services
from .forms import DATETIME_FORMAT, VITAL_SIGNS, SettingsForm, form_for, initial_from, now_local
from .models import INSTRUMENT_KINDS, AdviceRecord, Alert, Assessment, Kind, Rater
from .policy import Policy

KINDS = dict(Kind.choices)
# ----------------------------------------------------------------------------- patient


def _entries_window(plan: Any, today: date) -> tuple[date, date]:
    start = today - timedelta(days=120)
    if plan is not None and plan.start > start:
        start = plan.start - timedelta(days=7)
    return start, today + timedelta(days=28)


def _charts(
    rows: list[Assessment], plan: Any, policy: Policy, start: date, end: date, today: date
) -> list[tuple[str, str]]:
    by_kind: dict[str, list[Assessment]] = {}
    for row in sorted(rows, key=lambda r: r.at):
        by_kind.setdefault(row.kind, []).append(row)

    def line(kind: str, name: str, value: str = "total") -> charts.Line:
        found = [r for r in by_kind.get(kind, []) if getattr(r, value) is not None]
        return charts.Line(
            name,
            tuple((services.local_naive(r.at), Decimal(getattr(r, value))) for r in found),
            tuple(r.band for r in found) if value == "total" else (),
        )

    steps = (
        charts.Steps(
            "dose",
            tuple((s.start, s.end, Decimal(s.diazepam_eq_mg)) for s in plan.steps),
        )
        if plan is not None
        else None
    )
    bands = tuple(charts.Band(b.name, b.lo, b.hi) for b in policy.bands.bands)
    out = [
        (
            "Withdrawal: CIWA-B and BWSQ totals over the dose steps",
            charts.trend_chart(
                "chart-withdrawal",
                "CIWA-B and BWSQ totals over the plan's diazepam-equivalent dose",
                start,
                end,
                [line("ciwa-b", "CIWA-B"), line("bwsq", "BWSQ")],
                "total score",
                Decimal(instrument("ciwa-b").max_total),
                bands=bands,
                steps=steps,
                today=today,
            ),
        )
    ]
    thresholds = {t.sign: t for t in policy.vitals.thresholds}

    def limit(sign: str) -> list[charts.Threshold]:
        t = thresholds.get(sign)
        if t is None:
            return []
        value = t.value
        if sign == "temperature" and t.unit == "°F":
            value = ((value - 32) * 5 / 9).quantize(Decimal("0.1"))
        return [charts.Threshold(f"{t.op} {value}", value)]

    vitals = [
        ("Pulse (/min)", [line("vitals", "pulse", "pulse")], limit("pulse"), None),
        (
            "Blood pressure (mmHg)",
            [line("vitals", "systolic", "sbp"), line("vitals", "diastolic", "dbp")],
            limit("sbp") + limit("dbp"),
            None,
        ),
        (
            "Temperature (°C)",
            [line("vitals", "temperature", "temperature")],
            limit("temperature"),
            Decimal(42),
        ),
        ("SpO₂ (%)", [line("vitals", "SpO₂", "spo2")], limit("spo2"), Decimal(100)),
    ]
    for n, (title, lines, limits, top) in enumerate(vitals):
        if any(line_.points for line_ in lines):
            out.append(
                (
                    title,
                    charts.trend_chart(
                        f"chart-vitals-{n}",
                        title,
                        start,
                        end,
                        lines,
                        title,
                        top,
                        thresholds=limits,
                        today=today,
                    ),
                )
            )
    mood = [line("phq-9", "PHQ-9"), line("gad-7", "GAD-7")]
    phq9_bands = instrument("phq-9").bands
    if any(m.points for m in mood):
        out.append(
            (
                "Mood and anxiety: PHQ-9 and GAD-7",
                charts.trend_chart(
                    "chart-mood",
                    "PHQ-9 and GAD-7 totals",
                    start,
                    end,
                    mood,
                    "total score",
                    Decimal(instrument("phq-9").max_total),
                    bands=tuple(
                        charts.Band(b.name, b.lo, b.hi)
                        for b in (phq9_bands.bands if phq9_bands is not None else ())
                    ),
                    today=today,
                ),
            )
        )
    return out


def patient_monitoring(request: HttpRequest, pk: int) -> HttpResponse:
    """A patient's trends, what is due, alerts, the advice beside the plan, entries."""
    patient = get_patient(request, pk, "monitoring.view")
    record(request, "patient.viewed", obj=patient, patient=patient, summary="monitoring")
    policy = services.policy_for(patient.programme_id)
    version, plan = services.current_plan(patient)
    latest = patient.plan_versions.order_by("-number").first()
    today = timezone.localdate()
    start, end = _entries_window(plan, today)
    every = list(
        Assessment.objects.filter(patient=patient, superseded_by__isnull=True)
        .select_related("entered_by")
        .order_by("-at", "-id")
    )
    # self-reports (portal check-ins) are listed apart: never in the clinician-rated trends,
    # the advice or what is due
    rows = [r for r in every if r.rater == Rater.CLINICIAN]
    self_reported = [r for r in every if r.rater == Rater.SELF][:30]
    shown = [r for r in rows if r.at >= timezone.make_aware(datetime.combine(start, time(0)))]
    advice = services.advice_now(patient, policy, plan, today, rows=rows)
    done = [(r.kind, r.at) for r in rows if r.kind in ("ciwa-b", "vitals")]
    escalated = services.escalated_at(patient)
    due = services.due_now(
        plan, services.setting_of(patient), done, timezone.now(), policy.schedule, escalated
    )
    step = plan.step_on(today) if plan is not None else None
    upcoming = [s for s in plan.steps if s.start > today][:1] if plan is not None else []
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
    pending = latest is not None and (version is None or latest.number != version.number)
    alerts = list(patient.alerts.select_related("acknowledged_by").order_by("-created_at")[:30])
    context = {
        "patient": patient,
        "policy": policy,
        "version": version,
        "latest": latest,
        "pending": pending,
        "plan": plan,
        "step": step,
        "next_step": upcoming[0] if upcoming else None,
        "advice": advice,
        "advice_key": services.advice_key(advice) if advice is not None else "",
        # the escalation's actions are shown once, in their own box, not again as reasons
        "escalation_codes": (
            {a.code for a in advice.escalation.actions}
            if advice is not None and advice.escalation is not None
            else set()
        ),
        "due": due,
        "escalated_at": escalated,
        "setting": services.setting_of(patient),
        "open_alerts": [a for a in alerts if a.is_open],
        "closed_alerts": [a for a in alerts if not a.is_open][:10],
        "entries": shown[:60],
        "entries_total": len(rows),
        "charts": _charts(shown, plan, policy, start, end, today),
        "history": list(
            AdviceRecord.objects.filter(patient=patient)
            .select_related("applied_version", "plan_version", "by")
            .order_by("-at", "-id")[:20]
        ),
        "kinds": KINDS,
        "can": can,
        "self_reported": self_reported,
        "adherence": checkins.adherence_by_step(patient, plan, today),
        "requests": checkins.requests_of(patient)[:5],
    }
    return render(request, "monitoring/patient.html", context)


@require_http_methods(["GET", "POST"])
def record_view(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Quick entry of one assessment; nothing typed is lost on an error."""
    if kind not in KINDS:
        raise Http404("no such assessment kind")
    patient = get_patient(request, pk, services.action_for(kind))
    if request.method == "POST":
        form = form_for(kind, request.POST)
        if form.is_valid():
            try:
                row = services.record_assessment(request, patient, form.entry())
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
    text = f"{row.get_kind_display()} saved: {services.describe(row)}."
    if raised:
        text += " Alert: " + "; ".join(a.title for a in raised) + "."
    messages.success(request, text)
    return HttpResponseRedirect(reverse("monitoring:patient", args=[patient.pk]))


def _record_context(
    patient: Patient, kind: str, form: Any, correcting: Assessment | None = None
) -> dict[str, Any]:
    policy = services.policy_for(patient.programme_id)
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
        context["running"] = _running(patient, kind, data, policy, correcting)
    return context


def _observed(data: Any) -> datetime:
    """The observation time typed so far (now if it is not a valid date and time yet)."""
    try:
        naive = datetime.strptime(str(data.get("at", "") or ""), DATETIME_FORMAT)
    except ValueError:
        return timezone.now()
    return timezone.make_aware(naive)


def _readings(data: Any) -> VitalSigns | None:
    """The vital signs typed so far that are valid readings (others are left out)."""
    values: dict[str, Decimal] = {}
    for name, _label, _decimals, lo, hi in VITAL_SIGNS:
        raw = str(data.get(name, "") or "").strip()
        try:
            value = Decimal(raw)
        except ArithmeticError:
            continue
        if value.is_finite() and Decimal(lo) <= value <= Decimal(hi):
            values[name] = value
    return VitalSigns(**values) if values else None


def _running(
    patient: Patient, kind: str, data: Any, policy: Policy, correcting: Assessment | None = None
) -> dict[str, Any]:
    """The running total of the items answered so far, its band, and the alerts saving will
    raise: the core is asked exactly what the save asks (``alerts.decisions_for``), with the
    items not answered yet counted as 0 — answers only add, so a warning given early is
    never withdrawn by the answers still to come."""
    sleep = str(data.get("sleep_disturbance", "") or "") in ("on", "true", "True", "1")
    at = _observed(data)
    exclude = correcting.pk if correcting is not None else None
    if kind == "vitals":
        readings = _readings(data)
        decisions = (
            alerts.decisions_for(
                patient,
                policy,
                kind,
                at,
                readings=readings,
                sleep_disturbance=sleep,
                exclude=exclude,
            )
            if readings is not None or sleep
            else ()
        )
        return {"vitals": True, "warnings": decisions, "complete": True}
    inst = instrument(kind)
    answers: list[int | None] = []
    for item in inst.items:
        raw = str(data.get(f"item_{item.number}", "") or "")
        if raw.isdigit() and inst.answer_min <= int(raw) <= inst.answer_max:
            answers.append(int(raw))
        else:
            answers.append(None)
    answered = [a for a in answers if a is not None]
    bands = policy.bands if kind == "ciwa-b" else None
    scored = score(kind, [inst.answer_min if a is None else a for a in answers], bands=bands)
    decisions = alerts.decisions_for(
        patient, policy, kind, at, scored=scored, sleep_disturbance=sleep, exclude=exclude
    )
    used = policy.bands if kind == "ciwa-b" else inst.bands
    return {
        "total": scored.total,
        "max": inst.max_total,
        "answered": len(answered),
        "items": len(inst.items),
        "band": scored.band or "",
        "band_confirmed": used.confirmed if used is not None else None,
        "band_source": used.source if used is not None else "",
        "warnings": decisions,
        "complete": len(answered) == len(inst.items),
    }


@require_POST
def score_preview(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The htmx fragment: running total and band as items are answered, and the alerts
    saving will raise (instruments and vital signs)."""
    if kind not in INSTRUMENT_KINDS and kind != "vitals":
        raise Http404("no such instrument")
    patient = get_patient(request, pk, services.action_for(kind))
    # The running total is computed from the patient's record (alerts, the entry corrected).
    record(
        request,
        "monitoring.score_previewed",
        patient=patient,
        summary=f"{KINDS[kind]} preview",
        detail={"kind": kind},
    )
    policy = services.policy_for(patient.programme_id)
    correcting = None
    wanted = request.POST.get("correcting", "")
    if wanted.isdigit():
        correcting = Assessment.objects.filter(pk=int(wanted), patient=patient).first()
    return render(
        request,
        "monitoring/_fragment_running.html",
        {
            "running": _running(patient, kind, request.POST, policy, correcting),
            "kind_name": KINDS[kind],
        },
    )


def _entry(patient: Patient, entry_id: int) -> Assessment:
    try:
        entry: Assessment = Assessment.objects.select_related("entered_by").get(
            pk=entry_id, patient=patient
        )
        return entry
    except Assessment.DoesNotExist:
        raise Http404("no such entry") from None


def entry_detail(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    """One entry with every version of it (corrections are new versions)."""
    patient = get_patient(request, pk, "monitoring.view")
    row = _entry(patient, entry_id)
    chain = [row]
    while chain[0].supersedes_id:
        chain.insert(0, _entry(patient, chain[0].supersedes_id))
    while chain[-1].superseded_by_id:
        chain.append(_entry(patient, chain[-1].superseded_by_id))
    record(request, "patient.viewed", obj=row, patient=patient, summary=f"entry #{row.pk}")
    return render(
        request,
        "monitoring/entry.html",
        {
            "patient": patient,
            "entry": row,
            "chain": list(reversed(chain)),
            "describe": {r.pk: services.describe(r) for r in chain},
            "can_correct": allowed(
                request.user, services.action_for(row.kind), patient.programme_id
            )
            and row.is_current
            and row.rater == Rater.CLINICIAN,
        },
    )


@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    patient = get_patient(request, pk, "monitoring.view")
    row = _entry(patient, entry_id)
    require(request.user, services.action_for(row.kind), patient.programme_id)
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
                new = services.record_assessment(
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
    try:
        alert = Alert.objects.select_related("patient").get(pk=alert_id)
    except Alert.DoesNotExist:
        raise Http404("no such alert") from None
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
        version = services.apply_advice(
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
    current = services.settings_for(programme.pk)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        require(request.user, "monitoring.settings", programme.pk)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in form.Meta.fields}
            values["vitals_set"] = values["vitals_set"] or ""
            services.save_settings(request, programme.pk, values)
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
            "policy": services.policy_for(programme.pk),
            "form": form,
            "can_edit": can_edit,
        },
    )
