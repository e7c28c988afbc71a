"""Recording an assessment — an instrument's answers and score, a set of vital signs, or an
emergency event — or its correction (a new version with its reason): the entry is checked,
scored by the core and stored once; its alerts are raised, an overdue alert it answers is
closed, the escalation and the scan's schedule follow it, the advice it leads to is kept, and
the whole is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from benzodetox.core.assessment import check_vitals, score
from benzodetox.core.assessment.vitals import vitals_from_dict
from benzodetox.core.errors import InputError
from benzodetox.web.audit.services import record
from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.services import acting_user, require

from .advice import advice_now, keep_advice
from .alerts import raise_for, resolve_overdue
from .clock import local_naive
from .models import INSTRUMENT_KINDS, Assessment, Event, Rater
from .overdue import reschedule
from .policy import Policy
from .programme_settings import policy_for
from .state import current_plan, follow_escalation

__all__ = ["Entry", "action_for", "describe", "record_assessment"]

#: kinds whose recording changes what the overdue scan finds due
_WITHDRAWAL = ("ciwa-b", "bwsq", "vitals")


def action_for(kind: str) -> str:
    """The permission recording an assessment of ``kind`` needs."""
    return "monitoring.record_mood" if kind in ("phq-9", "gad-7") else "monitoring.record"


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


def _check_entry(
    patient: Patient, entry: Entry, supersedes: Assessment | None, reason: str
) -> None:
    if entry.at > timezone.now() + timedelta(minutes=5):
        raise InputError("at", entry.at.isoformat(), "a time that has already happened")
    if supersedes is not None:
        if supersedes.patient_id != patient.pk or supersedes.kind != entry.kind:
            raise InputError("correction", supersedes.pk, "an assessment of this patient and kind")
        if not reason.strip():
            raise InputError("correction_reason", reason, "why the entry is corrected")


def _fill(row: Assessment, entry: Entry, policy: Policy) -> list[dict[str, object]]:
    """Score the entry into ``row`` by its kind; the vital-sign findings it gives."""
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
    return findings


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
    _check_entry(patient, entry, supersedes, reason)
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
    findings = _fill(row, entry, policy)
    row.save()
    if supersedes is not None and not Assessment.objects.link_successor(supersedes.pk, row):
        raise InputError("correction", supersedes.pk, "the newest version (it was corrected)")
    raised = raise_for(row, policy, patient)
    resolve_overdue(row, patient)
    follow_escalation(row, patient, raised)
    version, plan = current_plan(patient)
    if row.kind in _WITHDRAWAL:
        reschedule(patient, version.pk if version is not None else None, now)
    advice = advice_now(patient, policy, plan)
    if advice is not None:
        keep_advice(request, patient, advice, version, assessment=row)
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
    """One line saying what was recorded (total and band, readings, or the event)."""
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
