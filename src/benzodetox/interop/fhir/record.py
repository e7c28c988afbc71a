"""The patient's record as FHIR R4: Patient, Conditions from the intake, the programme's
CarePlan, Bundles and OperationOutcomes.

Inputs are plain data the adapter gathers (the core never reads a person's record). The
intake's conditions are the keys of the core's risk rules (``risk.toml``); the reference gives
no SNOMED CT or ICD-10-CM code for them, so they are coded in benzodetox's CodeSystem
``intake-condition`` with the core's wording. The intake records no diagnosis of dependence, so
no ``F13.*`` / SNOMED dependence Condition is made up from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ...core.assessment import condition_labels
from .codes import CONDITION_CLINICAL, CS_CONDITION, ID_PATIENT_REFERENCE
from .common import Subject, day, safe_id

__all__ = [
    "Activity",
    "CarePlanFacts",
    "PatientFacts",
    "bundle",
    "careplan",
    "conditions",
    "operation_outcome",
    "patient",
]


@dataclass(frozen=True)
class PatientFacts:
    id: str
    reference: str
    display_name: str
    year_of_birth: int | None = None
    programme: str = ""

    @property
    def subject(self) -> Subject:
        return Subject(self.display_name, f"Patient/{self.id}")


def patient(facts: PatientFacts) -> dict[str, Any]:
    """The Patient: the programme's record number, the name or initials the team uses and the
    year of birth (the only part of it benzodetox keeps)."""
    out: dict[str, Any] = {
        "resourceType": "Patient",
        "id": safe_id(facts.id),
        "identifier": [{"system": ID_PATIENT_REFERENCE, "value": facts.reference}],
        "name": [{"text": facts.display_name}],
    }
    if facts.programme:
        out["managingOrganization"] = {"display": facts.programme}
    if facts.year_of_birth is not None:
        out["birthDate"] = f"{facts.year_of_birth:04d}"
    return out


def conditions(
    keys: Sequence[str], subject: Subject, recorded: date | datetime | None, id_prefix: str
) -> list[dict[str, Any]]:
    """One active Condition per intake condition key (unknown keys are left out)."""
    labels = dict(condition_labels())
    out = []
    for key in keys:
        if key not in labels:
            continue
        resource: dict[str, Any] = {
            "resourceType": "Condition",
            "id": safe_id(f"{id_prefix}-{key}"),
            "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
            "code": {
                "coding": [{"system": CS_CONDITION, "code": key, "display": labels[key]}],
                "text": labels[key],
            },
            "subject": subject.as_reference(),
        }
        if recorded is not None:
            resource["recordedDate"] = recorded.isoformat()
        out.append(resource)
    return out


@dataclass(frozen=True)
class Activity:
    """One CarePlan activity: ``kind`` is taper, monitoring, psychosocial or aftercare;
    ``status`` a FHIR CarePlan activity status; ``reference`` a request it stands for."""

    kind: str
    text: str
    status: str = "scheduled"
    start: date | None = None
    end: date | None = None
    reference: str | None = None


@dataclass(frozen=True)
class CarePlanFacts:
    id: str
    title: str
    status: str = "active"  # draft | active | completed
    start: date | None = None
    end: date | None = None
    activities: tuple[Activity, ...] = field(default=())
    description: str = ""


def _activity(item: Activity) -> dict[str, Any]:
    if item.reference:
        return {"reference": {"reference": item.reference, "display": item.text}}
    detail: dict[str, Any] = {
        "code": {"text": item.kind},
        "status": item.status,
        "description": item.text,
    }
    if item.start is not None:
        period: dict[str, str] = {"start": day(item.start)}
        if item.end is not None:
            period["end"] = day(item.end)
        detail["scheduledPeriod"] = period
    return {"detail": detail}


def careplan(facts: CarePlanFacts, subject: Subject) -> dict[str, Any]:
    """The programme's CarePlan: the taper (references to its MedicationRequests),
    monitoring, psychosocial care and aftercare as activities, in that order."""
    order = {"taper": 0, "monitoring": 1, "psychosocial": 2, "aftercare": 3}
    acts = sorted(facts.activities, key=lambda a: order.get(a.kind, 4))
    out: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": safe_id(facts.id),
        "status": facts.status,
        "intent": "plan",
        "title": facts.title,
        "subject": subject.as_reference(),
        "category": [{"text": "benzodiazepine taper programme"}],
    }
    if facts.description:
        out["description"] = facts.description
    if facts.start is not None:
        out["period"] = {"start": day(facts.start)}
        if facts.end is not None:
            out["period"]["end"] = day(facts.end)
    if acts:
        out["activity"] = [_activity(a) for a in acts]
    return out


def bundle(
    resources: Sequence[dict[str, Any]],
    kind: str = "collection",
    base: str = "",
    bundle_id: str = "",
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    """A Bundle of ``resources``; each entry's ``fullUrl`` is ``base`` + type/id (or a
    ``urn:uuid`` made from them when there is no base)."""
    import uuid

    entries = []
    for resource in resources:
        path = f"{resource['resourceType']}/{resource['id']}"
        full = (
            f"{base.rstrip('/')}/{path}"
            if base
            else f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{bundle_id}/{path}')}"
        )
        entry: dict[str, Any] = {"fullUrl": full, "resource": resource}
        if kind == "searchset":
            entry["search"] = {"mode": "match"}
        entries.append(entry)
    out: dict[str, Any] = {"resourceType": "Bundle", "type": kind}
    if bundle_id:
        out["id"] = safe_id(bundle_id)
    if timestamp is not None:
        out["timestamp"] = timestamp.isoformat()
    if kind == "searchset":
        out["total"] = len(entries)
    out["entry"] = entries
    return out


def operation_outcome(code: str, diagnostics: str, expression: str = "") -> dict[str, Any]:
    """An error as an OperationOutcome (``code`` from FHIR's issue-type: not-found, invalid,
    forbidden, login …)."""
    issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}
