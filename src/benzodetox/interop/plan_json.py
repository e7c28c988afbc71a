"""A plan as plain JSON-ready data, and back.

Doses and percentages are decimal strings (exact); tablet counts are fractions as text ("1/2",
"3/2", "1") with a readable form beside them ("½", "1½"). The request the plan was built from
travels with it, so a saved plan can be adjusted later.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from ..core.errors import InputError
from ..core.plan import (
    CustomStep,
    Plan,
    PlanRequest,
    ScheduledDose,
    Step,
    Take,
    crossover_days,
)
from ..core.regimen import Dose, Regimen
from ..core.units import format_count, plain_decimal

__all__ = [
    "FORMAT_VERSION",
    "plan_from_dict",
    "plan_to_dict",
    "request_from_dict",
    "request_to_dict",
]

FORMAT_VERSION = 1


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def take_to_dict(take: Take) -> dict[str, Any]:
    return {
        "product_id": take.product_id,
        "product": take.product,
        "form": take.form,
        "strength": plain_decimal(take.strength_mg),
        "count": None if take.count is None else str(take.count),
        "count_text": None if take.count is None else format_count(take.count),
        "ml": None if take.ml is None else plain_decimal(take.ml),
        "mg": plain_decimal(take.mg),
        "confirmed": take.confirmed,
    }


def dose_to_dict(dose: ScheduledDose) -> dict[str, Any]:
    return {
        "time": _hhmm(dose.time),
        "drug": dose.drug,
        "mg": plain_decimal(dose.mg),
        "target_mg": plain_decimal(dose.target_mg),
        "rounding_mg": plain_decimal(dose.rounding_mg),
        "from_supply": dose.from_supply,
        "take": [take_to_dict(t) for t in dose.takes],
    }


def step_to_dict(step: Step) -> dict[str, Any]:
    return {
        "index": step.index,
        "start": step.start.isoformat(),
        "end": step.end.isoformat(),
        "days": step.days,
        "kind": step.kind,
        "diazepam_eq_mg": plain_decimal(step.diazepam_eq_mg),
        "reduction_percent": plain_decimal(step.reduction_percent),
        "range": step.span,
        "drug_free_nights": step.drug_free_nights,
        "notes": list(step.notes),
        "warnings": list(step.warnings),
        "doses": [dose_to_dict(d) for d in step.doses],
    }


def request_to_dict(request: PlanRequest) -> dict[str, Any]:
    def opt(value: Decimal | None) -> str | None:
        return None if value is None else plain_decimal(value)

    return {
        "regimen": [
            {"drug": d.drug, "mg": plain_decimal(d.mg), "time": _hhmm(d.time)}
            for d in request.regimen.doses
        ],
        "source": request.source,
        "start": request.start.isoformat(),
        "strategy": request.strategy,
        "market": request.market,
        "basis": request.basis,
        "percent": opt(request.percent),
        "interval_days": request.interval_days,
        "switch_to": request.switch_to,
        "switch_first": None if request.switch_first is None else _hhmm(request.switch_first),
        "crossover_days": request.crossover_days,
        "final_dose_mg": opt(request.final_dose_mg),
        "plateau_mg": opt(request.plateau_mg),
        "reduce_order": [_hhmm(t) for t in request.reduce_order],
        "dose_times": [_hhmm(t) for t in request.dose_times],
        "stabilise_days": request.stabilise_days,
        "discharge_mg": opt(request.discharge_mg),
        "then": request.then,
        "drug_free_nights": request.drug_free_nights,
        "allow_liquid": request.allow_liquid,
        "custom_steps": [
            {"daily_mg": plain_decimal(s.daily_mg), "days": s.days} for s in request.custom_steps
        ],
        "override_reason": request.override_reason,
    }


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data (the shape documented in the README)."""
    lo, hi = plan.range_mg_per_day
    return {
        "format": FORMAT_VERSION,
        "source": plan.source,
        "market": plan.market,
        "strategy": plan.strategy,
        "parameters": {name: shown for name, shown in plan.parameters},
        "switch_to": plan.switch_to,
        "start": plan.start.isoformat(),
        "end": plan.end.isoformat(),
        "last_dose": None if plan.last_dose_date is None else plan.last_dose_date.isoformat(),
        "diazepam_eq_mg_per_day": plain_decimal(plan.diazepam_eq_mg_per_day),
        "range": {"lo": plain_decimal(lo), "hi": plain_decimal(hi)},
        "warnings": list(plan.warnings),
        "version_note": plan.version_note,
        "sources": list(plan.sources),
        "steps": [step_to_dict(s) for s in plan.steps],
        "request": None if plan.request is None else request_to_dict(plan.request),
    }


# -- reading back -----------------------------------------------------------------------------


def _get(data: dict[str, Any], key: str, where: str) -> Any:
    if not isinstance(data, dict) or key not in data:
        raise InputError(f"{where}{key}", "missing", "a value")
    return data[key]


def _dec(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise InputError(field, value, "a decimal number")
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise InputError(field, value, "a decimal number") from None
    if not result.is_finite():
        raise InputError(field, value, "a finite decimal number")
    return result


def _opt_dec(value: Any, field: str) -> Decimal | None:
    return None if value is None else _dec(value, field)


def _date(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError(field, value, "a date as YYYY-MM-DD") from None


def _time(value: Any, field: str) -> time:
    try:
        parsed = time.fromisoformat(str(value))
    except ValueError:
        raise InputError(field, value, "a time as HH:MM") from None
    return parsed


def _int(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(field, value, "a whole number")
    return value


def request_from_dict(data: dict[str, Any]) -> PlanRequest:
    where = "request."
    doses = []
    for i, row in enumerate(_get(data, "regimen", where)):
        doses.append(
            Dose(
                _time(_get(row, "time", f"regimen[{i}]."), f"regimen[{i}].time"),
                str(_get(row, "drug", f"regimen[{i}].")),
                _dec(_get(row, "mg", f"regimen[{i}]."), f"regimen[{i}].mg"),
            )
        )
    interval = data.get("interval_days")
    stabilise = data.get("stabilise_days")
    return PlanRequest(
        regimen=Regimen(tuple(doses)),
        source=str(_get(data, "source", where)),
        start=_date(_get(data, "start", where), "request.start"),
        strategy=str(data.get("strategy", "asam")),
        market=str(data.get("market", "us")),
        basis=data.get("basis"),
        percent=_opt_dec(data.get("percent"), "request.percent"),
        interval_days=None if interval is None else _int(interval, "request.interval_days"),
        switch_to=data.get("switch_to"),
        switch_first=None
        if data.get("switch_first") is None
        else _time(data["switch_first"], "request.switch_first"),
        crossover_days=_int(
            data.get("crossover_days", crossover_days().default), "request.crossover_days"
        ),
        final_dose_mg=_opt_dec(data.get("final_dose_mg"), "request.final_dose_mg"),
        plateau_mg=_opt_dec(data.get("plateau_mg"), "request.plateau_mg"),
        reduce_order=tuple(_time(t, "request.reduce_order") for t in data.get("reduce_order", ())),
        dose_times=tuple(_time(t, "request.dose_times") for t in data.get("dose_times", ())),
        stabilise_days=None if stabilise is None else _int(stabilise, "request.stabilise_days"),
        discharge_mg=_opt_dec(data.get("discharge_mg"), "request.discharge_mg"),
        then=str(data.get("then", "asam")),
        drug_free_nights=_int(data.get("drug_free_nights", 0), "request.drug_free_nights"),
        allow_liquid=bool(data.get("allow_liquid", True)),
        custom_steps=tuple(
            CustomStep(
                _dec(s.get("daily_mg"), "custom_steps.daily_mg"),
                _int(s.get("days"), "custom_steps.days"),
            )
            for s in data.get("custom_steps", ())
        ),
        override_reason=str(data.get("override_reason", "")),
    )


def _take_from_dict(row: dict[str, Any], field: str) -> Take:
    count = row.get("count")
    ml = row.get("ml")
    try:
        fraction = None if count is None else Fraction(str(count))
    except (ValueError, ZeroDivisionError):
        raise InputError(f"{field}.count", count, "a count such as 1, 1/2 or 3/2") from None
    return Take(
        product_id=str(_get(row, "product_id", f"{field}.")),
        product=str(row.get("product", "")),
        form=str(row.get("form", "")),
        strength_mg=_dec(_get(row, "strength", f"{field}."), f"{field}.strength"),
        mg=_dec(_get(row, "mg", f"{field}."), f"{field}.mg"),
        count=fraction,
        ml=None if ml is None else _dec(ml, f"{field}.ml"),
        confirmed=bool(row.get("confirmed", True)),
    )


def plan_from_dict(data: dict[str, Any]) -> Plan:
    """Read a plan written by ``plan_to_dict``; a malformed field is refused by name."""
    if not isinstance(data, dict):
        raise InputError("plan", type(data).__name__, "a JSON object written by benzodetox plan")
    steps = []
    for i, row in enumerate(_get(data, "steps", "")):
        field = f"steps[{i}]"
        doses = tuple(
            ScheduledDose(
                time=_time(_get(d, "time", f"{field}.doses[{j}]."), f"{field}.doses[{j}].time"),
                drug=str(_get(d, "drug", f"{field}.doses[{j}].")),
                target_mg=_dec(d.get("target_mg", d.get("mg")), f"{field}.doses[{j}].target_mg"),
                mg=_dec(_get(d, "mg", f"{field}.doses[{j}]."), f"{field}.doses[{j}].mg"),
                takes=tuple(
                    _take_from_dict(t, f"{field}.doses[{j}].take[{k}]")
                    for k, t in enumerate(d.get("take", ()))
                ),
                from_supply=bool(d.get("from_supply", False)),
            )
            for j, d in enumerate(_get(row, "doses", f"{field}."))
        )
        steps.append(
            Step(
                index=_int(_get(row, "index", f"{field}."), f"{field}.index"),
                start=_date(_get(row, "start", f"{field}."), f"{field}.start"),
                end=_date(_get(row, "end", f"{field}."), f"{field}.end"),
                kind=str(_get(row, "kind", f"{field}.")),
                doses=doses,
                diazepam_eq_mg=_dec(
                    _get(row, "diazepam_eq_mg", f"{field}."), f"{field}.diazepam_eq_mg"
                ),
                reduction_percent=_dec(
                    row.get("reduction_percent", 0), f"{field}.reduction_percent"
                ),
                notes=tuple(str(n) for n in row.get("notes", ())),
                warnings=tuple(str(w) for w in row.get("warnings", ())),
                drug_free_nights=_int(row.get("drug_free_nights", 0), f"{field}.drug_free_nights"),
                span=str(row.get("range", "")),
            )
        )
    rng = _get(data, "range", "")
    request = data.get("request")
    return Plan(
        source=str(_get(data, "source", "")),
        market=str(_get(data, "market", "")),
        strategy=str(_get(data, "strategy", "")),
        parameters=tuple((str(k), str(v)) for k, v in dict(data.get("parameters", {})).items()),
        start=_date(_get(data, "start", ""), "start"),
        steps=tuple(steps),
        diazepam_eq_mg_per_day=_dec(
            _get(data, "diazepam_eq_mg_per_day", ""), "diazepam_eq_mg_per_day"
        ),
        range_mg_per_day=(
            _dec(_get(rng, "lo", "range."), "range.lo"),
            _dec(_get(rng, "hi", "range."), "range.hi"),
        ),
        warnings=tuple(str(w) for w in data.get("warnings", ())),
        switch_to=data.get("switch_to"),
        version_note=str(data.get("version_note", "")),
        sources=tuple(str(s) for s in data.get("sources", ())),
        request=None if request is None else request_from_dict(request),
    )
