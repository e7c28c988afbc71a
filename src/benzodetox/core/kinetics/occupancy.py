"""GABA-A (benzodiazepine-site) receptor occupancy: an Emax model whose ED50/EC50 the user chooses.

No human plasma-to-occupancy EC50 has been found for any benzodiazepine, and the human PET data
(ED50 ≈ 105–210 mg/day diazepam-equivalent) disagree with occupancy-based schedules that imply a
much smaller ED50 (drugs.md §4.1–4.3). So the ED50 is always an explicit, labelled input — or,
when none is given, the three assumed values of the drugs.md §4.3 worked illustration, side by
side and labelled as an illustration.

Formulas (drugs.md §4.3 [C])::

    O(D) = Omax · D / (ED50 + D)          D = daily diazepam-equivalent dose (mg/day)
    O(C) = Omax · C / (EC50 + C)          C = plasma concentration of one series (ng/mL)

>>> ed50 = parse_ed50("10 mg/day")
>>> round(float(occupancy_of(20.0, ed50)) * 100, 1)
66.7
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .model import FloatArray
from .parameters import kinetics_data

__all__ = [
    "DISCREPANCY",
    "Ed50",
    "StepOccupancy",
    "illustration_ed50s",
    "occupancy_of",
    "parse_ed50",
    "step_occupancy",
]

DISCREPANCY = (
    "Occupancy is illustrative: no human plasma-concentration-to-occupancy EC50 exists for any "
    "benzodiazepine [gap]. Human PET data put clinical doses at low occupancy (Fujita 1999: 16% "
    "at alprazolam 2 mg/day, an ED50 of roughly 105–210 mg/day diazepam-equivalent; Sybirska "
    "1993: < 3% at sedating lorazepam doses), where equal-occupancy steps are almost equal-mg "
    "steps; schedules built on many ~5-point occupancy steps from 20 mg diazepam imply a much "
    "smaller ED50. This discrepancy is unresolved (drugs.md §4.3): no single curve is correct."
)


@dataclass(frozen=True)
class Ed50:
    """An ED50 (``unit`` "mg/day", diazepam-equivalent) or EC50 (``unit`` "ng/mL" of ``series``)."""

    value: float
    unit: str
    series: str | None = None
    label: str = "user assumption"

    @property
    def name(self) -> str:
        base = f"{self.series}=" if self.series else ""
        return f"{base}{self.value:g} {self.unit}"

    def describe(self) -> str:
        what = "ED50" if self.unit == "mg/day" else "EC50"
        return f"occupancy {what} {self.name} ({self.label})"


_ED50 = re.compile(
    r"^\s*(?:(?P<series>[a-z][a-z_-]*)\s*=\s*)?(?P<value>[0-9]+(?:[.,][0-9]+)?)\s*"
    r"(?P<unit>mg/day|mg/d|mg|ng/ml)?\s*$",
    re.IGNORECASE,
)


def parse_ed50(text: str) -> Ed50:
    """'10 mg/day' (or '10'): dose-based ED50; 'diazepam=300 ng/mL': concentration-based EC50."""
    match = _ED50.match(text)
    allowed = "'N mg/day' (diazepam-equivalent) or 'SERIES=N ng/mL', e.g. '40 mg/day'"
    if not match:
        raise InputError("ed50", text, allowed)
    value = float(match.group("value").replace(",", "."))
    unit = (match.group("unit") or "mg/day").lower()
    series = match.group("series")
    if not (math.isfinite(value) and value > 0):
        raise InputError("ed50", text, "a value greater than zero")
    if unit == "ng/ml":
        if series is None:
            raise InputError("ed50", text, "the series it applies to, e.g. 'diazepam=300 ng/mL'")
        return Ed50(value, "ng/mL", series.lower())
    if series is not None:
        raise InputError("ed50", text, allowed)
    return Ed50(value, "mg/day")


def emax() -> float:
    return float(kinetics_data()["occupancy"]["emax"])


def illustration_ed50s() -> tuple[Ed50, ...]:
    """The three ED50 values assumed in the drugs.md §4.3 illustration, labelled as such."""
    row = kinetics_data()["occupancy"]["illustration"]
    label = f"illustration [{row['label']}], drugs.md §4.3 — not a published curve"
    return tuple(Ed50(float(v), "mg/day", None, label) for v in row["ed50_mg_per_day"])


def occupancy_of(x: float | FloatArray, ed50: Ed50) -> FloatArray:
    """Omax · x / (ED50 + x), as a fraction (0–1)."""
    arr = np.maximum(np.asarray(x, dtype=np.float64), 0.0)
    return np.asarray(emax() * arr / (ed50.value + arr), dtype=np.float64)


@dataclass(frozen=True)
class StepOccupancy:
    """One plan step: its first day (1-based), daily diazepam-equivalent, occupancy and change."""

    step: int
    first_day: int
    last_day: int
    diazepam_eq_mg: float
    occupancy_percent: float
    change_points: float


def step_occupancy(
    steps: Sequence[tuple[int, int, int, float]], ed50: Ed50
) -> tuple[StepOccupancy, ...]:
    """Per-step occupancy and its change in percentage points from the previous step.

    ``steps`` rows are (index, first day, last day, diazepam-equivalent mg/day).
    """
    if ed50.unit != "mg/day":
        raise InputError("ed50", ed50.name, "an ED50 in mg/day for per-step occupancy")
    out: list[StepOccupancy] = []
    previous: float | None = None
    for index, first, last, dose in steps:
        occ = float(occupancy_of(dose, ed50)) * 100.0
        change = 0.0 if previous is None else occ - previous
        out.append(StepOccupancy(index, first, last, dose, occ, change))
        previous = occ
    return tuple(out)
