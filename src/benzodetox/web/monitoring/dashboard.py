"""The programme dashboard: patients by phase, open alerts by severity and kind, the week's
dose changes, overdue assessments and aftercare contacts, for the programmes the user may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from benzodetox.core.careplan.aftercare import aftercare_plan
from benzodetox.web.audit.services import record
from benzodetox.web.careplans.services import next_aftercare_items
from benzodetox.web.patients.choices import Phase
from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.services import allowed

from .models import Alert, ScheduledChange, Tally
from .tally import counts

SEVERITIES = ("critical", "high", "medium")
ALERT_KINDS = {
    "score": "Severe score",
    "event": "Emergency event",
    "vitals": "Vital signs",
    "sleep": "Sleep disturbance",
    "overdue": "Overdue assessment",
    "reduction": "Reduction without recent assessment",
}
PAGE = 25  # rows per dashboard table (with the total: filter to narrow)


def _programmes_of(request: HttpRequest) -> list[Any]:
    return [m.programme for m in getattr(request, "memberships", [])]


def dashboard(request: HttpRequest) -> HttpResponse:
    """What needs attention today across the user's programmes; filterable; rows open the
    patient."""
    programmes = _programmes_of(request)
    if not programmes:
        raise PermissionDenied("you are not a member of a programme")
    ids = [p.pk for p in programmes]
    wanted = request.GET.get("programme", "")
    if wanted.isdigit() and int(wanted) in ids:
        ids = [int(wanted)]
    phase = request.GET.get("phase", "")
    severity = request.GET.get("severity", "")
    kind = request.GET.get("kind", "")
    query = request.GET.get("q", "").strip()[:40]

    # A search matching few patients is resolved once to their ids, so every table below
    # looks them up by index instead of joining and searching the programme's patients again.
    matching = _matching_patients(ids, query) if query else None

    def patients_filter(prefix: str = "patient__") -> Q:
        q = Q()
        if phase in Phase.values:
            q &= Q(**{f"{prefix}phase": phase})
        if matching is not None:
            q &= Q(**{f"{prefix}pk__in": matching})
        elif query:
            q &= Q(**{f"{prefix}reference__icontains": query}) | Q(
                **{f"{prefix}display_name__icontains": query}
            )
        return q

    open_alerts = Alert.objects.filter(programme_id__in=ids, acknowledged_at__isnull=True).filter(
        patients_filter()
    )
    if kind in ALERT_KINDS:
        open_alerts = open_alerts.filter(kind=kind)
    alerts: list[Alert] = []
    for level in SEVERITIES:
        if severity and severity != level:
            continue
        alerts.extend(
            open_alerts.filter(severity=level)
            .select_related("patient")
            .order_by("-created_at", "-id")[:PAGE]
        )
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    # Only the plan in force has scheduled changes, and a finished plan's are in the past:
    # no join on the patient's phase unless the filter asks for one.
    week = (
        ScheduledChange.objects.filter(
            programme_id__in=ids, on__gte=monday, on__lte=monday + timedelta(days=6)
        )
        .filter(patients_filter())
        .select_related("patient")
        .order_by("on", "patient_id")
    )
    overdue = (
        Alert.objects.filter(
            programme_id__in=ids, acknowledged_at__isnull=True, kind__in=("overdue", "reduction")
        )
        .filter(patients_filter())
        .select_related("patient")
        .order_by("-created_at", "-id")
    )
    aftercare_q = Patient.objects.filter(programme_id__in=ids, phase=Phase.AFTERCARE).filter(
        patients_filter("")
    )
    if phase in Phase.values and phase != Phase.AFTERCARE:
        aftercare_q = aftercare_q.none()  # another phase asked for: nobody in aftercare
    in_aftercare = list(
        aftercare_q.select_related("monitoring_state").order_by("phase_since", "pk")[:PAGE]
    )
    generated = next_aftercare_items([p.pk for p in in_aftercare])
    aftercare = [_aftercare_row(p, today, generated.get(p.pk)) for p in in_aftercare]
    can_ack = {p.pk: allowed(request.user, "alert.acknowledge", p.pk) for p in programmes}
    for alert in alerts:
        alert.can_ack = can_ack.get(alert.programme_id, False)  # type: ignore[attr-defined]
    by_phase = census(ids)
    by_severity = open_alert_counts(ids)
    # Totals from the kept counts (a few index keys), unless a search names the patients:
    # then they are counted among those few (by id) or, for a broad search, with the join.
    if query:
        overdue_total = overdue.count()
        aftercare_total = aftercare_q.count()
        week_total = week.count()
    else:
        in_phase = phase if phase in Phase.values else None
        overdue_total = _overdue_total(ids, in_phase)
        aftercare_total = (
            by_phase.get(Phase.AFTERCARE, 0) if in_phase in (None, Phase.AFTERCARE) else 0
        )
        week_total = _week_total(ids, monday, in_phase)
    for programme_id in ids:
        record(
            request,
            "monitoring.dashboard_viewed",
            programme=programme_id,
            summary=f"phase={phase!r} severity={severity!r} kind={kind!r} q={query!r}"[:300],
        )
    context = {
        "scan": scan_status(),
        "programmes": programmes,
        "programme": wanted,
        "phase": phase,
        "severity": severity,
        "kind": kind,
        "q": query,
        "phases": Phase.choices,
        "severities": SEVERITIES,
        "alert_kinds": ALERT_KINDS,
        "census": [(value, label, by_phase.get(value, 0)) for value, label in Phase.choices],
        "census_total": sum(by_phase.values()),
        "counts": [(level, by_severity.get(level, 0)) for level in SEVERITIES],
        "alerts": alerts,
        "week": list(week[: PAGE * 2]),
        "week_total": week_total,
        "monday": monday,
        "overdue": list(overdue[:PAGE]),
        "overdue_total": overdue_total,
        "aftercare": aftercare,
        "aftercare_total": aftercare_total,
    }
    template = (
        "monitoring/_fragment_dashboard.html"
        if request.headers.get("HX-Request")
        else "monitoring/dashboard.html"
    )
    return render(request, template, context)


def _week_total(programme_ids: Sequence[int], monday: date, phase: str | None = None) -> int:
    """The week's dose changes from the kept counts by day (seven keys, an index read): of
    every patient, or of the patients in ``phase`` (``phase-change:<phase>:<day>``, kept by
    monitoring migration 0011's triggers)."""
    prefix = f"phase-change:{phase}:" if phase else "change:"
    keys = [f"{prefix}{(monday + timedelta(days=n)).isoformat()}" for n in range(7)]
    total = Tally.objects.filter(programme_id__in=list(programme_ids), key__in=keys).aggregate(
        n=Sum("n")
    )["n"]
    return int(total or 0)


def _overdue_total(programme_ids: Sequence[int], phase: str | None = None) -> int:
    """Open overdue-assessment and reduction alerts from the kept counts: by kind, or of the
    patients in ``phase`` (``phase-overdue:<phase>``, migration 0011)."""
    if phase:
        return counts(programme_ids, "phase-overdue:", (phase,)).get(phase, 0)
    by_kind = counts(programme_ids, "open-kind:", ("overdue", "reduction"))
    return by_kind.get("overdue", 0) + by_kind.get("reduction", 0)


#: a search matching up to this many patients is looked up by their ids
MATCH_LIMIT = 500


def _matching_patients(programme_ids: Sequence[int], query: str) -> list[int] | None:
    """Ids of the patients whose record number or name contains ``query`` (one search), or
    None when more than ``MATCH_LIMIT`` match (the tables then search with a join)."""
    found = list(
        Patient.objects.filter(programme_id__in=programme_ids)
        .filter(Q(reference__icontains=query) | Q(display_name__icontains=query))
        .order_by()
        .values_list("pk", flat=True)[: MATCH_LIMIT + 1]
    )
    return found if len(found) <= MATCH_LIMIT else None


def _aftercare_row(patient: Patient, today: date, generated: Any = None) -> dict[str, Any]:
    """The next aftercare contact: the earliest item not yet recorded of the patient's
    generated aftercare (care-plans app) where there is one; else what the core's aftercare
    schedule gives from the last dose (the plan's, else the day before aftercare began)."""
    if generated is not None:
        care, item = generated
        return {
            "patient": patient,
            "last_dose": care.last_dose,
            "basis": "care plan's aftercare",
            "next": item,
            "end": care.end,
            "generated": True,
            "overdue": item is not None and item.on < today,
        }
    state = getattr(patient, "monitoring_state", None)
    last_dose = state.last_dose if state is not None and state.last_dose else None
    basis = "plan's last dose"
    if last_dose is None:
        last_dose = patient.phase_since - timedelta(days=1)
        basis = "day before aftercare began"
    care = aftercare_plan(last_dose)
    upcoming = [item for item in care.items if item.on >= today]
    return {
        "patient": patient,
        "last_dose": last_dose,
        "basis": basis,
        "next": upcoming[0] if upcoming else None,
        "end": care.end,
    }


def scan_status() -> dict[str, Any]:
    """When the overdue scan last ran and what it found (the server runs it every
    ``SCHEDULER_MINUTES``; the scan_overdue command's runs count too)."""
    from django.conf import settings

    from benzodetox.web.scheduler.models import JobRun

    row = JobRun.objects.filter(name="overdue-scan").first()
    return {
        "minutes": settings.SCHEDULER_MINUTES,
        "ran": row is not None and row.finished_at is not None,
        "finished_at": row.finished_at if row else None,
        "ok": row.ok if row else None,
        "summary": row.summary if row else "",
    }


def census(programme_ids: Sequence[int]) -> dict[str, int]:
    """Patients by phase: the trigger-kept counts (``tally.py``), not a count of the patients."""
    return counts(programme_ids, "phase:", Phase.values)


def open_alert_counts(programme_ids: Sequence[int]) -> dict[str, int]:
    """Open alerts by severity, from the trigger-kept counts."""
    return counts(programme_ids, "open:", SEVERITIES)
