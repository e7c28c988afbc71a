"""The service side of the per-patient monitoring state the overdue scan reads: the plan in
force and the patient's setting, what is due now under the core's schedule, the escalation in
force, and the state itself with the plan's scheduled dose changes (recomputed after an
approval, a new intake, or when the scan finds them stale).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from benzodetox.core.assessment.schedule import (
    DueItem,
    SchedulePolicy,
    default_schedule,
    due_inpatient,
    due_outpatient,
    with_escalation,
)
from benzodetox.core.plan import Plan
from benzodetox.interop.plan_json import plan_from_dict
from benzodetox.web.patients.models import Patient
from benzodetox.web.plans.models import PlanVersion

from .clock import local_naive
from .models import Assessment, MonitoringState, ScheduledChange
from .policy import setting_for_level

__all__ = [
    "current_plan",
    "current_version",
    "due_items",
    "due_now",
    "escalated_at",
    "follow_escalation",
    "refresh_state",
    "setting_of",
]


# ----------------------------------------------------------------------------- plan in force


def current_version(patient: Patient) -> PlanVersion | None:
    """The newest approved plan version (the plan in force)."""
    return (
        patient.plan_versions.filter(approval__isnull=False).order_by("-number").first()
    )


def current_plan(patient: Patient) -> tuple[PlanVersion | None, Plan | None]:
    version = current_version(patient)
    return version, (plan_from_dict(version.plan) if version is not None else None)


def setting_of(patient: Patient) -> str:
    intake = patient.intakes.order_by("-created_at", "-id").first()
    if intake is None:
        return "outpatient"
    return setting_for_level(intake.decided_level or intake.level_of_care)


# ----------------------------------------------------------------------------- what is due


def due_now(
    plan: Plan | None,
    setting: str,
    done: Iterable[tuple[str, datetime]],
    at: datetime,
    schedule: SchedulePolicy | None = None,
    escalated_at: datetime | None = None,
) -> tuple[DueItem, ...]:
    """What is due under the plan now (``at`` aware), by the core's monitoring schedule with
    the programme's own frequencies (``Policy.schedule``), and the shorter interval while an
    escalation of ``escalated_at`` is in force."""
    if plan is None:
        return ()
    starts, stabilise = _starts(plan)
    return due_items(setting, plan.start, starts, stabilise, done, at, schedule, escalated_at)


def due_items(
    setting: str,
    plan_start: date,
    reduction_starts: Sequence[date],
    stabilise_until: date | None,
    done: Iterable[tuple[str, datetime]],
    at: datetime,
    schedule: SchedulePolicy | None = None,
    escalated_at: datetime | None = None,
) -> tuple[DueItem, ...]:
    """What is due (naive local times), the CIWA-B and vital signs at the policy's escalation
    interval while an escalation of ``escalated_at`` (aware) is in force."""
    used = schedule if schedule is not None else default_schedule()
    zone = timezone.get_current_timezone()
    now = local_naive(at, zone)
    pairs = [(k, local_naive(t, zone)) for k, t in done]
    escalated = local_naive(escalated_at, zone) if escalated_at is not None else None
    items: tuple[DueItem, ...] = ()
    if setting == "inpatient":
        since = datetime.combine(plan_start, time(0))
        if now >= since:
            phase = (
                "stabilisation"
                if stabilise_until is not None and now.date() <= stabilise_until
                else "tapering"
            )
            items = due_inpatient(phase, pairs, since, now, used.inpatient)
    else:
        items = due_outpatient(reduction_starts, pairs, now, used.outpatient)
    if escalated is not None and escalated <= now:
        return with_escalation(items, escalated, pairs, now, used.escalation)
    return items


# ----------------------------------------------------------------------------- escalation


def escalated_at(patient: Patient) -> datetime | None:
    """When the escalation in force was observed (None: none in force)."""
    state = MonitoringState.objects.filter(patient=patient).only("escalated_at").first()
    return state.escalated_at if state is not None else None


def follow_escalation(row: Assessment, patient: Patient, raised: Sequence[Any]) -> None:
    """Keep the patient's escalation in force: set by an assessment whose alerts escalate
    (the CIWA-B and vital signs then follow the shorter interval, and the next scan looks at
    once); cleared by a later CIWA-B that does not."""
    escalates = any(a.detail.get("escalated") for a in raised)
    if not escalates and row.kind != "ciwa-b":
        return
    state = MonitoringState.objects.filter(patient=patient).first()
    if state is None:
        if not escalates:
            return
        state = refresh_state(patient)
    if escalates:
        if state.escalated_at is None or row.at >= state.escalated_at:
            state.escalated_at = row.at
    elif state.escalated_at is not None and row.at >= state.escalated_at:
        state.escalated_at = None
    else:
        return
    state.next_check_at = timezone.now()
    state.save(update_fields=["escalated_at", "next_check_at"])


# ----------------------------------------------------------------------------- state


def _starts(plan: Plan) -> tuple[list[date], date | None]:
    """The reduction steps' start dates and the last stabilising day (if any)."""
    reductions = [s.start for s in plan.steps if s.kind == "reduction"]
    stabilise = [s.end for s in plan.steps if s.kind == "stabilise"]
    return reductions, (stabilise[-1] if stabilise else None)


def _changes(patient_id: int, programme_id: int, version: PlanVersion, plan: Plan) -> list[Any]:
    rows = []
    previous: Decimal | None = None
    for step in plan.steps:
        eq = Decimal(step.diazepam_eq_mg)
        if previous is None or eq != previous or step.kind in ("hold", "plateau", "step back"):
            rows.append(
                ScheduledChange(
                    programme_id=programme_id,
                    patient_id=patient_id,
                    plan_version=version,
                    on=step.start,
                    kind=step.kind,
                    from_mg=previous,
                    to_mg=eq,
                )
            )
        previous = eq
    return rows


def refresh_state(
    patient: Patient, version: PlanVersion | None = None, now: datetime | None = None
) -> MonitoringState:
    """Recompute the patient's monitoring state and scheduled dose changes from the plan in
    force (after an approval, a new intake, or when the scan finds them stale); the next
    scan looks at the patient at once."""
    version = version if version is not None else current_version(patient)
    plan = plan_from_dict(version.plan) if version is not None else None
    with transaction.atomic():
        state: MonitoringState
        state, _ = MonitoringState.objects.get_or_create(
            patient=patient, defaults={"programme_id": patient.programme_id}
        )
        state.plan_version = version
        state.setting = setting_of(patient)
        if plan is not None:
            starts, stabilise = _starts(plan)
            state.plan_start = plan.start
            state.reduction_starts = [d.isoformat() for d in starts]
            state.stabilise_until = stabilise
            state.last_dose = plan.last_dose_date
        else:
            state.plan_start = state.stabilise_until = state.last_dose = None
            state.reduction_starts = []
        state.next_check_at = now or timezone.now()
        state.save()
        ScheduledChange.objects.filter(patient=patient).delete()
        if plan is not None and version is not None:
            ScheduledChange.objects.bulk_create(
                _changes(patient.pk, patient.programme_id, version, plan)
            )
    return state
