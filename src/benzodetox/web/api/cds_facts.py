"""What the CDS Hooks services know of a patient, gathered from benzodetox's own records inside
the token's programme scope: the patient matched by record number, the approved plan in force,
current clinician-rated CIWA-B scores, the monitoring schedule's items, aftercare, the active
regimen and the equivalence table. The core turns these facts into cards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from benzodetox.core.catalogue import EQUIVALENCE_TABLES
from benzodetox.core.cds import CiwaReading, OrderLine, PatientFacts, TaperState
from benzodetox.web.careplans import policy as aftercare_policy
from benzodetox.web.careplans.services import core_aftercare_of, current_aftercare
from benzodetox.web.monitoring import services as monitoring
from benzodetox.web.monitoring.models import Assessment, Rater
from benzodetox.web.patients.models import Patient
from benzodetox.web.patients.services import latest_intake

__all__ = ["active_regimen_lines", "find_patient", "patient_facts", "table_for", "taper_of"]

#: Most CIWA-B readings the trend rule is given (the newest; the rule looks at the last few).
_CIWA_READINGS = 10


def _identifiers(prefetched: Any) -> list[str]:
    if not isinstance(prefetched, dict) or prefetched.get("resourceType") != "Patient":
        return []
    found = [prefetched.get("id")]
    listed = prefetched.get("identifier")
    if isinstance(listed, list):
        found += [i.get("value") for i in listed if isinstance(i, dict)]
    return [v for v in found if isinstance(v, str) and v]


def find_patient(patient_id: str, prefetch: Mapping[str, Any]) -> Patient | None:
    """The patient whose record number is ``context.patientId`` (or one of the prefetched
    Patient's identifiers) in the active programme scope; None when there is none — a patient
    of another programme is never found."""
    candidates = [patient_id, *_identifiers(prefetch.get("patient"))]
    for value in dict.fromkeys(candidates):
        found: Patient | None = Patient.objects.filter(reference=value).first()
        if found is not None:
            return found
    return None


def taper_of(patient: Patient) -> TaperState | None:
    version, plan = monitoring.current_plan(patient)
    if version is None or plan is None:
        return None
    return TaperState(version.number, plan.steps)


def table_for(patient: Patient | None) -> tuple[str, bool]:
    """The equivalence table to state and whether it is the patient's own (the plan in
    force's, else the intake's); else the calculator's first table."""
    if patient is not None:
        _version, plan = monitoring.current_plan(patient)
        if plan is not None and plan.source in EQUIVALENCE_TABLES:
            return plan.source, True
        intake = latest_intake(patient)
        if intake is not None and intake.equivalence_table in EQUIVALENCE_TABLES:
            return intake.equivalence_table, True
    return EQUIVALENCE_TABLES[0], False


def _ciwa(patient: Patient, policy: Any) -> tuple[CiwaReading, ...]:
    rows = list(
        Assessment.objects.filter(
            patient=patient, kind="ciwa-b", superseded_by__isnull=True, rater=Rater.CLINICIAN
        ).order_by("-at", "-id")[:_CIWA_READINGS]
    )
    readings = []
    for row in rows:
        scored = monitoring.score_of(row, policy)
        if scored is not None:
            readings.append(CiwaReading(monitoring.local_naive(row.at), scored))
    return tuple(readings)


def _due(patient: Patient, plan: Any, policy: Any, now: datetime) -> tuple[Any, ...]:
    done = list(
        Assessment.objects.filter(
            patient=patient,
            kind__in=("ciwa-b", "vitals"),
            superseded_by__isnull=True,
            rater=Rater.CLINICIAN,
        ).values_list("kind", "at")
    )
    return monitoring.due_now(
        plan, monitoring.setting_of(patient), done, now, policy.schedule,
        monitoring.escalated_at(patient),
    )


def patient_facts(patient: Patient, today: date | None = None) -> PatientFacts:
    """Everything the patient-view rules look at, today (the programme's local date)."""
    now = timezone.now()
    day = today or timezone.localdate()
    policy = monitoring.policy_for(patient.programme_id)
    version, plan = monitoring.current_plan(patient)
    care = current_aftercare(patient)
    return PatientFacts(
        today=day,
        taper=TaperState(version.number, plan.steps) if version and plan else None,
        ciwa=_ciwa(patient, policy),
        due=_due(patient, plan, policy, now),
        aftercare=core_aftercare_of(care) if care is not None else None,
        aftercare_policy=aftercare_policy.policy_for(patient.programme_id),
    )


def active_regimen_lines(patient: Patient | None) -> Sequence[OrderLine]:
    """The patient's recorded regimen as active order lines (one per dose and time), the
    fallback when the client sent no active medications."""
    if patient is None:
        return ()
    return tuple(
        OrderLine(f"benzodetox-regimen/{dose.pk}", (), dose.drug, dose.mg, "mg", None,
                  (dose.time,))
        for dose in patient.regimen_doses.all()
    )
