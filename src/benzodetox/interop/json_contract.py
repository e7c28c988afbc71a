"""The JSON documents benzodetox writes, one builder each, shared by the CLI (``--format json``)
and the API (``/api/v1/``) so both answer with the same contract: conversions, a plan's
alternatives, simulations, and ``jsonable`` for every exact value (Decimal as decimal text, dates
as ISO text). The plan itself is ``plan_json``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from ..core.assessment import AlertDecision
from ..core.assessment.instruments import Score
from ..core.equivalence import Conversion
from ..core.kinetics import Simulation
from ..core.plan import Plan
from ..core.tapering.alternatives import alternatives
from ..core.units import plain_decimal

__all__ = [
    "alternatives_data",
    "conversion_data",
    "jsonable",
    "score_data",
    "significant",
    "simulation_to_dict",
]


def jsonable(value: Any) -> Any:
    """Plain JSON values: Decimal and Fraction as decimal strings, dates as ISO text,
    dataclasses and mappings as objects, tuples as arrays."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, (date, datetime, time)):
        return value.isoformat(timespec="minutes") if isinstance(value, time) else value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Iterable):
        return [jsonable(v) for v in value]
    if isinstance(value, float):  # pragma: no cover - floats are not used for doses
        return value
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def conversion_data(conv: Conversion, defaulted: bool) -> dict[str, Any]:
    return {
        "source": conv.source,
        "source_defaulted": defaulted,
        "basis": conv.basis,
        "diazepam_eq_mg_per_day": conv.diazepam_eq_mg_per_day,
        "range": {"lo": conv.range_mg_per_day[0], "hi": conv.range_mg_per_day[1]},
        "drugs": [
            {
                "drug": d.drug,
                "daily_mg": d.daily_mg,
                "figure": {
                    "table": d.figure.table,
                    "lo_mg": d.figure.lo_mg,
                    "hi_mg": d.figure.hi_mg,
                    "label": d.figure.label,
                    "doubled": d.figure.doubled,
                },
                "diazepam_eq_mg": d.diazepam_eq_mg,
                "per_table": {t: {"lo": lo, "hi": hi} for t, (lo, hi) in d.per_table.items()},
                "range": {"lo": d.range_mg[0], "hi": d.range_mg[1]},
                "span_ratio": d.span_ratio,
                "disagreement": d.disagreement,
            }
            for d in conv.drugs
        ],
        "warnings": list(conv.warnings),
    }


_FLAGS = {
    ("allow_liquid", "true"): "without --no-liquid",
    ("switch_to", "diazepam"): "--switch-to diazepam",
}


def alternatives_data(plan: Plan) -> list[dict[str, Any]]:
    """The plan's alternatives (core.tapering.alternatives) as JSON-ready data with the options
    that ask for each."""
    return [
        {
            "key": a.key,
            "label": a.label,
            "changes": dict(a.changes),
            "options": [_FLAGS.get(c, f"{c[0]}={c[1]}") for c in a.changes],
            "departures": a.departures,
            "steps": len(a.plan.steps),
            "last_dose": a.plan.last_dose_date.isoformat() if a.plan.last_dose_date else None,
        }
        for a in alternatives(plan)
    ]


def significant(values: np.ndarray, digits: int = 5) -> list[float]:
    """Floats to ``digits`` significant digits (simulated concentrations are estimates)."""
    return [float(f"{v:.{digits}g}") for v in values.tolist()]


def simulation_to_dict(sim: Simulation, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON document: time_h, concentration_ng_ml, population, occupancy, flumazenil,
    assumptions and warnings (concentrations to 5 significant digits)."""
    data: dict[str, Any] = {
        "time_h": significant(sim.time_h, 8),
        "concentration_ng_ml": {k: significant(v) for k, v in sim.concentration.items()},
    }
    if sim.bands:
        data["population"] = {
            "patients": next(iter(sim.bands.values())).patients,
            "seed": sim.seed,
            "percentiles": [5, 50, 95],
            "series": {
                k: {
                    "p5": significant(b.p5),
                    "median": significant(b.median),
                    "p95": significant(b.p95),
                }
                for k, b in sim.bands.items()
            },
        }
    if sim.occupancy is not None:
        occ = sim.occupancy
        data["occupancy"] = {
            "unit": "percent",
            "ed50": [
                {
                    "name": e.name,
                    "value": e.value,
                    "unit": e.unit,
                    "series": e.series,
                    "label": e.label,
                    "basis": occ.basis[e.name],
                }
                for e in occ.ed50s
            ],
            "series": {k: significant(v, 4) for k, v in occ.series.items()},
            "steps": {
                k: [
                    {
                        "step": s.step,
                        "first_day": s.first_day,
                        "last_day": s.last_day,
                        "diazepam_eq_mg": s.diazepam_eq_mg,
                        "occupancy_percent": round(s.occupancy_percent, 2),
                        "change_points": round(s.change_points, 2),
                    }
                    for s in steps
                ]
                for k, steps in occ.steps.items()
            },
        }
    if sim.flumazenil is not None:
        flu = sim.flumazenil
        data["flumazenil"] = {
            "steady_state_ng_ml": round(flu.steady_state_ng_ml, 4),
            "steady_state_range_ng_ml": [round(x, 4) for x in flu.steady_state_range],
            "low_ng_ml": significant(flu.low),
            "high_ng_ml": significant(flu.high),
            "occupancy_estimate_percent": significant(flu.occupancy_percent, 4),
        }
    if extra:
        data.update(extra)
    data["assumptions"] = list(sim.assumptions)
    data["warnings"] = list(sim.warnings)
    return data


def score_data(result: Score, decisions: Iterable[AlertDecision]) -> dict[str, Any]:
    """``score --format json``: an instrument's total, band (with its source and whether it is
    confirmed), flags, notes and the alerts the result raises."""
    return {
        "instrument": result.instrument,
        "total": result.total,
        "max_total": result.max_total,
        "band": result.band,
        "band_confirmed": result.band_confirmed,
        "band_source": result.band_source,
        "flags": list(result.flags),
        "notes": [n.as_dict() for n in result.notes],
        "alerts": [d.as_dict() for d in decisions],
    }
