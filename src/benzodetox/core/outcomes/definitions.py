"""The programme's outcome definitions (``core/data/outcomes.toml``), each a labelled
programme definition under the source key ``benzodetox-outcome-definitions``.

A programme may set its own values (:meth:`Definitions.with_changes`); the defaults are read
from the data file, never written in code.

    >>> d = default_definitions()
    >>> d.small_cell_threshold, d.retention_days
    (5, (30, 60, 90))
    >>> d.with_changes(small_cell_threshold=10).small_cell_threshold
    10
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from ..errors import DataError, InputError

__all__ = ["Definitions", "band_label", "band_of", "default_definitions", "definition_rows"]

SOURCE = "benzodetox-outcome-definitions"


@dataclass(frozen=True)
class Definitions:
    """Figures the outcome rules use. Every one is a programme definition."""

    lost_to_follow_up_days: int
    small_cell_threshold: int
    stayed_off_days: int
    retention_days: tuple[int, ...]
    retention_window_days: int
    dose_bands_mg: tuple[Decimal, ...]
    age_bands_years: tuple[int, ...]
    trajectory_weeks: int
    source: str = SOURCE

    def __post_init__(self) -> None:
        for name, lo, hi in (
            ("lost_to_follow_up_days", 1, 3650),
            ("small_cell_threshold", 1, 1000),
            ("stayed_off_days", 1, 3650),
            ("retention_window_days", 1, 3650),
            ("trajectory_weeks", 1, 520),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise InputError(name, value, f"a whole number from {lo} to {hi}")
        days = self.retention_days
        if not days or any(not 1 <= d <= 3650 for d in days) or list(days) != sorted(set(days)):
            raise InputError(
                "retention_days", days, "increasing whole numbers of days from 1 to 3650"
            )
        for name, bands in (
            ("dose_bands_mg", [Decimal(b) for b in self.dose_bands_mg]),
            ("age_bands_years", [Decimal(b) for b in self.age_bands_years]),
        ):
            if not bands or bands != sorted(set(bands)) or bands[0] < 0:
                raise InputError(name, tuple(bands), "increasing lower bounds from 0")

    def with_changes(self, **changes: Any) -> Definitions:
        """These definitions with the programme's own values (checked like the defaults)."""
        unknown = set(changes) - {f for f in self.__dataclass_fields__ if f != "source"}
        if unknown:
            raise InputError("definition", sorted(unknown)[0], "a known outcome definition")
        return replace(self, **changes)


def _int(table: dict[str, Any], key: str, where: str) -> int:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise DataError(f"outcomes.toml [{where}] {key}: a whole number, got {value!r}")
    return value


@cache
def _data() -> dict[str, Any]:
    text = resources.files("benzodetox.core").joinpath("data", "outcomes.toml").read_text("utf-8")
    data = tomllib.loads(text)
    for name, table in data.items():
        if isinstance(table, dict) and (
            table.get("source") != SOURCE or table.get("programme_definition") is not True
        ):
            raise DataError(f"outcomes.toml [{name}]: must be a programme definition of {SOURCE}")
    return data


@cache
def default_definitions() -> Definitions:
    d = _data()
    return Definitions(
        lost_to_follow_up_days=_int(d["lost_to_follow_up"], "days", "lost_to_follow_up"),
        small_cell_threshold=_int(d["small_cells"], "threshold", "small_cells"),
        stayed_off_days=_int(d["completion"], "stayed_off_days", "completion"),
        retention_days=tuple(int(v) for v in d["retention"]["days"]),
        retention_window_days=_int(d["retention"], "window_days", "retention"),
        dose_bands_mg=tuple(Decimal(str(v)) for v in d["bands"]["dose_mg"]),
        age_bands_years=tuple(int(v) for v in d["bands"]["age_years"]),
        trajectory_weeks=_int(d["trajectory"], "weeks", "trajectory"),
    )


def definition_rows(defs: Definitions | None = None) -> list[tuple[str, str, str]]:
    """(what, value in force, source) for showing the definitions beside the figures."""
    d = defs or default_definitions()
    mark = f"{d.source} (programme definition, unconfirmed)"
    return [
        ("Lost to follow-up after (days without contact)", str(d.lost_to_follow_up_days), mark),
        ("Smallest cell shown (patients)", str(d.small_cell_threshold), mark),
        ("Completed: off after the last dose for (days)", str(d.stayed_off_days), mark),
        (
            "Aftercare retention at (days after the last dose)",
            ", ".join(map(str, d.retention_days)),
            mark,
        ),
        ("Retention window (days)", str(d.retention_window_days), mark),
        (
            "Starting dose bands (mg diazepam-eq/day)",
            ", ".join(band_label(d.dose_bands_mg, i, "mg") for i in range(len(d.dose_bands_mg))),
            mark,
        ),
        (
            "Age bands (years)",
            ", ".join(
                band_label(d.age_bands_years, i, "")
                for i in range(-1 if d.age_bands_years[0] > 0 else 0, len(d.age_bands_years))
            ),
            mark,
        ),
        ("CIWA-B trajectory (weeks from the start)", str(d.trajectory_weeks), mark),
    ]


def band_of(value: Decimal | int, bands: Sequence[Decimal | int]) -> int:
    """Index of the band ``value`` falls in: the last lower bound not above it; -1 below the
    first bound."""
    index = -1
    for i, lower in enumerate(bands):
        if Decimal(value) >= Decimal(lower):
            index = i
    return index


def band_label(bands: Sequence[Decimal | int], index: int, unit: str) -> str:
    """'10–<20 mg', '65+', 'under 18': the band's words."""
    suffix = f" {unit}" if unit else ""
    if index < 0:
        return f"under {bands[0]}{suffix}"
    lower = bands[index]
    if index + 1 >= len(bands):
        return f"{lower}+{suffix}"
    upper = bands[index + 1]
    if isinstance(lower, int) and isinstance(upper, int):
        return f"{lower}–{upper - 1}{suffix}"
    return f"{lower}–<{upper}{suffix}"
