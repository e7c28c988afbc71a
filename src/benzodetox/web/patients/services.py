"""Patient operations: every change checks the role, writes through the model (so history is
kept) and appends an audit event. Views stay thin and call these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone

from benzodetox.core.errors import InputError
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.web.audit.services import record
from benzodetox.web.programmes.models import Programme
from benzodetox.web.programmes.services import acting_user, require

from .choices import FOLLOW_PLAN, Decision, HomeSupport, Phase, PhaseSetBy, Pregnancy
from .models import Intake, Patient, RegimenDose

__all__ = [
    "assess_intake",
    "change_phase",
    "create_patient",
    "get_patient",
    "latest_intake",
    "record_decision",
    "regimen_of",
    "save_intake",
    "set_regimen",
    "update_patient",
]


def get_patient(request: HttpRequest, pk: int, action: str = "patient.view") -> Patient:
    """The patient, fetched through the programme scope (another programme's patient is
    404 — indistinguishable from one that does not exist), if the user's role allows
    ``action`` (403 otherwise)."""
    try:
        patient: Patient = Patient.objects.select_related("programme").get(pk=pk)
    except Patient.DoesNotExist:
        raise Http404("no such patient") from None
    require(request.user, action, patient.programme_id)
    return patient


def _reference_taken(patient: Patient) -> InputError:
    return InputError(
        "reference",
        patient.reference,
        "a reference no other patient of this programme uses",
    )


@transaction.atomic
def create_patient(request: HttpRequest, programme: Programme, data: dict[str, Any]) -> Patient:
    """A new patient; a reference already used in the programme (even by a concurrent request
    that saved first) is an InputError on ``reference``."""
    require(request.user, "patient.create", programme.pk)
    patient = Patient(programme=programme, created_by=acting_user(request), **data)
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError:
        raise _reference_taken(patient) from None
    record(request, "patient.created", obj=patient, patient=patient, summary=str(patient))
    return patient


@transaction.atomic
def update_patient(request: HttpRequest, patient: Patient, changed: list[str]) -> Patient:
    """Save edited details; a reference already used in the programme is an InputError on
    ``reference`` and nothing is saved."""
    require(request.user, "patient.edit", patient.programme_id)
    patient._change_reason = "details edited"  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError:
        raise _reference_taken(patient) from None
    record(request, "patient.edited", obj=patient, patient=patient, detail={"fields": changed})
    return patient


@transaction.atomic
def change_phase(request: HttpRequest, patient: Patient, phase: str, reason: str) -> Patient:
    """A clinician's change of phase. ``FOLLOW_PLAN`` hands the phase back to the approved plan;
    a phase the plan does not give today pins it (the periodic job leaves it alone until the
    next approval); one the plan gives today leaves the plan in charge (``patients/phase.py``).
    """
    require(request.user, "phase.change", patient.programme_id)
    from .phase import apply_plan_phase, plan_phase_today

    today = timezone.localdate()
    planned = plan_phase_today(patient, today)
    if phase == FOLLOW_PLAN:
        if planned is None:
            raise InputError("phase", phase, "a phase of care: there is no approved plan to follow")
        # before the plan has started there is nothing to change yet
        phase = patient.phase if planned.phase is None else planned.phase
    elif phase not in Phase.values:
        raise InputError("phase", phase, ", ".join(Phase.values))
    before = patient.phase
    # before the plan's first day, keeping intake is what the plan says too
    follows = planned is not None and (
        phase == planned.phase or (planned.phase is None and phase == Phase.INTAKE)
    )
    patient.phase_set_by = PhaseSetBy.PLAN if follows else PhaseSetBy.CLINICIAN
    if phase != before:
        patient.phase = phase
        patient.phase_since = today
    patient._change_reason = reason  # type: ignore[attr-defined]
    patient.save(update_fields=["phase", "phase_since", "phase_set_by"])
    record(
        request,
        "patient.phase_changed",
        obj=patient,
        patient=patient,
        summary=f"{before} → {phase}: {reason}"[:300],
        detail={"from": before, "to": phase, "reason": reason},
    )
    if follows:
        apply_plan_phase(patient, "followed again", today=today)
    return patient


def regimen_of(patient: Patient) -> Regimen | None:
    doses = [Dose(time=d.time, drug=d.drug, mg=d.mg) for d in patient.regimen_doses.all()]
    return Regimen(tuple(doses)) if doses else None


@transaction.atomic
def set_regimen(
    request: HttpRequest, patient: Patient, doses: Iterable[tuple[str, Decimal, time]]
) -> Regimen:
    """Replace the current regimen (the old rows stay in history)."""
    require(request.user, "regimen.edit", patient.programme_id)
    rows = list(doses)
    regimen = Regimen(tuple(Dose(time=t, drug=drug, mg=mg) for drug, mg, t in rows))
    for old in patient.regimen_doses.all():
        old.delete()
    for dose in regimen.doses:
        RegimenDose(patient=patient, drug=dose.drug, mg=dose.mg, time=dose.time).save()
    record(
        request,
        "regimen.set",
        obj=patient,
        patient=patient,
        summary="; ".join(f"{d.drug} {d.mg} mg at {d.time:%H:%M}" for d in regimen.doses),
    )
    _refresh_figures(patient)
    return regimen


def _refresh_figures(patient: Patient) -> None:
    from .phase import refresh_figures

    refresh_figures(patient)


def latest_intake(patient: Patient) -> Intake | None:
    return patient.intakes.order_by("-created_at", "-id").first()


def intake_as_dict(
    intake: Intake, patient: Patient, regimen: Regimen, today: date
) -> dict[str, Any]:
    """The intake in the core's plain-data form (``core.assessment.intake_from_dict``)."""
    data: dict[str, Any] = {
        "age": patient.age_on(today),
        "regimen": [
            {"drug": d.drug, "mg": str(d.mg), "time": d.time.strftime("%H:%M")}
            for d in regimen.doses
        ],
        "duration_months": str(intake.duration_months),
        "days_per_week": intake.days_per_week,
        "source": intake.equivalence_table,
        "history": {
            "withdrawal_seizure": intake.withdrawal_seizure_history,
            "withdrawal_delirium": intake.withdrawal_delirium_history,
        },
        "substances": {key: True for key in intake.substances},
        "conditions": list(intake.conditions),
        "pregnant": intake.pregnancy == Pregnancy.YES,
        "support_at_home": intake.home_support == HomeSupport.SUPPORTIVE,
        "dimensions": {k: int(v) for k, v in (intake.dimensions or {}).items()},
        "sud_medication": intake.sud_medication,
    }
    if intake.basis:
        data["basis"] = intake.basis
    return data


def assess_intake(intake: Intake, patient: Patient, regimen: Regimen | None) -> dict[str, Any]:
    """The core's assessment of this intake as plain data for storing and showing.

    Returns ``{"available": False, "why": ...}`` when it cannot be made (no regimen yet, or
    the assessment core not installed)."""
    if regimen is None:
        return {"available": False, "why": "Record the current regimen to see the assessment."}
    from . import assessment_adapter

    data = intake_as_dict(intake, patient, regimen, timezone.localdate())
    return assessment_adapter.assess(data)


@transaction.atomic
def save_intake(
    request: HttpRequest, patient: Patient, intake: Intake | None, values: dict[str, Any]
) -> Intake:
    """Create or update the intake and store the core's assessment of it as it now stands.

    A core ``InputError`` propagates (nothing is saved), for the view to show on its field."""
    require(request.user, "intake.edit", patient.programme_id)
    creating = intake is None
    if intake is None:
        intake = Intake(patient=patient)
    for name, value in values.items():
        setattr(intake, name, value)
    recommended_before = intake.level_of_care
    assessment = assess_intake(intake, patient, regimen_of(patient))
    _apply_assessment(intake, assessment)
    intake.updated_by = acting_user(request)
    if intake.decision and intake.level_of_care != recommended_before:
        # The recommendation changed under the decision: it must be made again.
        intake.decision = intake.chosen_level = intake.decision_reason = ""
        intake.decided_by = None
        intake.decided_at = None
    intake.save()
    record(
        request,
        "intake.created" if creating else "intake.edited",
        obj=intake,
        patient=patient,
        summary=f"risk {intake.risk or '—'}, level of care {intake.level_of_care or '—'}",
    )
    _refresh_figures(patient)
    return intake


def _apply_assessment(intake: Intake, assessment: dict[str, Any]) -> None:
    if not assessment.get("available"):
        intake.risk = intake.risk_text = intake.level_of_care = intake.level_of_care_text = ""
        intake.reasons = []
        intake.diazepam_eq_mg = None
        intake.assessment = assessment
        intake.assessed_at = None
        return
    intake.risk = assessment["risk"]
    intake.risk_text = assessment.get("risk_text", "")[:200]
    intake.level_of_care = assessment["level_of_care"]
    intake.level_of_care_text = assessment.get("level_of_care_text", "")[:200]
    intake.reasons = assessment.get("reasons", [])
    eq = assessment.get("diazepam_eq_mg")
    intake.diazepam_eq_mg = Decimal(eq) if eq is not None else None
    intake.assessment = assessment
    intake.assessed_at = timezone.now()


@transaction.atomic
def record_decision(
    request: HttpRequest, intake: Intake, decision: str, chosen_level: str, reason: str
) -> Intake:
    """The clinician's decision on the level of care: agree, or another level with a reason."""
    patient = intake.patient
    require(request.user, "intake.decide", patient.programme_id)
    if decision not in Decision.values:
        raise InputError("decision", decision, "agree or other")
    if decision == Decision.OTHER and (not chosen_level or not reason.strip()):
        raise InputError("decision_reason", reason, "a level of care and the reason for it")
    intake.decision = decision
    intake.chosen_level = chosen_level if decision == Decision.OTHER else ""
    intake.decision_reason = reason.strip()
    intake.decided_by = acting_user(request)
    intake.decided_at = timezone.now()
    intake._change_reason = f"decision: {decision}"  # type: ignore[attr-defined]
    intake.save()
    record(
        request,
        "intake.decided",
        obj=intake,
        patient=patient,
        summary=(
            f"agreed with {intake.level_of_care}"
            if decision == Decision.AGREE
            else f"chose {chosen_level} instead of {intake.level_of_care}: {reason}"
        )[:300],
        detail={
            "decision": decision,
            "recommended": intake.level_of_care,
            "chosen": intake.decided_level,
            "reason": reason,
        },
    )
    return intake
