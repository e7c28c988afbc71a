"""Dose events for the simulator: a plan or a daily regimen as (hours from start, mg) per drug.

Hour 0 is midnight at the start of the plan's first day; a dose at 08:00 on day 1 is at 8.0 h,
on day 2 at 32.0 h. Amounts leave exact ``Decimal`` milligrams only here, as floats for numerics.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time

import numpy as np

from ..errors import InputError
from ..plan import Plan
from ..regimen import Regimen
from .model import FloatArray

__all__ = ["DoseEvents", "events_from_plan", "events_from_regimen", "hours_of_day"]


@dataclass(frozen=True)
class DoseEvents:
    """Dose events of one drug: ``times_h`` (sorted) and ``mg`` of equal length."""

    drug: str
    times_h: FloatArray
    mg: FloatArray

    @property
    def count(self) -> int:
        return int(self.times_h.size)

    def scaled(self, factor: float) -> DoseEvents:
        return DoseEvents(self.drug, self.times_h, self.mg * factor)


def hours_of_day(moment: time) -> float:
    return moment.hour + moment.minute / 60.0 + moment.second / 3600.0


def _check_stop(stop_after_days: int | None) -> None:
    if stop_after_days is not None and stop_after_days < 0:
        raise InputError("stop-after-days", stop_after_days, "a whole number of days, 0 or more")


def _collect(rows: Iterable[tuple[str, FloatArray, FloatArray]]) -> dict[str, DoseEvents]:
    times: dict[str, list[FloatArray]] = {}
    amounts: dict[str, list[FloatArray]] = {}
    for drug, t, mg in rows:
        times.setdefault(drug, []).append(t)
        amounts.setdefault(drug, []).append(mg)
    out: dict[str, DoseEvents] = {}
    for drug in times:
        t = np.concatenate(times[drug])
        mg = np.concatenate(amounts[drug])
        order = np.argsort(t, kind="stable")
        out[drug] = DoseEvents(drug, t[order], mg[order])
    return out


def events_from_plan(plan: Plan, stop_after_days: int | None = None) -> Mapping[str, DoseEvents]:
    """Every scheduled dose of ``plan`` (each day of each step, start and end inclusive).

    ``stop_after_days``: doses only on the first N days (the last dose is on day N).
    """
    _check_stop(stop_after_days)
    rows: list[tuple[str, FloatArray, FloatArray]] = []
    for step in plan.steps:
        first = (step.start - plan.start).days
        last = (step.end - plan.start).days
        if stop_after_days is not None:
            last = min(last, stop_after_days - 1)
        if last < first:
            continue
        day_h = np.arange(first, last + 1, dtype=np.float64) * 24.0
        for dose in step.doses:
            if dose.mg <= 0:
                continue
            t = day_h + hours_of_day(dose.time)
            rows.append((dose.drug, t, np.full(t.shape, float(dose.mg))))
    return _collect(rows)


def events_from_regimen(regimen: Regimen, days: int) -> Mapping[str, DoseEvents]:
    """The regimen's doses taken every day for ``days`` days from hour 0."""
    if days < 0:
        raise InputError("stop-after-days", days, "a whole number of days, 0 or more")
    day_h = np.arange(days, dtype=np.float64) * 24.0
    rows = [
        (dose.drug, day_h + hours_of_day(dose.time), np.full(days, float(dose.mg)))
        for dose in regimen.doses
        if dose.mg > 0
    ]
    return _collect(rows)
