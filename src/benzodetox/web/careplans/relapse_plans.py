"""Relapse-prevention plans: versions written once (a change is a new version with its reason),
read back as the core's ``RelapsePlan``; every save checks the role and is audited."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404, HttpRequest

from benzodetox.core.careplan.relapse import (
    CONTACT_ROLES,
    Lifestyle,
    RelapsePlan,
    SupportContact,
    Trigger,
    revise,
)
from benzodetox.core.errors import InputError
from benzodetox.web.audit.services import record
from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.services import acting_user, require

from .models import RelapsePlanVersion

__all__ = [
    "add_by_patient",
    "get_relapse_version",
    "latest_relapse",
    "relapse_from_dict",
    "relapse_plan_of",
    "relapse_to_dict",
    "save_relapse_plan",
]


def relapse_to_dict(plan: RelapsePlan) -> dict[str, Any]:
    """The plan's content (not its version, which the row keeps) as JSON."""
    return {
        "goals": list(plan.goals),
        "triggers": [
            {"description": t.description, "kind": t.kind, "coping": list(t.coping)}
            for t in plan.triggers
        ],
        "warning_signs": list(plan.warning_signs),
        "contacts": [
            {"role": c.role, "name": c.name, "phone": c.phone, "note": c.note}
            for c in plan.contacts
        ],
        "after_lapse": list(plan.after_lapse),
        "lifestyle": asdict(plan.lifestyle),
    }


def relapse_from_dict(
    raw: dict[str, Any],
    *,
    version: int = 1,
    reason: str = "first version",
    updated_on: date | None = None,
) -> RelapsePlan:
    return RelapsePlan(
        goals=tuple(raw.get("goals", ())),
        triggers=tuple(
            Trigger(t["description"], t["kind"], tuple(t.get("coping", ())))
            for t in raw.get("triggers", ())
        ),
        warning_signs=tuple(raw.get("warning_signs", ())),
        contacts=tuple(
            SupportContact(c["role"], c["name"], c.get("phone", ""), c.get("note", ""))
            for c in raw.get("contacts", ())
        ),
        after_lapse=tuple(raw.get("after_lapse", ())),
        lifestyle=Lifestyle(**raw.get("lifestyle", {})),
        version=version,
        reason=reason,
        updated_on=updated_on,
    )


def relapse_plan_of(row: RelapsePlanVersion) -> RelapsePlan:
    return relapse_from_dict(
        row.content, version=row.number, reason=row.reason, updated_on=row.reviewed_on
    )


def latest_relapse(patient: Patient) -> RelapsePlanVersion | None:
    return patient.relapse_plans.select_related("created_by").order_by("-number").first()


def get_relapse_version(patient: Patient, number: int) -> RelapsePlanVersion:
    try:
        return patient.relapse_plans.select_related("created_by").get(number=number)
    except RelapsePlanVersion.DoesNotExist:
        raise Http404("no such relapse-plan version") from None


def save_relapse_plan(
    request: HttpRequest,
    patient: Patient,
    content: RelapsePlan,
    *,
    reason: str,
    reviewed_on: date,
) -> RelapsePlanVersion:
    """Store the plan as the next version (the earlier ones are never changed)."""
    require(request.user, "relapse.edit", patient.programme_id)
    if not reason.strip():
        raise InputError("reason", reason, "a reason for this version (e.g. 'reviewed at visit')")
    for _attempt in range(3):
        try:
            with transaction.atomic():
                previous = latest_relapse(patient)
                if previous is None:
                    value = relapse_from_dict(
                        relapse_to_dict(content), reason=reason.strip(), updated_on=reviewed_on
                    )
                else:
                    changes = {
                        name: getattr(content, name)
                        for name in (
                            "goals",
                            "triggers",
                            "warning_signs",
                            "contacts",
                            "after_lapse",
                            "lifestyle",
                        )
                    }
                    value = revise(
                        relapse_plan_of(previous), reason=reason, on=reviewed_on, **changes
                    )
                number = (patient.relapse_plans.aggregate(n=Max("number"))["n"] or 0) + 1
                row = RelapsePlanVersion(
                    patient=patient,
                    number=number,
                    reason=value.reason,
                    reviewed_on=reviewed_on,
                    content=relapse_to_dict(value),
                    created_by=acting_user(request),
                )
                row.save()
                record(
                    request,
                    "careplan.relapse_plan_saved",
                    obj=row,
                    patient=patient,
                    summary=f"relapse-prevention plan v{number}: {value.reason}"[:300],
                )
                return row
        except IntegrityError:  # another clinician saved a version at the same moment
            continue
    raise InputError("reason", reason, "saving again: another version was saved at the same time")


#: support roles a patient may add to their own plan (the rest are the team's to fill)
PATIENT_CONTACT_ROLES = ("support_person", "peer")


def add_by_patient(
    request: HttpRequest,
    patient: Patient,
    *,
    trigger: int | None = None,
    coping: str = "",
    support: SupportContact | None = None,
    on: date,
) -> RelapsePlanVersion:
    """The patient's own addition to their relapse-prevention plan, kept as the next version
    (authored by the patient's portal user, the reason saying so): a coping strategy for one of
    the plan's triggers (by its position) and/or a support person. Only additions: nothing the
    team wrote is changed or removed. The portal calls this for the signed-in patient only."""
    latest = latest_relapse(patient)
    if latest is None:
        raise InputError("plan", "none", "a relapse-prevention plan your care team started")
    plan = relapse_plan_of(latest)
    triggers = list(plan.triggers)
    contacts = list(plan.contacts)
    added: list[str] = []
    if coping.strip():
        if trigger is None or not 0 <= trigger < len(triggers):
            raise InputError("trigger", trigger, "one of the triggers in your plan")
        old = triggers[trigger]
        triggers[trigger] = Trigger(old.description, old.kind, (*old.coping, coping.strip()))
        added.append(f"coping strategy for '{old.description}'")
    if support is not None:
        if support.role not in PATIENT_CONTACT_ROLES:
            raise InputError(
                "contact role",
                support.role,
                ", ".join(CONTACT_ROLES[r] for r in PATIENT_CONTACT_ROLES),
            )
        contacts.append(support)
        added.append(f"support: {support.role_title}")
    if not added:
        raise InputError("coping", coping, "a coping strategy or a support person")
    reason = "Added by the patient: " + "; ".join(added)
    value = revise(plan, reason=reason, on=on, triggers=tuple(triggers), contacts=tuple(contacts))
    for _attempt in range(3):
        try:
            with transaction.atomic():
                number = (patient.relapse_plans.aggregate(n=Max("number"))["n"] or 0) + 1
                row = RelapsePlanVersion(
                    patient=patient,
                    number=number,
                    reason=reason[:500],
                    reviewed_on=on,
                    content=relapse_to_dict(value),
                    created_by=acting_user(request),
                )
                row.save()
                record(
                    request,
                    "careplan.relapse_plan_patient_addition",
                    obj=row,
                    patient=patient,
                    summary=f"relapse-prevention plan v{number}: {reason}"[:300],
                    detail={"by": "patient"},
                )
                return row
        except IntegrityError:  # a clinician saved a version at the same moment
            continue
    raise InputError("coping", coping, "saving again: the plan was changed at the same time")
