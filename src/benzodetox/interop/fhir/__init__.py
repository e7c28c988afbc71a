"""FHIR R4 (R4B models) out and in: pure mapping on core objects and plain data, no Django.

Out: Patient, Conditions, the regimen as MedicationStatements, a plan as MedicationRequests
(``sequenced`` or ``per-step``) with the pharmacy supply as ``dispenseRequest``, the CarePlan,
Questionnaires, QuestionnaireResponses with total-score Observations, Bundles and
OperationOutcomes (plain dicts; :func:`fhir_json` writes them). In: :func:`read_fhir` turns a
Bundle or medication resources into a draft regimen with each refused entry's reason.
docs/api/fhir.md describes the mapping and the code systems with their sources.
"""

from .assessments import RecordedAssessment, assessment_resources, questionnaire, questionnaires
from .common import Subject, fhir_json, jsonable
from .exports import PatientExport, everything_bundle, plan_bundle
from .importing import Draft, DraftDose, Refusal, read_fhir
from .medication import SHAPES, PlanContext, plan_requests, regimen_statements
from .record import (
    Activity,
    CarePlanFacts,
    PatientFacts,
    bundle,
    careplan,
    conditions,
    operation_outcome,
    patient,
)

__all__ = [
    "SHAPES",
    "Activity",
    "CarePlanFacts",
    "Draft",
    "DraftDose",
    "PatientExport",
    "PatientFacts",
    "PlanContext",
    "RecordedAssessment",
    "Refusal",
    "Subject",
    "assessment_resources",
    "bundle",
    "careplan",
    "conditions",
    "everything_bundle",
    "fhir_json",
    "jsonable",
    "operation_outcome",
    "patient",
    "plan_bundle",
    "plan_requests",
    "questionnaire",
    "questionnaires",
    "read_fhir",
    "regimen_statements",
]

