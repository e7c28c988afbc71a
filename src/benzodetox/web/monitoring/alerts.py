"""Alerts: the core's alert decisions for one new assessment (``core.assessment.alerts``:
severe scores, emergencies, vital signs, sleep disturbance, and when severe withdrawal
escalates) stored and shown; overdue alerts closed by the assessment that meets them; a
clinician's acknowledgement. Every change is audited. The quick-entry warning asks
``decisions_for`` the same question the save asks, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from benzodetox.core.assessment.alerts import AlertDecision, Facts, alerts_for, paired_within
from benzodetox.core.assessment.instruments import Score, score
from benzodetox.core.assessment.vitals import Finding, VitalSigns, check_vitals
from benzodetox.web.audit.services import record
from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.services import require

from .clock import local_naive
from .models import INSTRUMENT_KINDS, Alert, Assessment, Rater
from .policy import Policy

__all__ = [
    "ASSESSMENT_RECORDED",
    "acknowledge",
    "conditions_of",
    "decisions_for",
    "facts_of",
    "make_alert",
    "raise_for",
    "raise_self_reported",
    "resolve_overdue",
]

_SCHEDULED = ("ciwa-b", "vitals")
_SIGNS = ("pulse", "sbp", "dbp", "temperature", "respiratory_rate", "spo2")
_HISTORY = {
    "withdrawal_seizure_history": "withdrawal_seizure",
    "withdrawal_delirium_history": "withdrawal_delirium",
}


def _intake(patient: Patient) -> Any:
    return patient.intakes.order_by("-created_at", "-id").first()


def conditions_of(patient: Patient) -> list[str]:
    """The conditions recorded at the patient's latest intake."""
    intake = _intake(patient)
    return list(intake.conditions) if intake is not None else []


def facts_of(patient: Patient) -> Facts:
    """What the latest intake records that changes an alert: conditions, a previous
    withdrawal seizure or delirium, alcohol and other substance use."""
    intake = _intake(patient)
    if intake is None:
        return Facts()
    return Facts(
        conditions=frozenset(intake.conditions),
        history=frozenset(key for name, key in _HISTORY.items() if getattr(intake, name)),
        substances=frozenset(intake.substances),
    )


def make_alert(
    patient: Patient, kind: str, severity: str, key: str, title: str, **extra: Any
) -> Alert:
    return Alert(
        programme_id=patient.programme_id,
        patient=patient,
        kind=kind,
        severity=severity,
        key=key[:80],
        title=title[:200],
        **extra,
    )


def _current(
    patient: Patient, kind: str, at: datetime, window: timedelta, exclude: int | None
) -> Any:
    """The patient's newest current assessment of ``kind`` observed in the ``window`` before
    ``at`` (up to ``at``), other than ``exclude``."""
    rows = Assessment.objects.filter(
        patient=patient,
        kind=kind,
        rater=Rater.CLINICIAN,
        superseded_by__isnull=True,
        at__gte=at - window,
        at__lte=at,
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.order_by("-at", "-id").first()


def readings_of(row: Any) -> VitalSigns:
    return VitalSigns(**{s: getattr(row, s) for s in _SIGNS if getattr(row, s) is not None})


def decisions_for(
    patient: Patient,
    policy: Policy,
    kind: str,
    at: datetime,
    *,
    scored: Score | None = None,
    readings: VitalSigns | None = None,
    event: str = "",
    sleep_disturbance: bool = False,
    exclude: int | None = None,
) -> tuple[AlertDecision, ...]:
    """The core's alert decisions for an assessment of ``kind`` observed ``at`` (saved or
    not yet): with the intake's facts, and — the vital signs and a CIWA-B counting together
    while they are current, i.e. observed within the programme's escalation overdue interval
    (8 h by default) of each other — the patient's current vital signs for a CIWA-B, or the
    current CIWA-B for a set of vital signs. ``exclude`` is the assessment being replaced."""
    window = paired_within(policy.schedule.escalation)
    findings: Sequence[Finding] = ()
    context: list[Score] = []
    if kind == "ciwa-b" and scored is not None:
        vitals = _current(patient, "vitals", at, window, exclude)
        if vitals is not None:
            findings = check_vitals(readings_of(vitals), policy.vitals)
    elif kind == "vitals" and readings is not None:
        findings = check_vitals(readings, policy.vitals)
        ciwa = _current(patient, "ciwa-b", at, window, exclude)
        if ciwa is not None:
            context.append(score("ciwa-b", ciwa.answers, bands=policy.bands))
    return alerts_for(
        scored,
        event=event or None,
        findings=findings,
        sleep_disturbance=sleep_disturbance,
        facts=facts_of(patient),
        recheck=policy.schedule.escalation,
        context_scores=context,
    )


def row_decisions(row: Assessment, policy: Policy, patient: Patient) -> tuple[AlertDecision, ...]:
    """The decisions for a stored assessment (the question the quick-entry screen asked). A
    self-report's alerts are raised by its check-in (``raise_self_reported``), not here."""
    if row.rater == Rater.SELF:
        return ()
    scored = None
    if row.kind in INSTRUMENT_KINDS:
        bands = policy.bands if row.kind == "ciwa-b" else None
        scored = score(row.kind, row.answers, bands=bands)
    return decisions_for(
        patient,
        policy,
        row.kind,
        row.at,
        scored=scored,
        readings=readings_of(row) if row.kind == "vitals" else None,
        event=row.event,
        sleep_disturbance=row.sleep_disturbance,
        exclude=row.supersedes_id,
    )


def raise_for(row: Assessment, policy: Policy, patient: Patient) -> list[Alert]:
    """Store the core's alert decisions for one new assessment (each with its reasons,
    actions and sources in ``detail``)."""
    found = [
        make_alert(
            patient,
            d.kind,
            d.severity,
            f"assessment:{row.pk}:{d.kind}",
            d.title,
            assessment=row,
            detail={**d.as_dict(), "total": row.total, "band": row.band},
        )
        for d in row_decisions(row, policy, patient)
    ]
    for alert in found:
        alert.save()
    return found


def raise_self_reported(
    patient: Patient, key: str, decisions: Sequence[AlertDecision], rows: dict[str, Assessment]
) -> list[Alert]:
    """Store the core's decisions for one self-report (a check-in ``key`` such as
    ``checkin:12``), each linked to the self-reported assessment it rests on where there is
    one (``rows`` by kind), with ``self_reported`` in its detail."""
    found = []
    for i, d in enumerate(decisions):
        row = _row_for(d, rows)
        found.append(
            make_alert(
                patient,
                d.kind,
                d.severity,
                f"{key}:{i}:{d.kind}",
                d.title,
                assessment=row,
                detail={**d.as_dict(), "self_reported": True},
            )
        )
    for alert in found:
        alert.save()
    return found


def _row_for(decision: AlertDecision, rows: dict[str, Assessment]) -> Assessment | None:
    title = decision.title
    for kind, label in (("phq-9", "PHQ-9"), ("gad-7", "GAD-7"), ("bwsq", "BWSQ")):
        if label in title and kind in rows:
            return rows[kind]
    if "CIWA-B" in title or decision.kind == "sleep":
        return rows.get("ciwa-b")
    return None


# ----------------------------------------------------------------------------- alerts

#: the reason an overdue-assessment alert closes by itself
ASSESSMENT_RECORDED = "assessment recorded"


def resolve_overdue(row: Assessment, patient: Patient) -> list[Alert]:
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
