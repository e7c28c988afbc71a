"""A draft regimen from FHIR: a Bundle, a MedicationStatement or a MedicationRequest.

Each medication entry is read on its own and either gives its doses or is refused with the
reason, naming the entry; nothing is guessed. The result is a *draft* for a clinician to
confirm (the adapter saves it, all or nothing).

Rules (docs/api/fhir.md, "Import"):

- the medication is found by an RxNorm code of a catalogue product (existing-tools.md §c3), a
  benzodetox product or drug code, or its text ("diazepam 5 mg tablet", a brand name);
  anything else is refused: only benzodiazepines and Z-drugs in the catalogue are imported;
- each Dosage needs one dose (``doseAndRate.doseQuantity``) in mg, µg/mcg, or in tablets or
  capsules of a known product strength, every day (period 1 d) at ``timeOfDay`` times; as-needed
  doses, ranges, other units and weekly patterns are refused;
- a Dosage with ``timing.repeat.boundsPeriod`` counts only on the day the import is made
  (a taper's steps: the one in force); an entry whose dosages are all outside that day is
  listed as not taken then;
- MedicationStatements with status active or intended, MedicationRequests active or draft; a
  Bundle holding MedicationStatements takes what is taken from them and lists its
  MedicationRequests as not added (orders, not what is taken);
- the same drug at the same time from two entries refuses the later entry; a daily total the
  catalogue finds implausible refuses the entries of that drug.

>>> from datetime import date
>>> draft = read_fhir({"resourceType": "MedicationStatement", "status": "active",
...     "subject": {"display": "AB"}, "medicationCodeableConcept": {"text": "diazepam 5 mg tablet"},
...     "dosage": [{"timing": {"repeat": {"timeOfDay": ["22:00:00"]}},
...                 "doseAndRate": [{"doseQuantity": {"value": 2, "unit": "tablet"}}]}]},
...     on=date(2025, 1, 1))
>>> [(d.drug, str(d.mg), d.time.isoformat()) for d in draft.doses]
[('diazepam', '10', '22:00:00')]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any

from ...core.catalogue import Product, catalogue
from ...core.errors import InputError
from ...core.regimen import Dose, Regimen
from ...core.units import parse_amount, plain_decimal, to_mg
from .codes import CS_DRUG, CS_PRODUCT, RXNORM, product_by_rxnorm

__all__ = ["Draft", "DraftDose", "Refusal", "read_fhir"]

ACCEPTED = "a FHIR R4 Bundle, MedicationStatement or MedicationRequest (JSON)"
_MEDICATION_TYPES = ("MedicationStatement", "MedicationRequest")
_STATUSES = {
    "MedicationStatement": ("active", "intended"),
    "MedicationRequest": ("active", "draft"),
}
_COUNT_UNITS = {"tab", "tabs", "tablet", "tablets", "cap", "caps", "capsule", "capsules", "{tbl}"}
_ORDERABLE_FORM = "http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm"
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::00(?:\.0+)?)?$")


@dataclass(frozen=True)
class DraftDose:
    drug: str
    mg: Decimal
    time: time
    entry: str


@dataclass(frozen=True)
class Refusal:
    entry: str
    reason: str


@dataclass(frozen=True)
class Draft:
    """What an import would save (``doses``), the entries refused and why, and the resources
    left aside (not medications, or requests beside statements)."""

    doses: tuple[DraftDose, ...]
    refused: tuple[Refusal, ...] = ()
    ignored: tuple[str, ...] = field(default=())

    @property
    def regimen(self) -> Regimen | None:
        if not self.doses:
            return None
        return Regimen(tuple(Dose(d.time, d.drug, d.mg) for d in self.doses))


class _NotInForce(Exception):
    """No dosage of the entry is in force on the day: nothing of it is taken then."""


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class _Medication:
    drug: str
    product: Product | None


def read_fhir(data: Any, on: date) -> Draft:
    """Read ``data`` (parsed JSON) as of the day ``on``; refuses anything that is not one of
    the accepted resources as an ``InputError`` on ``fhir``."""
    kind = data.get("resourceType") if isinstance(data, dict) else None
    if kind == "Bundle":
        return _read_bundle(data, on)
    if kind in _MEDICATION_TYPES:
        label = _label(data, "")
        try:
            doses = _read_entry(data, on, {}, label)
        except _Refused as why:
            return Draft((), (Refusal(label, why.reason),))
        except _NotInForce as why:
            return Draft((), (), (str(why),))
        return _check_totals(Draft(tuple(doses)))
    shown = kind if isinstance(kind, str) else type(data).__name__
    raise InputError("fhir", shown, ACCEPTED)


def _label(resource: Mapping[str, Any], where: str) -> str:
    kind = resource.get("resourceType", "resource")
    ident = resource.get("id")
    name = f"{kind}/{ident}" if isinstance(ident, str) and ident else str(kind)
    return f"{where} {name}".strip()


def _read_bundle(data: Mapping[str, Any], on: date) -> Draft:
    entries = data.get("entry", [])
    if not isinstance(entries, list):
        raise InputError("fhir", "Bundle.entry", "a list of entries")
    resources: list[tuple[str, Any]] = []
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        where = f"entry[{i}]"
        if not isinstance(resource, dict):
            resources.append((where, None))
            continue
        resources.append((_label(resource, where), resource))
    media = _medications(entries)
    has_statements = any(
        r is not None and r.get("resourceType") == "MedicationStatement" for _, r in resources
    )
    doses: list[DraftDose] = []
    refused: list[Refusal] = []
    ignored: list[str] = []
    for label, resource in resources:
        if resource is None:
            refused.append(Refusal(label, "the entry has no resource"))
            continue
        kind = resource.get("resourceType")
        if kind == "MedicationRequest" and has_statements:
            ignored.append(
                f"{label}: an order; the bundle's MedicationStatements say what is taken"
            )
            continue
        if kind not in _MEDICATION_TYPES:
            if kind != "Medication":
                ignored.append(f"{label}: not a medication entry")
            continue
        try:
            found = _read_entry(resource, on, media, label)
            _no_clash(found, doses)
        except _Refused as why:
            refused.append(Refusal(label, why.reason))
            continue
        except _NotInForce as why:
            ignored.append(str(why))
            continue
        doses.extend(found)
    return _check_totals(Draft(tuple(doses), tuple(refused), tuple(ignored)))


def _medications(entries: list[Any]) -> dict[str, Mapping[str, Any]]:
    """Medication resources of a bundle by every name a reference may use."""
    out: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "Medication":
            continue
        if isinstance(entry.get("fullUrl"), str):
            out[entry["fullUrl"]] = resource
        if isinstance(resource.get("id"), str):
            out[f"Medication/{resource['id']}"] = resource
    return out


def _no_clash(found: list[DraftDose], doses: list[DraftDose]) -> None:
    taken = {(d.drug, d.time): d.entry for d in doses}
    for dose in found:
        if (dose.drug, dose.time) in taken:
            first = taken[dose.drug, dose.time]
            raise _Refused(f"{dose.drug} at {dose.time:%H:%M} is already given by {first}")


def _check_totals(draft: Draft) -> Draft:
    """Refuse the entries of a drug whose daily total the catalogue finds implausible."""
    cat = catalogue()
    bad: dict[str, str] = {}
    for drug in {d.drug for d in draft.doses}:
        total = sum((d.mg for d in draft.doses if d.drug == drug), Decimal(0))
        try:
            cat.check_daily_dose(drug, total)
        except InputError as error:
            bad[drug] = f"daily total {plain_decimal(total)} mg of {drug}: expected {error.allowed}"
    if not bad:
        return draft
    keep = tuple(d for d in draft.doses if d.drug not in bad)
    refused = list(draft.refused)
    for entry in dict.fromkeys(d.entry for d in draft.doses if d.drug in bad):
        drug = next(d.drug for d in draft.doses if d.entry == entry)
        refused.append(Refusal(entry, bad[drug]))
    return Draft(keep, tuple(refused), draft.ignored)


def _validate(resource: Mapping[str, Any]) -> None:
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    model = get_fhir_model_class(str(resource["resourceType"]))
    try:
        model.model_validate(dict(resource))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "resource"
        raise _Refused(f"not valid FHIR R4: {where}: {first['msg']}") from None


def _read_entry(
    resource: Mapping[str, Any], on: date, media: Mapping[str, Mapping[str, Any]], label: str
) -> list[DraftDose]:
    _validate(resource)
    kind = str(resource["resourceType"])
    status = resource.get("status")
    if status not in _STATUSES[kind]:
        raise _Refused(f"status {status!r}: only {' or '.join(_STATUSES[kind])} are imported")
    medication = _medication(resource, media)
    dosages = resource.get("dosage" if kind == "MedicationStatement" else "dosageInstruction")
    if not dosages:
        raise _Refused("no dosage: the dose and times of day are needed")
    in_force = [d for d in dosages if _in_force(d, on)]
    if not in_force:
        raise _NotInForce(f"{label}: no dosage in force on {on.isoformat()}, not taken then")
    out: list[DraftDose] = []
    for dosage in in_force:
        mg = _dose_mg(dosage, medication)
        for at in _times(dosage):
            if any(d.time == at for d in out):
                raise _Refused(f"two doses at {at:%H:%M} in one entry")
            out.append(DraftDose(medication.drug, mg, at, label))
    return out


def _in_force(dosage: Mapping[str, Any], on: date) -> bool:
    repeat = (dosage.get("timing") or {}).get("repeat") or {}
    bounds = repeat.get("boundsPeriod")
    if not bounds:
        return True
    start, end = bounds.get("start"), bounds.get("end")
    return (start is None or str(start)[:10] <= on.isoformat()) and (
        end is None or on.isoformat() <= str(end)[:10]
    )


# -- the medication ---------------------------------------------------------------------------


def _medication(
    resource: Mapping[str, Any], media: Mapping[str, Mapping[str, Any]]
) -> _Medication:
    concept = resource.get("medicationCodeableConcept")
    if concept is None:
        ref = (resource.get("medicationReference") or {}).get("reference", "")
        target = _referenced(resource, media, str(ref))
        if target is None:
            raise _Refused(f"medicationReference {ref!r} is not in the bundle or contained")
        concept = target.get("code") or {}
    return _from_concept(concept)


def _referenced(
    resource: Mapping[str, Any], media: Mapping[str, Mapping[str, Any]], ref: str
) -> Mapping[str, Any] | None:
    if ref.startswith("#"):
        for contained in resource.get("contained", ()):
            if contained.get("id") == ref[1:] and contained.get("resourceType") == "Medication":
                return dict(contained)
        return None
    return media.get(ref)


def _from_concept(concept: Mapping[str, Any]) -> _Medication:
    cat = catalogue()
    products = {p.id: p for p in cat.products}
    unknown = []
    for coding in concept.get("coding", ()):
        system, code = coding.get("system"), str(coding.get("code", ""))
        if system == RXNORM:
            product = product_by_rxnorm(code)
            if product is not None:
                return _Medication(product.drug, product)
            unknown.append(f"RxNorm {code}")
        elif system == CS_PRODUCT and code in products:
            return _Medication(products[code].drug, products[code])
        elif system == CS_DRUG and code in cat.drugs:
            return _Medication(code, None)
    texts = [concept.get("text")] + [c.get("display") for c in concept.get("coding", ())]
    for text in texts:
        if isinstance(text, str) and text.strip():
            found = _from_text(text)
            if found is not None:
                return found
    named = next((t for t in texts if isinstance(t, str) and t.strip()), None)
    what = ", ".join(unknown + ([repr(named)] if named else [])) or "no code or text"
    raise _Refused(
        f"unknown medication ({what}): only benzodiazepines and Z-drugs in the catalogue "
        "are imported"
    )


_STRENGTH = re.compile(r"(\d+(?:[.,]\d+)?)\s*(mg|mcg|µg|ug)\b(?!\s*/)", re.IGNORECASE)


def _from_text(text: str) -> _Medication | None:
    """'diazepam 5 mg tablet', 'Valium 10mg', 'clonazepam': the drug from the words before the
    first number; the product where a solid of that strength exists."""
    head = re.split(r"[\d(]", text, maxsplit=1)[0].strip().lower()
    words = head.split()
    drug = None
    for n in range(len(words), 0, -1):
        try:
            drug = catalogue().drug(" ".join(words[:n])).key
            break
        except InputError:
            continue
    if drug is None:
        return None
    match = _STRENGTH.search(text)
    product = None
    if match:
        try:
            strength = to_mg(parse_amount(match.group(1)), match.group(2))
        except InputError:
            strength = None
        solids = [
            p
            for p in catalogue().products
            if p.drug == drug and not p.is_liquid and p.strength_mg == strength
        ]
        product = solids[0] if solids else None
    return _Medication(drug, product)


# -- the dose and times -----------------------------------------------------------------------


def _dose_mg(dosage: Mapping[str, Any], medication: _Medication) -> Decimal:
    if dosage.get("asNeededBoolean") or dosage.get("asNeededCodeableConcept"):
        raise _Refused("an as-needed dose is not a daily regimen: enter it by hand if taken daily")
    rates = dosage.get("doseAndRate") or []
    quantity = rates[0].get("doseQuantity") if len(rates) == 1 else None
    if quantity is None:
        raise _Refused("one dose (doseAndRate.doseQuantity) is needed, not a range or several")
    value = quantity.get("value")
    try:
        amount = parse_amount(str(value), "dose")
    except (InputError, InvalidOperation):
        raise _Refused(f"dose {value!r}: a number greater than zero") from None
    unit = str(quantity.get("code") or quantity.get("unit") or "").strip()
    if unit.lower() in _COUNT_UNITS or (
        quantity.get("system") == _ORDERABLE_FORM and unit.upper() in ("TAB", "CAP")
    ):
        return _count_mg(amount, unit, medication)
    try:
        return to_mg(amount, unit, "unit")
    except InputError:
        raise _Refused(
            f"unit {unit!r}: expected mg, µg or mcg, or tablets of a product whose strength "
            "is named"
        ) from None


def _count_mg(count: Decimal, unit: str, medication: _Medication) -> Decimal:
    product = medication.product
    if product is None:
        raise _Refused(f"a dose in {unit!r} needs the product's strength (e.g. 'diazepam 5 mg')")
    if product.is_liquid:
        raise _Refused(f"a dose in {unit!r} of a liquid: give it in mg")
    if (count * product.split_parts) != (count * product.split_parts).to_integral_value():
        raise _Refused(
            f"{plain_decimal(count)} {unit} of {product.name}: a whole, or a part the tablet's "
            "score allows"
        )
    return count * product.strength_mg


def _times(dosage: Mapping[str, Any]) -> list[time]:
    repeat = (dosage.get("timing") or {}).get("repeat") or {}
    if repeat.get("dayOfWeek") or repeat.get("when"):
        raise _Refused("doses on named days or events (dayOfWeek, when): times of day needed")
    period, unit = repeat.get("period", 1), repeat.get("periodUnit", "d")
    if Decimal(str(period)) != 1 or unit != "d":
        raise _Refused(f"every {period} {unit}: only doses taken every day are imported")
    times = [_time(str(t)) for t in repeat.get("timeOfDay", ())]
    if not times:
        raise _Refused("no times of day (timing.repeat.timeOfDay): they are needed for a plan")
    frequency = repeat.get("frequency")
    if frequency is not None and frequency != len(times):
        raise _Refused(f"frequency {frequency} a day but {len(times)} times of day")
    return times


def _time(text: str) -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise _Refused(f"time of day {text!r}: a time on the minute, e.g. 08:00:00")
    return time(int(match.group(1)), int(match.group(2)))
