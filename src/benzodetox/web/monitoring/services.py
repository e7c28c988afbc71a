"""Monitoring operations: record an assessment (or its correction), raise alerts, give the
core's taper advice and apply it as a new plan version, acknowledge alerts, keep the per-patient
monitoring state, and the overdue scan. Views and the management command stay thin and call
these; every change checks the role and appends an audit event.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest
from django.utils import timezone

from benzodetox.core.assessment import (
    Advice,
    Observation,
    VitalSigns,
    advise,
    check_vitals,
    escalation_for,
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
)
from benzodetox.core.assessment.vitals import vitals_from_dict
from benzodetox.core.errors import InputError
from benzodetox.core.plan import Plan
from benzodetox.interop.plan_json import plan_from_dict
from benzodetox.web.audit.services import record
from benzodetox.web.patients.models import Patient
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.programmes.services import allowed, require

from .models import (
    INSTRUMENT_KINDS,
    AdviceRecord,
    Alert,
    Assessment,
    Event,
    Judgement,
    MonitoringSettings,
    MonitoringState,
    ScheduledChange,
    Severity,
)
from .policy import LOOKAHEAD_DAYS, SCHEDULE_FIELDS, Policy, policy_from, setting_for_level

__all__ = [
    "ACTIVE_PHASES",
    "ASSESSMENT_RECORDED",
    "ScanResult",
    "acknowledge",
    "advice_now",
    "apply_advice",
    "candidates",
    "claim",
    "current_plan",
    "due_now",
    "local_naive",
    "observations",
    "policy_for",
    "record_assessment",
    "refresh_state",
    "scan",
]

#: phases in which a taper is under way and assessments fall due
ACTIVE_PHASES = ("crossover", "tapering", "hold")
_SCHEDULED = ("ciwa-b", "vitals")
_WITHDRAWAL = ("ciwa-b", "bwsq", "vitals")
_SLEEP_CONDITIONS = frozenset({"bipolar", "psychotic_disorder"})
_ASSESSMENT_NAMES = {"ciwa-b": "CIWA-B", "vitals": "Vital signs"}


def action_for(kind: str) -> str:
    return "monitoring.record_mood" if kind in ("phq-9", "gad-7") else "monitoring.record"


def local_naive(moment: datetime, zone: Any = None) -> datetime:
    """The programme's wall-clock time without a zone (the core's datetimes are naive)."""
    return moment.astimezone(zone or timezone.get_current_timezone()).replace(tzinfo=None)


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
        patient.plan_versions.filter(approval__isnull=False).order_by("-number").first()  # type: ignore[attr-defined]
    )


def current_plan(patient: Patient) -> tuple[PlanVersion | None, Plan | None]:
    version = current_version(patient)
    return version, (plan_from_dict(version.plan) if version is not None else None)


def conditions_of(patient: Patient) -> list[str]:
    intake = patient.intakes.order_by("-created_at", "-id").first()  # type: ignore[attr-defined]
    return list(intake.conditions) if intake is not None else []


def setting_of(patient: Patient) -> str:
    intake = patient.intakes.order_by("-created_at", "-id").first()  # type: ignore[attr-defined]
    if intake is None:
        return "outpatient"
    return setting_for_level(intake.decided_level or intake.level_of_care)


# ----------------------------------------------------------------------------- observations


def _judgement(value: str) -> tuple[bool | None, bool | None]:
    """(significant, severe) from the clinician's judgement; (None, None): by the score."""
    return {
        Judgement.NOT_SIGNIFICANT: (False, False),
        Judgement.SIGNIFICANT: (True, False),
        Judgement.SEVERE: (True, True),
    }.get(value, (None, None))  # type: ignore[call-overload]


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
    rows = Assessment.objects.filter(patient=patient, superseded_by__isnull=True)
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
        conditions=conditions_of(patient),
        policy=policy.advice,
        thresholds=policy.vitals,
    )


def due_now(
    plan: Plan | None,
    setting: str,
    done: Iterable[tuple[str, datetime]],
    at: datetime,
    schedule: SchedulePolicy | None = None,
) -> tuple[DueItem, ...]:
    """What is due under the plan now (``at`` aware), by the core's monitoring schedule with
    the programme's own frequencies (``Policy.schedule``)."""
    if plan is None:
        return ()
    starts = [s.start for s in plan.steps if s.kind == "reduction"]
    stabilise = [s.end for s in plan.steps if s.kind == "stabilise"]
    return _due(
        setting, plan.start, starts, stabilise[-1] if stabilise else None, done, at, schedule
    )


def _due(
    setting: str,
    plan_start: date,
    reduction_starts: Sequence[date],
    stabilise_until: date | None,
    done: Iterable[tuple[str, datetime]],
    at: datetime,
    schedule: SchedulePolicy | None = None,
) -> tuple[DueItem, ...]:
    used = schedule if schedule is not None else default_schedule()
    zone = timezone.get_current_timezone()
    now = local_naive(at, zone)
    pairs = [(k, local_naive(t, zone)) for k, t in done]
    if setting == "inpatient":
        since = datetime.combine(plan_start, time(0))
        if now < since:
            return ()
        phase = (
            "stabilisation"
            if stabilise_until is not None and now.date() <= stabilise_until
            else "tapering"
        )
        return due_inpatient(phase, pairs, since, now, used.inpatient)
    return due_outpatient(reduction_starts, pairs, now, used.outpatient)


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
        entered_by=request.user,
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
    raised = _raise_for(row, policy, patient)
    _resolve_overdue(row, patient)
    version, plan = current_plan(patient)
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
            by=request.user,
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


def describe(row: Assessment) -> str:
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


def _alert(patient: Patient, kind: str, severity: str, key: str, title: str, **extra: Any) -> Alert:
    return Alert(
        programme_id=patient.programme_id,
        patient=patient,
        kind=kind,
        severity=severity,
        key=key[:80],
        title=title[:200],
        **extra,
    )


def _raise_for(row: Assessment, policy: Policy, patient: Patient) -> list[Alert]:
    """Alerts for one new assessment: severe scores, suicidality, emergency events, vital signs
    beyond the programme's thresholds, sleep disturbance in bipolar or psychotic disorder."""
    found: list[Alert] = []
    base = f"assessment:{row.pk}"
    name = row.get_kind_display()
    if row.kind == "ciwa-b" and row.total is not None and row.total >= policy.severe_from:
        very = row.total >= policy.very_severe_from
        found.append(
            _alert(
                patient,
                "score",
                Severity.CRITICAL if very else Severity.HIGH,
                f"{base}:severe",
                f"CIWA-B {row.total} ({'very severe' if very else 'severe'})",
                assessment=row,
                detail={"total": row.total, "band": row.band, "from": policy.severe_from},
            )
        )
    elif row.kind in ("phq-9", "gad-7") and row.band == "severe":
        found.append(
            _alert(
                patient,
                "score",
                Severity.HIGH,
                f"{base}:severe",
                f"{name} {row.total} (severe)",
                assessment=row,
                detail={"total": row.total, "band": row.band},
            )
        )
    events = [row.event] if row.event else []
    if "suicidality" in row.flags:
        events.append("suicidality")
    if events:
        escalation = escalation_for(events)
        found.append(
            _alert(
                patient,
                "event",
                Severity.CRITICAL,
                f"{base}:event",
                "Emergency: "
                + ", ".join(escalation.events)
                + ("" if row.event else f" ({name} item 9)"),
                assessment=row,
                detail=escalation.as_dict(),
            )
        )
    if row.findings:
        found.append(
            _alert(
                patient,
                "vitals",
                Severity.HIGH,
                f"{base}:vitals",
                "Vital signs beyond thresholds: "
                + ", ".join(str(f["sign"]).replace("_", " ") for f in row.findings),
                assessment=row,
                detail={"findings": row.findings},
            )
        )
    if row.sleep_disturbance:
        conditions = _SLEEP_CONDITIONS & set(conditions_of(patient))
        if conditions:
            found.append(
                _alert(
                    patient,
                    "sleep",
                    Severity.HIGH,
                    f"{base}:sleep",
                    "Sleep disturbance with " + ", ".join(sorted(conditions)).replace("_", " "),
                    assessment=row,
                    detail={"conditions": sorted(conditions), "rec": "Rec 26a"},
                )
            )
    for alert in found:
        alert.save()
    return found


# ----------------------------------------------------------------------------- alerts

#: the reason an overdue-assessment alert closes by itself
ASSESSMENT_RECORDED = "assessment recorded"


def _resolve_overdue(row: Assessment, patient: Patient) -> list[Alert]:
    """Close the patient's open overdue alerts for this kind of assessment that ``row``
    meets (observed at or after the alert's due time): closed with the reason "assessment
    recorded" and audited as a system event; they stay in the patient's alert history. Other
    alerts wait for a clinician's acknowledgement."""
    if row.kind not in _SCHEDULED:
        return []
    observed = local_naive(row.at)
    candidates = Alert.objects.filter(
        patient=patient, kind="overdue", acknowledged_at__isnull=True, detail__assessment=row.kind
    )
    closed: list[Alert] = []
    for alert in candidates:
        due_from = alert.detail.get("due_from")
        if due_from and observed < datetime.fromisoformat(due_from):
            continue  # an earlier observation entered late does not meet it
        won = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(),
            closed_reason=ASSESSMENT_RECORDED,
            closed_by_assessment=row,
        )
        if not won:
            continue  # acknowledged by a person meanwhile
        record(
            None,
            "alert.resolved",
            obj=alert,
            patient=patient,
            summary=f"{alert.title}: closed, {ASSESSMENT_RECORDED} "
            f"({row.get_kind_display()} at {observed:%Y-%m-%d %H:%M})",
            detail={
                "alert": alert.pk,
                "kind": alert.kind,
                "reason": ASSESSMENT_RECORDED,
                "assessment": row.pk,
                "entered_by": row.entered_by.get_username(),
            },
        )
        closed.append(alert)
    return closed


def acknowledge(request: HttpRequest, alert: Alert, note: str = "") -> bool:
    """Acknowledge an open alert (once: a second acknowledgement changes nothing)."""
    require(request.user, "alert.acknowledge", alert.programme_id)
    with transaction.atomic():
        done = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(),
            acknowledged_by=request.user,
            acknowledged_note=note.strip()[:300],
        )
        if done:
            record(
                request,
                "alert.acknowledged",
                obj=alert,
                patient=alert.patient,
                summary=f"{alert.title}" + (f": {note.strip()}" if note.strip() else ""),
                detail={"alert": alert.pk, "kind": alert.kind, "severity": alert.severity},
            )
    return bool(done)


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
        latest = patient.plan_versions.order_by("-number").first()  # type: ignore[attr-defined]
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
            by=request.user,
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


# ----------------------------------------------------------------------------- overdue scan


@dataclass
class ScanResult:
    claimed: int = 0
    created_states: int = 0
    refreshed: int = 0
    alerts: int = 0
    by_programme: dict[int, int] = field(default_factory=dict)


def _due_filter(now: datetime) -> Q:
    return Q(next_check_at__lte=now) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def candidates(now: datetime, batch: int) -> list[int]:
    """Ids of states due for a check and not claimed by a live scan (a first look only: the
    claim itself decides)."""
    return list(
        MonitoringState.objects.filter(_due_filter(now))
        .order_by("next_check_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )


def claim(ids: Sequence[int], now: datetime, lease: timedelta, token: str) -> int:
    """Claim the given states for ``token`` with one conditional ``UPDATE … WHERE`` that
    repeats the due test: a row another scan claimed in the meantime no longer matches, so
    two scans never both win a row. Returns how many rows this scan won."""
    if not ids:
        return 0
    return (
        MonitoringState.objects.filter(pk__in=list(ids))
        .filter(_due_filter(now))
        .update(claim_token=token, claimed_until=now + lease)
    )


def ensure_states(now: datetime) -> int:
    """A monitoring state for every patient in an active phase who has none yet."""
    missing = list(
        Patient.objects.filter(phase__in=ACTIVE_PHASES, monitoring_state__isnull=True).only(
            "pk", "programme_id"
        )
    )
    for patient in missing:
        refresh_state(patient, now=now)
    return len(missing)


def scan(
    now: datetime | None = None,
    batch: int = 1000,
    lease: timedelta = timedelta(minutes=10),
    limit: int | None = None,
) -> ScanResult:
    """Find overdue assessments and reductions due without a recent assessment; raise their
    alerts (once each). Safe to run from several processes at once."""
    now = now or timezone.now()
    result = ScanResult()
    with unscoped():
        result.created_states = ensure_states(now)
        while limit is None or result.claimed < limit:
            ids = candidates(now, batch)
            if not ids:
                break
            token = uuid.uuid4().hex
            if not claim(ids, now, lease, token):
                continue  # another scan won them all: look again
            _process(token, now, result)
    return result


def _process(token: str, now: datetime, result: ScanResult) -> None:
    latest_approved = (
        PlanVersion.objects.filter(patient=OuterRef("patient"), approval__isnull=False)
        .order_by("-number")
        .values("pk")[:1]
    )
    states = list(
        MonitoringState.objects.filter(claim_token=token)
        .select_related("patient")
        .annotate(current=Subquery(latest_approved))
    )
    result.claimed += len(states)
    for state in states:
        if state.current != state.plan_version_id and state.patient.phase in ACTIVE_PHASES:
            fresh = refresh_state(state.patient, now=now)
            state.plan_version_id = fresh.plan_version_id
            state.reduction_starts = fresh.reduction_starts
            state.stabilise_until = fresh.stabilise_until
            state.plan_start = fresh.plan_start
            state.setting = fresh.setting
            result.refreshed += 1
    patient_ids = [s.patient_id for s in states]
    horizon = now - timedelta(days=40)
    done: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for pid, kind, at in Assessment.objects.filter(
        patient_id__in=patient_ids,
        kind__in=_WITHDRAWAL,
        superseded_by__isnull=True,
        at__gte=horizon,
    ).values_list("patient_id", "kind", "at"):
        done[pid].append((kind, at))
    policies: dict[int, Policy] = {}
    alerts: list[Alert] = []
    next_at: dict[datetime, list[int]] = defaultdict(list)
    today = local_naive(now).date()
    default_next = _round_up(now + timedelta(days=1))
    parked: list[int] = []
    for state in states:
        patient = state.patient
        if patient.phase not in ACTIVE_PHASES:
            parked.append(state.pk)  # looked at again when the phase changes (signals)
            continue
        if state.plan_start is None:
            next_at[default_next].append(state.pk)
            continue
        policy = policies.get(state.programme_id)
        if policy is None:
            policy = policies[state.programme_id] = policy_for(state.programme_id)
        starts = [date.fromisoformat(d) for d in state.reduction_starts]
        mine = done.get(patient.pk, [])
        items = _due(
            state.setting,
            state.plan_start,
            starts,
            state.stabilise_until,
            [(k, t) for k, t in mine if k in _SCHEDULED],
            now,
            policy.schedule,
        )
        wake = [now + timedelta(days=1)]
        for item in items:
            if item.status == "overdue":
                alerts.append(
                    _alert(
                        patient,
                        "overdue",
                        Severity.MEDIUM,
                        f"overdue:{item.assessment}:{item.due_from:%Y-%m-%dT%H:%M}",
                        f"{_ASSESSMENT_NAMES.get(item.assessment, item.assessment)} overdue "
                        f"since {item.overdue_after:%Y-%m-%d %H:%M}",
                        detail=item.as_dict(),
                    )
                )
            elif item.status in ("due", "not yet"):
                wake.append(timezone.make_aware(item.overdue_after))
        upcoming = [d for d in starts if today <= d <= today + timedelta(days=LOOKAHEAD_DAYS)]
        later = [d for d in starts if d > today + timedelta(days=LOOKAHEAD_DAYS)]
        if later:
            wake.append(
                timezone.make_aware(
                    datetime.combine(later[0] - timedelta(days=LOOKAHEAD_DAYS), time(0))
                )
            )
        if upcoming:
            recent_from = now - timedelta(days=policy.recent_days)
            if not any(t >= recent_from for _, t in mine):
                alerts.append(
                    _alert(
                        patient,
                        "reduction",
                        Severity.MEDIUM,
                        f"reduction-due:{upcoming[0].isoformat()}",
                        f"Reduction on {upcoming[0]:%Y-%m-%d} without an assessment in the "
                        f"last {policy.recent_days} days",
                        detail={"on": upcoming[0].isoformat(), "recent_days": policy.recent_days},
                    )
                )
        next_at[_round_up(max(min(wake), now + timedelta(minutes=1)))].append(state.pk)
    if alerts:
        existing = set(
            Alert.objects.filter(
                patient_id__in={a.patient_id for a in alerts}, key__in={a.key for a in alerts}
            ).values_list("patient_id", "key")
        )
        new = [a for a in alerts if (a.patient_id, a.key) not in existing]
        # A scan racing on the same patient is excluded by the claim; the unique key keeps
        # an alert single even if a person's action raised the same one meanwhile.
        Alert.objects.bulk_create(new, ignore_conflicts=True)
        result.alerts += len(new)
        for alert in new:
            result.by_programme[alert.programme_id] = (
                result.by_programme.get(alert.programme_id, 0) + 1
            )
    for moment, ids in [*next_at.items(), (None, parked)]:
        MonitoringState.objects.filter(pk__in=ids, claim_token=token).update(
            next_check_at=moment, claimed_until=None, claim_token="", checked_at=now
        )


def _round_up(moment: datetime, minutes: int = 15) -> datetime:
    """Up to the next quarter hour, so a batch's next checks share few distinct times."""
    step = minutes * 60
    stamp = moment.timestamp()
    return datetime.fromtimestamp(-(-stamp // step) * step, tz=moment.tzinfo)


# ----------------------------------------------------------------------------- dashboard


def census(programme_ids: Sequence[int]) -> dict[str, int]:
    rows = (
        Patient.objects.filter(programme_id__in=programme_ids)
        .values_list("phase")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {phase: n for phase, n in rows}


def open_alert_counts(programme_ids: Sequence[int]) -> dict[str, int]:
    rows = (
        Alert.objects.filter(programme_id__in=programme_ids, acknowledged_at__isnull=True)
        .values_list("severity")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {severity: n for severity, n in rows}


def may_see(user: Any, programme_id: int) -> bool:
    return allowed(user, "monitoring.view", programme_id)


def system_scan_summary(result: ScanResult) -> None:
    """One audit event per programme that got new alerts from a scan."""
    with unscoped():
        for programme_id, n in result.by_programme.items():
            record(
                None,
                "monitoring.scan",
                programme=programme_id,
                summary=f"overdue scan raised {n} alert{'s' if n != 1 else ''}",
                detail={"alerts": n},
            )
