"""Gather one patient's data from the web models as the plain data interop/fhir maps.

Every query runs through the programme-scoped managers (the caller sets the scope: a token's
programme, or a signed-in user's programmes). Six queries for a patient's whole record.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from benzodetox.interop.fhir import (
    Activity,
    CarePlanFacts,
    PatientExport,
    PatientFacts,
    PlanContext,
    RecordedAssessment,
)
from benzodetox.web.careplans.models import Course
from benzodetox.web.careplans.pharmacy_policy import order_default
from benzodetox.web.careplans.services import current_aftercare
from benzodetox.web.monitoring.models import INSTRUMENT_KINDS, Assessment, Rater
from benzodetox.web.patients.models import Patient
from benzodetox.web.patients.services import latest_intake, regimen_of
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.plans.services import plan_of

__all__ = ["patient_export", "patient_facts"]

_AFTERCARE_STATUS = {True: "completed", False: "cancelled", None: "scheduled"}


def patient_facts(patient: Patient) -> PatientFacts:
    return PatientFacts(
        id=str(patient.pk),
        reference=patient.reference,
        display_name=patient.display_name,
        year_of_birth=patient.year_of_birth,
        programme=str(patient.programme),
    )


def _plan_version(patient: Patient) -> PlanVersion | None:
    """The newest approved version, else the newest draft."""
    versions = patient.plan_versions.select_related("approval")
    approved = versions.filter(approval__isnull=False).order_by("-number").first()
    return approved or versions.order_by("-number").first()


def _assessments(patient: Patient) -> list[RecordedAssessment]:
    rows = (
        Assessment.objects.filter(
            patient=patient, kind__in=INSTRUMENT_KINDS, superseded_by__isnull=True
        )
        .only("id", "kind", "at", "answers", "total", "band", "band_confirmed", "rater", "version")
        .order_by("at", "id")
    )
    return [
        RecordedAssessment(
            id=str(row.pk),
            instrument=row.kind,
            at=row.at,
            answers=tuple(int(a) for a in row.answers or ()),
            total=row.total,
            band=row.band,
            band_confirmed=row.band_confirmed,
            self_reported=row.rater == Rater.SELF,
            corrected=row.version > 1,
        )
        for row in rows
    ]


def _monitoring(assessments: list[RecordedAssessment]) -> tuple[Activity, ...]:
    counts = Counter(a.instrument for a in assessments)
    last: dict[str, datetime] = {a.instrument: a.at for a in assessments}
    return tuple(
        Activity(
            "monitoring",
            f"{key.upper()} assessments as the programme's monitoring schedule sets: "
            f"{counts[key]} recorded, the last on {last[key]:%Y-%m-%d}",
            status="in-progress",
            start=min(a.at for a in assessments if a.instrument == key).date(),
        )
        for key in INSTRUMENT_KINDS
        if counts[key]
    )


def _psychosocial(patient: Patient) -> tuple[Activity, ...]:
    courses = Course.objects.filter(patient=patient).order_by("start", "id")
    return tuple(
        Activity(
            "psychosocial",
            f"{c.title}" + (f", every {c.every_days} days" if c.every_days else ""),
            start=c.start,
        )
        for c in courses
    )


def _aftercare(patient: Patient) -> tuple[Activity, ...]:
    care = current_aftercare(patient)
    if care is None:
        return ()
    return tuple(
        Activity("aftercare", item.title, _AFTERCARE_STATUS[item.done], start=item.on)
        for item in care.items.order_by("on", "id")
    )


def patient_export(patient: Patient) -> PatientExport:
    """Everything interop/fhir needs for the patient's ``$everything`` Bundle."""
    facts = patient_facts(patient)
    version = _plan_version(patient)
    plan = plan_of(version) if version is not None else None
    approved = version is not None and hasattr(version, "approval")
    context = None
    if version is not None:
        context = PlanContext(
            subject=facts.subject,
            group=f"patient-{patient.pk}-plan-v{version.number}",
            approved=approved,
            authored=version.created_at,
            period_days=order_default(patient).days,
            id_prefix=f"plan-{patient.pk}-v{version.number}",
        )
    assessments = _assessments(patient)
    intake = latest_intake(patient)
    careplan = CarePlanFacts(
        id=f"careplan-{patient.pk}",
        title=f"Benzodiazepine taper programme: {patient.programme}",
        status="active" if approved else "draft",
        start=plan.start if plan is not None else None,
        end=plan.end if plan is not None else None,
        activities=_monitoring(assessments) + _psychosocial(patient) + _aftercare(patient),
        description=f"Phase now: {patient.get_phase_display()}",
    )
    return PatientExport(
        patient=facts,
        regimen=regimen_of(patient),
        plan=plan,
        plan_context=context,
        careplan=careplan,
        conditions=tuple(intake.conditions or ()) if intake is not None else (),
        conditions_recorded=intake.created_at if intake is not None else None,
        assessments=assessments,
    )
