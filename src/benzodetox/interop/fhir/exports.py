"""Whole exports: a plan as a Bundle of MedicationRequests (``benzodetox plan --format fhir``)
and everything known of a patient as one Bundle (``Patient/{id}/$everything``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ...core.plan import Plan
from ...core.regimen import Regimen
from .assessments import RecordedAssessment, assessment_resources, questionnaire
from .common import Subject
from .medication import PlanContext, plan_requests, regimen_statements
from .record import Activity, CarePlanFacts, PatientFacts, bundle, careplan, conditions, patient

__all__ = ["PatientExport", "everything_bundle", "plan_bundle"]

#: who a plan built on the command line is for: nobody named
CLI_SUBJECT = Subject("patient not named (plan made with benzodetox on the command line)")


def plan_bundle(
    plan: Plan,
    shape: str = "sequenced",
    *,
    period_days: int | None = 28,
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    """A collection Bundle of the plan's MedicationRequests (draft proposals: nobody has
    approved a plan made on the command line)."""
    group = f"plan-{plan.start.isoformat()}-{plan.strategy}"
    ctx = PlanContext(CLI_SUBJECT, group, period_days=period_days, id_prefix="plan")
    return bundle(plan_requests(plan, ctx, shape), bundle_id=group, timestamp=timestamp)


@dataclass(frozen=True)
class PatientExport:
    """Everything the adapter gathered for one patient, as plain data and core objects."""

    patient: PatientFacts
    regimen: Regimen | None = None
    regimen_asserted: datetime | None = None
    plan: Plan | None = None
    plan_context: PlanContext | None = None
    careplan: CarePlanFacts | None = None
    conditions: tuple[str, ...] = ()
    conditions_recorded: datetime | None = None
    assessments: Sequence[RecordedAssessment] = field(default=())


def everything_bundle(
    data: PatientExport,
    *,
    base: str = "",
    shape: str = "sequenced",
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    """A searchset Bundle: Patient, Conditions, MedicationStatements, the plan's
    MedicationRequests and CarePlan, the Questionnaires used, QuestionnaireResponses and
    total-score Observations."""
    subject = data.patient.subject
    pid = data.patient.id
    resources: list[dict[str, Any]] = [patient(data.patient)]
    resources += conditions(data.conditions, subject, data.conditions_recorded, f"cond-{pid}")
    if data.regimen is not None:
        resources += regimen_statements(
            data.regimen, subject, asserted=data.regimen_asserted, id_prefix=f"regimen-{pid}"
        )
    requests: list[dict[str, Any]] = []
    if data.plan is not None and data.plan_context is not None:
        ctx = data.plan_context
        if data.careplan is not None:
            ctx = replace(ctx, careplan=f"CarePlan/{data.careplan.id}")
        requests = plan_requests(data.plan, ctx, shape)
        resources += requests
    if data.careplan is not None:
        taper = tuple(
            Activity("taper", r["medicationCodeableConcept"]["text"], reference=_ref(r))
            for r in requests
        )
        facts = replace(data.careplan, activities=taper + data.careplan.activities)
        resources.append(careplan(facts, subject))
    used = sorted({row.instrument for row in data.assessments})
    resources += [questionnaire(key) for key in used]
    for row in data.assessments:
        response, observation = assessment_resources(row, subject)
        resources.append(response)
        if observation is not None:
            resources.append(observation)
    return bundle(
        resources, "searchset", base=base, bundle_id=f"everything-{pid}", timestamp=timestamp
    )


def _ref(resource: dict[str, Any]) -> str:
    return f"{resource['resourceType']}/{resource['id']}"
