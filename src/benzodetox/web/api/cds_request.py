"""Reading a CDS Hooks 2.0 request: the hook call's required fields, and the FHIR
MedicationRequests / MedicationStatements of ``context.draftOrders`` and the prefetch as the
core's ``OrderLine``s. Everything refused names the field (a 400 answer), nothing is guessed:
a dose or frequency the order does not give stays unknown and the card says so."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.dosage import Dosage
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.medicationstatement import MedicationStatement
from pydantic import ValidationError

from benzodetox.core.cds import OrderLine

__all__ = ["RXNORM", "HookError", "HookRequest", "order_lines", "parse_hook"]

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
_DAYS_PER = {"s": Decimal(1) / 86400, "min": Decimal(1) / 1440, "h": Decimal(1) / 24,
             "d": Decimal(1), "wk": Decimal(7), "mo": Decimal(30), "a": Decimal(365)}
_MODELS: dict[str, Any] = {
    "MedicationRequest": MedicationRequest, "MedicationStatement": MedicationStatement,
}


class HookError(Exception):
    """A request the service cannot answer: ``status`` (400) and a message naming ``field``."""

    def __init__(self, field: str, message: str, status: int = 400) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.status = status


@dataclass(frozen=True)
class HookRequest:
    hook: str
    hook_instance: str
    patient_id: str
    user_id: str
    context: Mapping[str, Any]
    prefetch: Mapping[str, Any] = field(default_factory=dict)
    fhir_server: str = ""


def _need(data: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if value is None:
        raise HookError(f"{where}{key}", "missing; the CDS Hooks 2.0 request requires it")
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise HookError(f"{where}{key}", f"expected a non-empty {_kind_name(kind)}")
    return value


def _kind_name(kind: type) -> str:
    names: dict[type, str] = {str: "string", dict: "JSON object", list: "JSON array"}
    return names.get(kind, kind.__name__)


def parse_hook(body: bytes, hook: str, order_hook: bool, needs_selections: bool) -> HookRequest:
    """The hook call in ``body`` for a service on ``hook``; :class:`HookError` names the
    first field that is missing or wrong."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise HookError("body", "not valid JSON") from None
    if not isinstance(data, dict):
        raise HookError("body", "expected a JSON object (the hook request)")
    called = _need(data, "hook", str, "")
    if called != hook:
        raise HookError("hook", f"this service answers {hook!r}, not {called!r}")
    instance = _need(data, "hookInstance", str, "")
    context = _need(data, "context", dict, "")
    patient_id = _need(context, "patientId", str, "context.")
    user_id = _need(context, "userId", str, "context.")
    prefetch = data.get("prefetch") or {}
    if not isinstance(prefetch, dict):
        raise HookError("prefetch", "expected a JSON object of prefetch keys")
    server = data.get("fhirServer") or ""
    if not isinstance(server, str):
        raise HookError("fhirServer", "expected a URL string")
    if order_hook:
        bundle = _need(context, "draftOrders", dict, "context.")
        if bundle.get("resourceType") != "Bundle":
            raise HookError("context.draftOrders.resourceType", "expected 'Bundle'")
        if not isinstance(bundle.get("entry", []), list):
            raise HookError("context.draftOrders.entry", "expected a JSON array")
    if needs_selections:
        selections = _need(context, "selections", list, "context.")
        if not all(isinstance(s, str) and s for s in selections):
            raise HookError("context.selections", "expected an array of 'Type/id' strings")
    return HookRequest(called, instance, patient_id, user_id, context, prefetch, server)


def _entries(bundle: Any, where: str) -> list[tuple[str, Mapping[str, Any]]]:
    """(path, resource) of each entry of a Bundle (or a single resource) in ``bundle``."""
    if not isinstance(bundle, dict):
        raise HookError(where, "expected a FHIR Bundle or resource")
    if bundle.get("resourceType") != "Bundle":
        return [(where, bundle)]
    found: list[tuple[str, Mapping[str, Any]]] = []
    for i, entry in enumerate(bundle.get("entry") or []):
        path = f"{where}.entry[{i}]"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            raise HookError(f"{path}.resource", "expected a FHIR resource")
        found.append((path, resource))
    return found


def _per_day(dosage: Dosage) -> tuple[Decimal | None, tuple[time, ...]]:
    repeat = dosage.timing.repeat if dosage.timing is not None else None
    if repeat is None:
        return None, ()
    times = tuple(t for t in (repeat.timeOfDay or ()) if isinstance(t, time))
    if repeat.frequency is not None and repeat.period and repeat.periodUnit in _DAYS_PER:
        days = Decimal(str(repeat.period)) * _DAYS_PER[repeat.periodUnit]
        return Decimal(repeat.frequency) / days, times
    return (Decimal(len(times)) if times else None), times


def _dose(dosage: Dosage) -> tuple[Decimal | None, str]:
    for rate in dosage.doseAndRate or ():
        quantity = rate.doseQuantity
        if quantity is not None and quantity.value is not None:
            return Decimal(str(quantity.value)), str(quantity.code or quantity.unit or "")
    return None, ""


def _first_sequence(dosages: Sequence[Dosage]) -> list[Dosage]:
    """The dosages in force first: the lowest ``sequence`` (a taper's first step), all of its
    concurrent dosages (the same sequence number)."""
    if not dosages:
        return []
    first = min((d.sequence for d in dosages if d.sequence is not None), default=None)
    return [d for d in dosages if d.sequence == first] if first is not None else [dosages[0]]


def _concept_text(resource: Any) -> tuple[tuple[str, ...], str]:
    concept = getattr(resource, "medicationCodeableConcept", None)
    if concept is None:
        reference = getattr(resource, "medicationReference", None)
        return (), str(getattr(reference, "display", "") or "")
    codes = tuple(str(c.code) for c in concept.coding or () if c.system == RXNORM and c.code)
    texts = [concept.text or ""] + [c.display or "" for c in concept.coding or ()]
    return codes, " ".join(t for t in texts if t)


def order_lines(bundle: Any, where: str, only: Sequence[str] | None = None) -> list[OrderLine]:
    """The MedicationRequests and MedicationStatements of ``bundle`` as order lines (one per
    dosage in force), other resources skipped; ``only`` keeps the "Type/id" references
    listed. A malformed medication resource is refused, naming its entry."""
    lines: list[OrderLine] = []
    for path, raw in _entries(bundle, where):
        model = _MODELS.get(str(raw.get("resourceType")))
        if model is None:
            continue
        ref = f"{raw.get('resourceType')}/{raw.get('id', '')}"
        if only is not None and ref not in only:
            continue
        try:
            resource = model.model_validate(raw)
        except ValidationError as error:
            first = error.errors()[0]
            spot = ".".join(str(p) for p in first.get("loc", ()) if p != "__root__")
            message = first.get("msg", "invalid")
            raise HookError(f"{path}{'.' + spot if spot else ''}", message) from None
        codes, text = _concept_text(resource)
        dosages = resource.dosageInstruction if model is MedicationRequest else resource.dosage
        chosen = _first_sequence(list(dosages or ()))
        if not chosen:
            lines.append(OrderLine(ref, codes, text))
        for dosage in chosen:
            dose, unit = _dose(dosage)
            per_day, times = _per_day(dosage)
            lines.append(OrderLine(ref, codes, text, dose, unit, per_day, times))
    return lines
