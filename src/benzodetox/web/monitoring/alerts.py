"""Alerts: raised for one new assessment (severe scores, emergencies, vital signs, sleep
disturbance), overdue alerts closed by the assessment that meets them, and a clinician's
acknowledgement. Every change is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from benzodetox.core.assessment import escalation_for
from benzodetox.web.audit.services import record
from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.services import require

from .clock import local_naive
from .models import Alert, Assessment, Severity
from .policy import Policy

__all__ = [
    "ASSESSMENT_RECORDED",
    "acknowledge",
    "conditions_of",
    "make_alert",
    "raise_for",
    "resolve_overdue",
]

_SCHEDULED = ("ciwa-b", "vitals")
_SLEEP_CONDITIONS = frozenset({"bipolar", "psychotic_disorder"})


def conditions_of(patient: Patient) -> list[str]:
    """The conditions recorded at the patient's latest intake."""
    intake = patient.intakes.order_by("-created_at", "-id").first()  # type: ignore[attr-defined]
    return list(intake.conditions) if intake is not None else []


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


def raise_for(row: Assessment, policy: Policy, patient: Patient) -> list[Alert]:
    """Alerts for one new assessment: severe scores, suicidality, emergency events, vital signs
    beyond the programme's thresholds, sleep disturbance in bipolar or psychotic disorder."""
    found: list[Alert] = []
    base = f"assessment:{row.pk}"
    name = row.get_kind_display()
    if row.kind == "ciwa-b" and row.total is not None and row.total >= policy.severe_from:
        very = row.total >= policy.very_severe_from
        found.append(
            make_alert(
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
            make_alert(
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
            make_alert(
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
            make_alert(
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
                make_alert(
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
