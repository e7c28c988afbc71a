"""What the monitoring pages show, read through the programme scope: a patient's overview (the
plan in force, current assessments clinician-rated and self-reported apart, what is due, the
advice, alerts and the advice given before), one entry with every version of it, and the rows
the forms act on. The views render these; the services change things.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from benzodetox.core.assessment import Advice
from benzodetox.core.assessment.schedule import DueItem
from benzodetox.core.plan import Plan, Step
from benzodetox.web.patients.models import Patient
from benzodetox.web.plans.models import PlanVersion

from .advice import advice_now
from .models import AdviceRecord, Alert, Assessment, Rater
from .policy import Policy
from .programme_settings import policy_for
from .state import current_plan, due_now, escalated_at, setting_of
from .trends import trend_charts

__all__ = [
    "Overview",
    "advice_history",
    "alert_with_patient",
    "entries_window",
    "entry_chain",
    "entry_of",
    "patient_overview",
    "recent_alerts",
]

#: entries listed on the patient page, and self-reports
ENTRIES_SHOWN = 60
SELF_REPORTS_SHOWN = 30


@dataclass(frozen=True)
class Overview:
    """A patient's monitoring as the patient page shows it."""

    policy: Policy
    version: PlanVersion | None
    latest: PlanVersion | None
    plan: Plan | None
    step: Step | None
    next_step: Step | None
    advice: Advice | None
    due: tuple[DueItem, ...]
    escalated_at: datetime | None
    setting: str
    #: current clinician-rated assessments in the window, newest first
    entries: list[Assessment]
    #: how many current clinician-rated assessments there are in all
    entries_total: int
    self_reported: list[Assessment]
    charts: list[tuple[str, str]]

    @property
    def pending(self) -> bool:
        """A newer version than the one in force awaits approval."""
        return self.latest is not None and (
            self.version is None or self.latest.number != self.version.number
        )


def entries_window(plan: Plan | None, today: date) -> tuple[date, date]:
    """The days the entries and trends cover: 120 days back (or from a week before a later
    plan start) to four weeks ahead."""
    start = today - timedelta(days=120)
    if plan is not None and plan.start > start:
        start = plan.start - timedelta(days=7)
    return start, today + timedelta(days=28)


def _current_assessments(patient: Patient) -> list[Assessment]:
    return list(
        Assessment.objects.filter(patient=patient, superseded_by__isnull=True)
        .select_related("entered_by")
        .order_by("-at", "-id")
    )


def patient_overview(patient: Patient, today: date, now: datetime) -> Overview:
    """Self-reports (portal check-ins) are kept apart: never in the clinician-rated trends,
    the advice or what is due."""
    policy = policy_for(patient.programme_id)
    version, plan = current_plan(patient)
    start, end = entries_window(plan, today)
    every = _current_assessments(patient)
    rows = [r for r in every if r.rater == Rater.CLINICIAN]
    since = timezone.make_aware(datetime.combine(start, time(0)))
    shown = [r for r in rows if r.at >= since]
    done = [(r.kind, r.at) for r in rows if r.kind in ("ciwa-b", "vitals")]
    escalated = escalated_at(patient)
    setting = setting_of(patient)
    upcoming = [s for s in plan.steps if s.start > today][:1] if plan is not None else []
    return Overview(
        policy=policy,
        version=version,
        latest=patient.plan_versions.order_by("-number").first(),
        plan=plan,
        step=plan.step_on(today) if plan is not None else None,
        next_step=upcoming[0] if upcoming else None,
        advice=advice_now(patient, policy, plan, today, rows=rows),
        due=due_now(plan, setting, done, now, policy.schedule, escalated),
        escalated_at=escalated,
        setting=setting,
        entries=shown[:ENTRIES_SHOWN],
        entries_total=len(rows),
        self_reported=[r for r in every if r.rater == Rater.SELF][:SELF_REPORTS_SHOWN],
        charts=trend_charts(shown, plan, policy, start, end, today),
    )


def recent_alerts(patient: Patient, limit: int = 30) -> list[Alert]:
    return list(patient.alerts.select_related("acknowledged_by").order_by("-created_at")[:limit])


def advice_history(patient: Patient, limit: int = 20) -> list[AdviceRecord]:
    return list(
        AdviceRecord.objects.filter(patient=patient)
        .select_related("applied_version", "plan_version", "by")
        .order_by("-at", "-id")[:limit]
    )


def entry_of(patient: Patient, entry_id: Any) -> Assessment | None:
    """The patient's assessment ``entry_id`` (any version), None if there is none."""
    if not str(entry_id).isdigit():
        return None
    found: Assessment | None = (
        Assessment.objects.select_related("entered_by")
        .filter(pk=int(entry_id), patient=patient)
        .first()
    )
    return found


def entry_chain(patient: Patient, row: Assessment) -> list[Assessment]:
    """Every version of the entry ``row`` is one of, oldest first."""
    chain = [row]
    while chain[0].supersedes_id:
        older = entry_of(patient, chain[0].supersedes_id)
        if older is None:
            break
        chain.insert(0, older)
    while chain[-1].superseded_by_id:
        newer = entry_of(patient, chain[-1].superseded_by_id)
        if newer is None:
            break
        chain.append(newer)
    return chain


def alert_with_patient(alert_id: int) -> Alert | None:
    return Alert.objects.select_related("patient").filter(pk=alert_id).first()
