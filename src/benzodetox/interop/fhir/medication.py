"""Medications as FHIR R4: today's regimen as MedicationStatements, a plan version as
MedicationRequests in two shapes, and the pharmacy supply as ``dispenseRequest``.

Shapes of a plan (existing-tools.md §c1):

- ``sequenced`` — one MedicationRequest per drug with one Dosage per dose and step: ``sequence``
  is the step's number (the same number means concurrent doses, e.g. morning and night of one
  step), ``timing.repeat.boundsPeriod`` the step's dates, ``timeOfDay`` the dose time,
  ``doseAndRate.doseQuantity`` the dose in UCUM mg; the tablets ("½ × Diazepam 5 mg tablet") are
  the Dosage's text. This is the FHIR core example "Order for Tapering Dose".
- ``per-step`` — for consumers that assume exactly one Dosage (the CDC MME calculator, the
  ``MMEMedicationRequest`` profile): one MedicationRequest per step, drug and dose size, each
  with a single Dosage (its times of day and ``frequency``), all linked by ``groupIdentifier``.

>>> from datetime import date, time
>>> from decimal import Decimal
>>> from benzodetox.core.regimen import Dose, Regimen
>>> (statement,) = regimen_statements(
...     Regimen((Dose(time(22), "diazepam", Decimal("7.5")),)), Subject("AB", "Patient/1"))
>>> statement["dosage"][0]["doseAndRate"][0]["doseQuantity"]["value"]
Decimal('7.5')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from ...core.catalogue import Product, catalogue
from ...core.dispensing import describe_take
from ...core.plan import Plan, ScheduledDose, Step
from ...core.regimen import Dose, Regimen
from ...core.supply import SupplyPeriod, format_span, pharmacy_order
from ...core.units import format_mg
from .codes import CS_DRUG, CS_PRODUCT, ID_PLAN_GROUP, RXNORM, UCUM
from .common import Subject, day, mg_quantity, safe_id, time_of_day

__all__ = [
    "SHAPES",
    "PlanContext",
    "drug_concept",
    "plan_requests",
    "regimen_statements",
]

Shape = Literal["sequenced", "per-step"]
SHAPES: tuple[str, ...] = ("sequenced", "per-step")
_ORAL = {"text": "by mouth"}


@cache
def _products() -> dict[str, Product]:
    return {p.id: p for p in catalogue().products}


def drug_concept(drug: str, product_ids: Iterable[str] = ()) -> dict[str, Any]:
    """The medication as a CodeableConcept: one product (with its RxNorm code where the
    reference gives it), or the drug in benzodetox's drug CodeSystem with its name as text."""
    ids = sorted(set(product_ids))
    products = _products()
    if len(ids) == 1 and ids[0] in products:
        product = products[ids[0]]
        coding = [{"system": CS_PRODUCT, "code": product.id, "display": product.name}]
        if product.rxnorm:
            coding.insert(0, {"system": RXNORM, "code": product.rxnorm, "display": product.name})
        return {"coding": coding, "text": product.name}
    found = catalogue().drugs.get(drug)
    name = found.name if found else drug
    return {"coding": [{"system": CS_DRUG, "code": drug, "display": name}], "text": name}


def _daily_timing(times: Sequence[Any], bounds: tuple[date, date] | None = None) -> dict[str, Any]:
    repeat: dict[str, Any] = {
        "frequency": len(times),
        "period": 1,
        "periodUnit": "d",
        "timeOfDay": [time_of_day(t) for t in times],
    }
    if bounds is not None:
        repeat["boundsPeriod"] = {"start": day(bounds[0]), "end": day(bounds[1])}
    return {"repeat": repeat}


def regimen_statements(
    regimen: Regimen,
    subject: Subject,
    *,
    asserted: datetime | None = None,
    id_prefix: str = "regimen",
) -> list[dict[str, Any]]:
    """Today's regimen: one active MedicationStatement per drug, one Dosage per dose time (all
    ``sequence`` 1: taken together each day)."""
    out = []
    for drug in regimen.drugs:
        doses = [d for d in regimen.doses if d.drug == drug]
        resource: dict[str, Any] = {
            "resourceType": "MedicationStatement",
            "id": safe_id(f"{id_prefix}-{drug}"),
            "status": "active",
            "medicationCodeableConcept": drug_concept(drug),
            "subject": subject.as_reference(),
            "dosage": [_statement_dosage(dose) for dose in doses],
        }
        if asserted is not None:
            resource["dateAsserted"] = asserted.isoformat()
        out.append(resource)
    return out


def _statement_dosage(dose: Dose) -> dict[str, Any]:
    return {
        "sequence": 1,
        "text": f"{format_mg(dose.mg)} at {dose.time:%H:%M} every day",
        "timing": _daily_timing([dose.time]),
        "route": _ORAL,
        "doseAndRate": [{"doseQuantity": mg_quantity(dose.mg)}],
    }


@dataclass(frozen=True)
class PlanContext:
    """What the plan itself does not know: who it is for, its version and whether approved.

    ``group`` identifies the plan version (``groupIdentifier``); ``approved`` makes the
    requests active orders, else draft proposals; ``period_days`` is the supply period of the
    pharmacy order (1, 7, 14 or 28; ``None`` one supply per step)."""

    subject: Subject
    group: str
    approved: bool = False
    authored: datetime | None = None
    careplan: str | None = None
    period_days: int | None = 28
    id_prefix: str = "plan"


def _takes_text(dose: ScheduledDose) -> str:
    if dose.from_supply:
        return "from the current supply (nothing dispensed)"
    return " + ".join(describe_take(t) for t in dose.takes if t.mg > 0) or "nothing"


def _dose_text(number: int, step: Step, dose: ScheduledDose) -> str:
    nights = (
        f"; {step.drug_free_nights} planned drug-free nights a week"
        if step.drug_free_nights
        else ""
    )
    return (
        f"Step {number}, {format_span(step.start, step.end)}: {format_mg(dose.mg)} at "
        f"{dose.time:%H:%M} = {_takes_text(dose)}{nights}"
    )


def _plan_dosage(number: int, step: Step, doses: Sequence[ScheduledDose]) -> dict[str, Any]:
    """One Dosage for doses of the same size at one or more times of one step."""
    first = doses[0]
    return {
        "sequence": number,
        "text": "; ".join(_dose_text(number, step, d) for d in doses),
        "timing": _daily_timing([d.time for d in doses], (step.start, step.end)),
        "route": _ORAL,
        "doseAndRate": [{"doseQuantity": mg_quantity(first.mg)}],
    }


def _drug_doses(step: Step, drug: str) -> list[ScheduledDose]:
    return [d for d in step.doses if d.drug == drug and d.mg > 0]


def _plan_drugs(plan: Plan) -> list[str]:
    seen: dict[str, None] = {}
    for step in plan.steps:
        for drug in step.drugs:
            seen.setdefault(drug, None)
    return list(seen)


def _product_ids(steps: Iterable[Step], drug: str) -> set[str]:
    return {
        t.product_id
        for s in steps
        for d in _drug_doses(s, drug)
        if not d.from_supply
        for t in d.takes
        if t.mg > 0
    }


def _supply_notes(periods: Sequence[SupplyPeriod], drug: str) -> list[dict[str, str]]:
    products = _products()
    notes = []
    for n, period in enumerate(periods, start=1):
        lines = [
            line
            for line in period.lines
            if line.product_id in products and products[line.product_id].drug == drug
        ]
        if lines:
            what = "; ".join(f"{line.total_text} of {line.product}" for line in lines)
            notes.append({"text": f"Supply {n}, {format_span(period.start, period.end)}: {what}"})
    return notes


def _days(n: int) -> dict[str, Any]:
    return {"value": n, "unit": "days", "system": UCUM, "code": "d"}


def _dispense(
    plan: Plan, periods: Sequence[SupplyPeriod], drug: str, period_days: int | None
) -> dict[str, Any]:
    used = [p for p in periods if _supply_notes([p], drug)]
    out: dict[str, Any] = {
        "validityPeriod": {"start": day(plan.start), "end": day(plan.end)},
        "numberOfRepeatsAllowed": max(len(used) - 1, 0),
    }
    if period_days is not None:
        out["dispenseInterval"] = _days(period_days)
        out["expectedSupplyDuration"] = _days(period_days)
    return out


def _request(
    ctx: PlanContext, ident: str, drug: str, product_ids: Iterable[str]
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": safe_id(ident),
        "status": "active" if ctx.approved else "draft",
        "intent": "order" if ctx.approved else "proposal",
        "medicationCodeableConcept": drug_concept(drug, product_ids),
        "subject": ctx.subject.as_reference(),
        "groupIdentifier": {"system": ID_PLAN_GROUP, "value": ctx.group},
        "courseOfTherapyType": {"text": "taper"},
    }
    if ctx.authored is not None:
        resource["authoredOn"] = ctx.authored.isoformat()
    if ctx.careplan:
        resource["basedOn"] = [{"reference": ctx.careplan}]
    return resource


def plan_requests(
    plan: Plan, ctx: PlanContext, shape: str = "sequenced"
) -> list[dict[str, Any]]:
    """The plan as MedicationRequests in ``shape`` ('sequenced' or 'per-step')."""
    if shape not in SHAPES:
        from ...core.errors import InputError

        raise InputError("shape", shape, " or ".join(SHAPES))
    periods = pharmacy_order(plan, ctx.period_days if shape == "sequenced" else None)
    if shape == "per-step":
        return _per_step(plan, ctx, periods)
    out = []
    for drug in _plan_drugs(plan):
        resource = _request(ctx, f"{ctx.id_prefix}-{drug}", drug, _product_ids(plan.steps, drug))
        resource["dosageInstruction"] = [
            _plan_dosage(number, step, [dose])
            for number, step in enumerate(plan.steps, start=1)
            for dose in _drug_doses(step, drug)
        ]
        resource["dispenseRequest"] = _dispense(plan, periods, drug, ctx.period_days)
        notes = _supply_notes(periods, drug)
        if notes:
            resource["note"] = notes
        out.append(resource)
    return out


def _by_size(doses: Sequence[ScheduledDose]) -> list[list[ScheduledDose]]:
    groups: dict[Decimal, list[ScheduledDose]] = {}
    for dose in doses:
        groups.setdefault(dose.mg, []).append(dose)
    return list(groups.values())


def _per_step(
    plan: Plan, ctx: PlanContext, periods: Sequence[SupplyPeriod]
) -> list[dict[str, Any]]:
    out = []
    for number, step in enumerate(plan.steps, start=1):
        period = [p for p in periods if p.start == step.start]
        for drug in step.drugs:
            for k, doses in enumerate(_by_size(_drug_doses(step, drug)), start=1):
                ids = _product_ids([_only(step, doses)], drug)
                resource = _request(ctx, f"{ctx.id_prefix}-s{number}-{drug}-{k}", drug, ids)
                resource["dosageInstruction"] = [_plan_dosage(number, step, doses)]
                resource["dispenseRequest"] = {
                    "validityPeriod": {"start": day(step.start), "end": day(step.end)},
                    "expectedSupplyDuration": _days(step.days),
                }
                notes = _supply_notes(period, drug) if k == 1 else []
                if notes:
                    resource["note"] = notes
                out.append(resource)
    return out


def _only(step: Step, doses: Sequence[ScheduledDose]) -> Step:
    """``step`` with only ``doses`` (to find the products those doses use)."""
    from dataclasses import replace

    return replace(step, doses=tuple(doses))
