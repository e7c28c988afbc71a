"""Monitoring operations: record an assessment (or its correction), raise alerts, give the
core's taper advice and apply it as a new plan version, acknowledge alerts, keep the per-patient
monitoring state, and the overdue scan. Views and the management command stay thin and call
these; every change checks the role and appends an audit event.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from benzodetox.core.assessment import (
    Advice,
    Observation,
    VitalSigns,
    advise,
    check_vitals,
    propose,
    score,
)
from benzodetox.core.assessment.instruments import Score
from benzodetox.core.assessment.schedule import (
    DueItem,
    SchedulePolicy,
    default_schedule,
    due_inpatient,
    due_outpatient,
    with_escalation,
)
from benzodetox.core.assessment.vitals import vitals_from_dict
from benzodetox.core.errors import InputError
from benzodetox.core.plan import Plan
from benzodetox.interop.plan_json import plan_from_dict
from benzodetox.web.audit.services import record
from benzodetox.web.patients.models import Patient
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.programmes.services import acting_user, require

from .alerts import facts_of, raise_for, resolve_overdue
from .clock import local_naive
from .models import (
    INSTRUMENT_KINDS,
    AdviceRecord,
    Assessment,
    Event,
    Judgement,
    MonitoringSettings,
    MonitoringState,
    Rater,
    ScheduledChange,
)
from .policy import SCHEDULE_FIELDS, Policy, policy_from, setting_for_level

__all__ = [
    "advice_now",
    "apply_advice",
    "current_plan",
    "due_now",
    "local_naive",
    "observations",
    "policy_for",
    "record_assessment",
    "refresh_state",
]

_SCHEDULED = ("ciwa-b", "vitals")
_WITHDRAWAL = ("ciwa-b", "bwsq", "vitals")
_ASSESSMENT_NAMES = {"ciwa-b": "CIWA-B", "vitals": "Vital signs"}


def action_for(kind: str) -> str:
    return "monitoring.record_mood" if kind in ("phq-9", "gad-7") else "monitoring.record"


# ----------------------------------------------------------------------------- policy


def settings_for(programme_id: int) -> MonitoringSettings | None:
    return MonitoringSettings.objects.filter(programme_id=programme_id).first()


def policy_for(programme_id: int) -> Policy:
    return policy_from(settings_for(programme_id))


@transaction.atomic
def save_settings(
    request: HttpRequest, programme_id: int, values: dict[str, Any]
) -> MonitoringSettings:
    require(request.user, "monitoring.settings", programme_id)
    current = settings_for(programme_id) or MonitoringSettings(programme_id=programme_id)
    before = {k: getattr(current, k) for k in values}
    for name, value in values.items():
        setattr(current, name, value)
    policy_from(current)  # refuses an impossible combination before anything is stored
    current.updated_by = request.user  # type: ignore[assignment]
    current.save()
    changed = {k: [str(before[k]), str(v)] for k, v in values.items() if before[k] != v}
    if set(changed) & set(SCHEDULE_FIELDS):
        # a new schedule may make something overdue sooner: the next scan looks at once
        MonitoringState.objects.filter(
            programme_id=programme_id, next_check_at__isnull=False
        ).update(next_check_at=timezone.now())
    record(
        request,
        "monitoring.settings_changed",
        obj=current,
        programme=programme_id,
        summary=", ".join(f"{k}: {a} → {b}" for k, (a, b) in changed.items())[:300],
        detail={"changed": changed},
    )
    return current


# ----------------------------------------------------------------------------- plan


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


# ----------------------------------------------------------------------------- observations


def _judgement(value: str) -> tuple[bool | None, bool | None]:
    """(significant, severe) from the clinician's judgement; (None, None): by the score."""
    judged: dict[str, tuple[bool | None, bool | None]] = {
        Judgement.NOT_SIGNIFICANT: (False, False),
        Judgement.SIGNIFICANT: (True, False),
        Judgement.SEVERE: (True, True),
    }
    return judged.get(value, (None, None))


def _vitals_of(row: Assessment) -> VitalSigns | None:
    values = {
        sign: getattr(row, sign)
        for sign in ("pulse", "sbp", "dbp", "temperature", "respiratory_rate", "spo2")
        if getattr(row, sign) is not None
    }
    return VitalSigns(**values) if values else None


def score_of(row: Assessment, policy: Policy) -> Score | None:
    if row.kind not in INSTRUMENT_KINDS:
        return None
    return score(row.kind, row.answers, bands=policy.bands if row.kind == "ciwa-b" else None)


def observation_of(row: Assessment, policy: Policy) -> Observation:
    significant, severe = _judgement(row.judgement)
    scored = score_of(row, policy)
    return Observation(
        at=local_naive(row.at),
        scores=(scored,) if scored is not None else (),
        events=(row.event,) if row.event else (),
        sleep_disturbance=row.sleep_disturbance,
        significant=significant,
        severe=severe,
        vitals=_vitals_of(row),
    )


def observations(patient: Patient, policy: Policy) -> list[Observation]:
    """The current clinician-rated assessments as the core's observations (self-reports
    never enter the advice: they raise their own alerts)."""
    rows = Assessment.objects.filter(
        patient=patient, superseded_by__isnull=True, rater=Rater.CLINICIAN
    )
    return [observation_of(r, policy) for r in rows]


def advice_now(
    patient: Patient,
    policy: Policy,
    plan: Plan | None,
    on: date | None = None,
    rows: Iterable[Assessment] | None = None,
) -> Advice | None:
    """The core's advice for the plan in force today, from every current assessment."""
    if plan is None:
        return None
    found = (
        [observation_of(r, policy) for r in rows]
        if rows is not None
        else observations(patient, policy)
    )
    return advise(
        plan,
        found,
        on or timezone.localdate(),
        policy=policy.advice,
        thresholds=policy.vitals,
        facts=facts_of(patient),
        recheck=policy.schedule.escalation,
    )


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
    starts = [s.start for s in plan.steps if s.kind == "reduction"]
    stabilise = [s.end for s in plan.steps if s.kind == "stabilise"]
    return due_items(
        setting,
        plan.start,
        starts,
        stabilise[-1] if stabilise else None,
        done,
        at,
        schedule,
        escalated_at,
    )


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


# ----------------------------------------------------------------------------- recording


@dataclass(frozen=True)
class Entry:
    """What a form gives the service for one assessment."""

    kind: str
    at: datetime
    answers: tuple[int, ...] = ()
    vitals: dict[str, Decimal] = field(default_factory=dict)
    event: str = ""
    sleep_disturbance: bool = False
    judgement: str = ""
    notes: str = ""


@transaction.atomic
def record_assessment(
    request: HttpRequest,
    patient: Patient,
    entry: Entry,
    supersedes: Assessment | None = None,
    reason: str = "",
) -> Assessment:
    """Score and store one assessment (or a correction of ``supersedes``), raise its alerts,
    record the advice it leads to, and audit it. A core ``InputError`` names the field."""
    require(request.user, action_for(entry.kind), patient.programme_id)
    policy = policy_for(patient.programme_id)
    now = timezone.now()
    if entry.at > now + timedelta(minutes=5):
        raise InputError("at", entry.at.isoformat(), "a time that has already happened")
    if supersedes is not None:
        if supersedes.patient_id != patient.pk or supersedes.kind != entry.kind:
            raise InputError("correction", supersedes.pk, "an assessment of this patient and kind")
        if not reason.strip():
            raise InputError("correction_reason", reason, "why the entry is corrected")
    row = Assessment(
        programme_id=patient.programme_id,
        patient=patient,
        kind=entry.kind,
        at=entry.at,
        sleep_disturbance=entry.sleep_disturbance,
        judgement=entry.judgement,
        notes=entry.notes.strip(),
        entered_by=acting_user(request),
        version=(supersedes.version + 1) if supersedes is not None else 1,
        supersedes=supersedes,
        correction_reason=reason.strip(),
    )
    findings: list[dict[str, object]] = []
    if entry.kind in INSTRUMENT_KINDS:
        scored = score(
            entry.kind, list(entry.answers), bands=policy.bands if entry.kind == "ciwa-b" else None
        )
        row.answers = list(scored.answers)
        row.total = scored.total
        row.band = scored.band or ""
        row.band_confirmed = scored.band_confirmed
        row.flags = list(scored.flags)
    elif entry.kind == "vitals":
        if not entry.vitals:
            raise InputError("vitals", "nothing", "at least one reading")
        signs = vitals_from_dict({k: str(v) for k, v in entry.vitals.items()})
        for sign, value in entry.vitals.items():
            setattr(row, sign, value)
        findings = [f.as_dict() for f in check_vitals(signs, policy.vitals)]
        row.findings = findings
    elif entry.kind == "event":
        if entry.event not in Event.values:
            raise InputError("event", entry.event, ", ".join(Event.values))
        row.event = entry.event
        if not entry.notes.strip():
            raise InputError("notes", "", "what happened and what was done")
    else:
        raise InputError("kind", entry.kind, "ciwa-b, bwsq, phq-9, gad-7, vitals or event")
    row.save()
    if supersedes is not None:
        won = Assessment.objects.filter(pk=supersedes.pk, superseded_by__isnull=True).update(
            superseded_by=row
        )
        if not won:
            raise InputError("correction", supersedes.pk, "the newest version (it was corrected)")
    raised = raise_for(row, policy, patient)
    resolve_overdue(row, patient)
    _follow_escalation(row, patient, raised)
    version, plan = current_plan(patient)
    if row.kind in _WITHDRAWAL:
        from .overdue import reschedule  # the scan's module imports this one

        reschedule(patient, version.pk if version is not None else None, now)
    advice = advice_now(patient, policy, plan)
    if advice is not None:
        AdviceRecord(
            programme_id=patient.programme_id,
            patient=patient,
            on=advice.on,
            action=advice.action,
            advice=advice.as_dict(),
            plan_version=version,
            assessment=row,
            by=acting_user(request),
        ).save()
    record(
        request,
        "assessment.corrected" if supersedes is not None else "assessment.recorded",
        obj=row,
        patient=patient,
        summary=(
            f"{row.get_kind_display()} at {local_naive(row.at):%Y-%m-%d %H:%M}: {describe(row)}"
            + (f"; corrects #{supersedes.pk}: {reason}" if supersedes is not None else "")
            + (f"; alerts: {', '.join(a.title for a in raised)}" if raised else "")
        )[:300],
        detail={
            "kind": row.kind,
            "total": row.total,
            "band": row.band,
            "event": row.event,
            "findings": findings,
            "advice": advice.action if advice is not None else None,
        },
    )
    return row


def escalated_at(patient: Patient) -> datetime | None:
    """When the escalation in force was observed (None: none in force)."""
    state = MonitoringState.objects.filter(patient=patient).only("escalated_at").first()
    return state.escalated_at if state is not None else None


def _follow_escalation(row: Assessment, patient: Patient, raised: Sequence[Any]) -> None:
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


def describe(row: Assessment) -> str:
    if row.rater == Rater.SELF and row.kind == "ciwa-b":
        return f"items 1–17 (self-reported) {row.total} of 68"
    if row.kind in INSTRUMENT_KINDS:
        return f"total {row.total}" + (f" ({row.band})" if row.band else "")
    if row.kind == "vitals":
        parts = [
            f"{label} {getattr(row, sign)}"
            for sign, label in (
                ("pulse", "pulse"),
                ("sbp", "SBP"),
                ("dbp", "DBP"),
                ("temperature", "T"),
                ("respiratory_rate", "RR"),
                ("spo2", "SpO₂"),
            )
            if getattr(row, sign) is not None
        ]
        return ", ".join(parts)
    return row.get_event_display()


# ----------------------------------------------------------------------------- advice → plan


def advice_key(advice: Advice) -> str:
    a = advice.adjustment
    return f"{advice.action}:{a.kind}:{a.on.isoformat()}:{a.days}:{a.percent}"


def apply_advice(
    request: HttpRequest,
    patient: Patient,
    expected_latest: int,
    expected_key: str,
    approve: bool = False,
) -> PlanVersion:
    """Make the plan the advice proposes the next plan version (based on the version in
    force), with the advice and its reasons in the audit log and the plan history. A
    prescriber may approve it in the same step; otherwise it awaits a prescriber."""
    from benzodetox.web.plans import services as plans

    require(request.user, "advice.apply", patient.programme_id)
    if approve:
        require(request.user, "plan.approve", patient.programme_id)
    policy = policy_for(patient.programme_id)
    with transaction.atomic():
        version, plan = current_plan(patient)
        latest = patient.plan_versions.order_by("-number").first()
        if version is None or plan is None or latest is None:
            raise InputError("plan", "none approved", "an approved plan to adjust")
        if latest.number != expected_latest:
            raise InputError(
                "plan",
                f"v{latest.number}",
                f"v{expected_latest} (a newer version was saved: review the advice again)",
            )
        advice = advice_now(patient, policy, plan)
        if advice is None or advice_key(advice) != expected_key:
            raise InputError("advice", expected_key, "the advice as it stands now (it changed)")
        if advice.adjustment.kind == "none":
            raise InputError("advice", advice.action, "advice that proposes a change")
        proposed = propose(plan, advice.adjustment)
        reason = f"monitoring advice '{advice.action}': {advice.adjustment.reason}"
        parameters = {
            **version.parameters,
            "adjusted_from": version.number,
            "adjustment": advice.adjustment.as_dict(),
        }
        new = plans.save_plan_version(request, patient, proposed, parameters, reason, version)
        AdviceRecord(
            programme_id=patient.programme_id,
            patient=patient,
            on=advice.on,
            action=advice.action,
            advice=advice.as_dict(),
            plan_version=version,
            applied_version=new,
            by=acting_user(request),
        ).save()
        record(
            request,
            "advice.applied",
            obj=new,
            patient=patient,
            summary=f"v{version.number} → v{new.number}: {reason}"[:300],
            detail={"advice": advice.as_dict(), "from": version.number, "to": new.number},
        )
        if approve:
            plans.approve(request, new, "approved with the monitoring advice")
    return new


# ----------------------------------------------------------------------------- state


def _starts(plan: Plan) -> tuple[list[date], date | None]:
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
