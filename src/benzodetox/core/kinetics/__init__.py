"""Pharmacology simulator: plasma concentrations and receptor occupancy of a plan.

``simulate`` takes dose events (``events_from_plan`` / ``events_from_regimen``) and returns, on an
hourly grid, one concentration series per drug and active metabolite (ng/mL), optionally a
population band, occupancy under user-chosen ED50/EC50 values and a flumazenil protocol — with
the ``assumptions`` (every figure used, its label and source keys) and ``warnings`` (gaps) that
the result rests on. See ``model`` for the closed-form method and its exactness.

>>> from benzodetox.core.kinetics.events import DoseEvents
>>> import numpy as np
>>> ev = {"diazepam": DoseEvents("diazepam", np.arange(7) * 24.0 + 8, np.full(7, 10.0))}
>>> sim = simulate(ev, days=14)
>>> sorted(sim.concentration)
['desmethyldiazepam', 'diazepam']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from .events import DoseEvents, events_from_plan, events_from_regimen
from .flumazenil import FlumazenilProtocol, FlumazenilResult, simulate_flumazenil
from .model import FloatArray, concentration_on_grid, metabolite_terms, parent_terms
from .occupancy import (
    DISCREPANCY,
    Ed50,
    StepOccupancy,
    illustration_ed50s,
    occupancy_of,
    step_occupancy,
)
from .parameters import ResolvedPK, model_param, resolve
from .population import Band, lognormal, population_band

__all__ = [
    "DoseEvents",
    "FlumazenilProtocol",
    "OccupancyResult",
    "Simulation",
    "events_from_plan",
    "events_from_regimen",
    "simulate",
]

MAX_DAYS = 3660


@dataclass(frozen=True)
class OccupancyResult:
    """Occupancy (%) per ED50/EC50: a time series each, and per-step values for dose-based ones."""

    ed50s: tuple[Ed50, ...]
    series: Mapping[str, FloatArray]
    steps: Mapping[str, tuple[StepOccupancy, ...]]
    basis: Mapping[str, str]


@dataclass(frozen=True)
class Simulation:
    time_h: FloatArray
    concentration: Mapping[str, FloatArray]
    bands: Mapping[str, Band] = field(default_factory=dict)
    occupancy: OccupancyResult | None = None
    flumazenil: FlumazenilResult | None = None
    assumptions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    seed: int | None = None


def _dedupe(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _series_terms(pk: ResolvedPK) -> list[tuple[str, tuple[FloatArray, FloatArray]]]:
    out = [
        (
            pk.drug,
            parent_terms(
                bioavailability=pk.bioavailability,
                ka=pk.ka,
                clearance=pk.clearance,
                volume=pk.volume,
            ),
        )
    ]
    if pk.metabolite is not None:
        m = pk.metabolite
        out.append(
            (
                m.drug,
                metabolite_terms(
                    bioavailability=pk.bioavailability,
                    ka=pk.ka,
                    clearance=pk.clearance,
                    volume=pk.volume,
                    fraction=m.fraction,
                    metabolite_clearance=m.clearance,
                    metabolite_volume=m.volume,
                ),
            )
        )
    return out


def _population_terms(
    pk: ResolvedPK, n: int, rng: np.random.Generator, cv_cl: float, cv_v: float
) -> list[tuple[str, tuple[FloatArray, FloatArray]]]:
    cl = lognormal(rng, pk.clearance, cv_cl, n)
    vol = lognormal(rng, pk.volume, cv_v, n)
    out = [
        (
            pk.drug,
            parent_terms(bioavailability=pk.bioavailability, ka=pk.ka, clearance=cl, volume=vol),
        )
    ]
    if pk.metabolite is not None:
        m = pk.metabolite
        out.append(
            (
                m.drug,
                metabolite_terms(
                    bioavailability=pk.bioavailability,
                    ka=pk.ka,
                    clearance=cl,
                    volume=vol,
                    fraction=m.fraction,
                    metabolite_clearance=lognormal(rng, m.clearance, cv_cl, n),
                    metabolite_volume=lognormal(rng, m.volume, cv_v, n),
                ),
            )
        )
    return out


def simulate(
    events: Mapping[str, DoseEvents],
    *,
    days: int,
    step_h: float = 1.0,
    age: float | None = None,
    liver: str = "none",
    weight_kg: float | None = None,
    metabolite_fraction: float | None = None,
    population: int = 0,
    seed: int | None = None,
    cv_clearance: float | None = None,
    cv_volume: float | None = None,
    occupancy: bool = False,
    ed50s: Sequence[Ed50] = (),
    steps: Sequence[tuple[int, int, int, float]] = (),
    flumazenil: FlumazenilProtocol | None = None,
) -> Simulation:
    """Simulate ``days`` days from hour 0 on a grid of ``step_h`` hours.

    ``occupancy`` (or any ``ed50s``) adds occupancy; without ``ed50s`` the three illustration
    values of drugs.md §4.3 are used, labelled. ``steps`` rows (index, first day, last day,
    diazepam-eq mg/day) give the per-step occupancy of a plan. ``population`` > 0 adds the
    median and 5–95 % band over that many virtual patients (``seed`` makes it repeatable).
    """
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InputError("days", days, f"a whole number of days, 1 to {MAX_DAYS}")
    if not (math.isfinite(step_h) and 1 / 60 <= step_h <= 24):
        raise InputError("step", step_h, "a grid step from 1 minute to 24 hours")
    for name, cv in (("cv-clearance", cv_clearance), ("cv-volume", cv_volume)):
        if cv is not None and not (math.isfinite(cv) and 0 <= cv <= 2):
            raise InputError(name, cv, "a coefficient of variation from 0 to 2")
    n_points = math.floor(days * 24.0 / step_h + 1e-9) + 1
    time_h = np.arange(n_points, dtype=np.float64) * step_h
    assumptions: list[str] = [
        "model: one-compartment, first-order oral absorption, linear elimination; "
        "diazepam → desmethyldiazepam in sequence; total (bound + free) plasma concentrations"
    ]
    warnings: list[str] = []
    concentration: dict[str, FloatArray] = {}
    bands: dict[str, Band] = {}
    pks: list[ResolvedPK] = []
    for drug, ev in events.items():
        if np.any(ev.times_h < 0) or np.any(ev.mg < 0):
            raise InputError("dose events", drug, "doses at or after hour 0, never negative")
        pk = resolve(
            drug,
            weight_kg=weight_kg,
            age=age,
            liver=liver,
            metabolite_fraction=metabolite_fraction,
        )
        pks.append(pk)
        for part in (pk, pk.metabolite):
            if part is not None:
                assumptions.extend(part.assumptions)
                warnings.extend(part.warnings)
        shifted = ev.times_h + pk.lag_h
        for name, (rates, coefs) in _series_terms(pk):
            curve = concentration_on_grid(n_points, step_h, shifted, ev.mg, rates, coefs)
            concentration[name] = concentration.get(name, 0.0) + curve

    if population:
        if isinstance(population, bool) or not 1 <= population <= 100_000:
            raise InputError("population", population, "1 to 100000 virtual patients")
        cv_cl_p, cv_v_p = model_param("cv_clearance"), model_param("cv_volume")
        cv_cl = cv_cl_p.value if cv_clearance is None else cv_clearance
        cv_v = cv_v_p.value if cv_volume is None else cv_volume
        for given, p, name in ((cv_clearance, cv_cl_p, "cv-clearance"), (cv_volume, cv_v_p, "")):
            if given is None:
                assumptions.append(p.describe())
            else:
                assumptions.append(f"{name or 'cv-volume'} = {given:g} (given)")
        if len(pks) > 1:
            warnings.append(
                "population band: drawn per drug, so bands of different drugs are not "
                "from the same virtual patients"
            )
        rng = np.random.default_rng(seed)
        jobs = []
        for pk in pks:
            ev = events[pk.drug]
            for name, (rates, coefs) in _population_terms(pk, population, rng, cv_cl, cv_v):
                jobs.append((name, ev.times_h + pk.lag_h, ev.mg, rates, coefs))
        for name, times, mg, rates, coefs in jobs:
            bands[name] = population_band(n_points, step_h, times, mg, rates, coefs)

    flu: FlumazenilResult | None = None
    if flumazenil is not None:
        flu = simulate_flumazenil(flumazenil, time_h, weight_kg=weight_kg, liver=liver)
        concentration["flumazenil"] = flu.concentration
        assumptions.extend(flu.assumptions)
        warnings.extend(flu.warnings)

    occ: OccupancyResult | None = None
    if occupancy or ed50s:
        occ = _occupancy(ed50s, concentration, steps, time_h, assumptions, warnings)

    return Simulation(
        time_h=time_h,
        concentration=concentration,
        bands=bands,
        occupancy=occ,
        flumazenil=flu,
        assumptions=_dedupe(assumptions),
        warnings=_dedupe(warnings),
        seed=seed,
    )


def _occupancy(
    ed50s: Sequence[Ed50],
    concentration: Mapping[str, FloatArray],
    steps: Sequence[tuple[int, int, int, float]],
    time_h: FloatArray,
    assumptions: list[str],
    warnings: list[str],
) -> OccupancyResult:
    chosen = tuple(ed50s) or illustration_ed50s()
    warnings.append(DISCREPANCY)
    series: dict[str, FloatArray] = {}
    per_step: dict[str, tuple[StepOccupancy, ...]] = {}
    basis: dict[str, str] = {}
    day_index = np.minimum((time_h // 24.0).astype(np.int64), 10**9)
    for ed50 in chosen:
        assumptions.append(ed50.describe())
        if ed50.unit == "ng/mL":
            if ed50.series is None or ed50.series not in concentration:
                raise InputError(
                    "ed50",
                    ed50.name,
                    "a series of this simulation: " + ", ".join(concentration),
                )
            series[ed50.name] = 100.0 * occupancy_of(concentration[ed50.series], ed50)
            basis[ed50.name] = f"plasma concentration of {ed50.series} (Emax)"
            continue
        if not steps:
            raise InputError(
                "ed50",
                ed50.name,
                "a plan (or a diazepam-only regimen) for an ED50 in mg/day, or "
                "'SERIES=N ng/mL' for a concentration-based EC50",
            )
        per_step[ed50.name] = step_occupancy(steps, ed50)
        daily = np.zeros(time_h.shape, dtype=np.float64)
        for _index, first, last, dose in steps:
            daily[(day_index >= first - 1) & (day_index <= last - 1)] = dose
        series[ed50.name] = 100.0 * occupancy_of(daily, ed50)
        basis[ed50.name] = (
            "scheduled daily diazepam-equivalent dose of each day (Emax on dose; no kinetics)"
        )
    return OccupancyResult(ed50s=chosen, series=series, steps=per_step, basis=basis)
