"""Cohort figures from episode outcomes, with small cells suppressed.

Suppression (a programme definition: ``small_cells.threshold`` = k): a count of 1 to k − 1
patients is never shown. Where counts partition a shown total, one suppressed cell could be
recovered by subtraction, so further cells are suppressed (smallest first) until the
suppressed cells together hold 0 or at least k patients. A funnel is shown as such a partition
(the patients lost at each stage and those who reached the end); a stage count is shown only
when it follows from shown cells, so no stage reveals a suppressed one. The "still tapering"
curve stops where fewer than k patients remain at risk; a median or quartile needs k values.

    >>> suppress_partition([12, 3, 9], 5)
    [12, None, None]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from .episode import PHASE_ORDER, STATUSES, EpisodeOutcome

__all__ = [
    "CohortFilter",
    "FunnelStage",
    "KMPoint",
    "Quartiles",
    "Retention",
    "funnel",
    "kaplan_meier",
    "phase_burden",
    "phase_trajectories",
    "quartiles",
    "retention",
    "select",
    "status_counts",
    "suppress",
    "suppress_partition",
    "trajectory",
]


def suppress(count: int, threshold: int) -> int | None:
    """``count`` if it may be shown (0 or at least ``threshold``), else None."""
    return count if count == 0 or count >= threshold else None


def suppress_partition(counts: Sequence[int], threshold: int) -> list[int | None]:
    """Cells of a partition whose total is shown, with small cells and enough others hidden
    that no hidden cell can be worked out from the shown ones and the total."""
    hidden = {i for i, c in enumerate(counts) if 0 < c < threshold}
    while True:
        held = sum(counts[i] for i in hidden)
        if not hidden or (len(hidden) > 1 and held >= threshold):
            break
        if len(hidden) == 1 and held == 0:
            break
        candidates = sorted((c, i) for i, c in enumerate(counts) if i not in hidden and c > 0)
        if not candidates:
            break
        hidden.add(candidates[0][1])
    return [None if i in hidden else c for i, c in enumerate(counts)]


@dataclass(frozen=True)
class CohortFilter:
    """Episodes starting in [start_from, start_to] and matching every field given."""

    start_from: date | None = None
    start_to: date | None = None
    strategy: str = ""
    setting: str = ""
    drug: str = ""
    dose_band: str = ""
    age_band: str = ""
    start_month: str = ""


def _matches(attr: str, wanted: str) -> Callable[[EpisodeOutcome], bool]:
    return lambda o: bool(getattr(o, attr) == wanted)


def select(outcomes: Iterable[EpisodeOutcome], f: CohortFilter) -> list[EpisodeOutcome]:
    checks: list[Callable[[EpisodeOutcome], bool]] = []
    if f.start_from is not None:
        checks.append(lambda o: o.start >= f.start_from)  # type: ignore[operator]
    if f.start_to is not None:
        checks.append(lambda o: o.start <= f.start_to)  # type: ignore[operator]
    for name, attr in (
        ("strategy", "strategy"),
        ("setting", "setting"),
        ("drug", "starting_drug"),
        ("dose_band", "dose_band"),
        ("age_band", "age_band"),
        ("start_month", "start_month"),
    ):
        wanted = getattr(f, name)
        if wanted:
            checks.append(_matches(attr, wanted))
    return [o for o in outcomes if all(c(o) for c in checks)]


def status_counts(
    outcomes: Sequence[EpisodeOutcome], threshold: int
) -> list[tuple[str, str, int | None]]:
    """(status, words, count or None) for every status, suppressed as a partition."""
    counts = [sum(1 for o in outcomes if o.status == s) for s in STATUSES]
    shown = suppress_partition(counts, threshold)
    return [(s, words, c) for (s, words), c in zip(STATUSES.items(), shown, strict=True)]


@dataclass(frozen=True)
class KMPoint:
    day: int
    #: the share still tapering (Kaplan–Meier estimate), 0 to 1, 4 decimals
    still_tapering: Decimal
    at_risk: int

    @property
    def percent(self) -> Decimal:
        """The share as a whole percentage (for people to read)."""
        return (self.still_tapering * 100).quantize(Decimal(1), ROUND_HALF_UP)


def kaplan_meier(outcomes: Sequence[EpisodeOutcome], threshold: int) -> list[KMPoint]:
    """The Kaplan–Meier "still tapering" curve: reaching zero is the event; a discontinued,
    lost or still tapering episode is censored at its last day. One point per day with an
    event, from day 0, while at least ``threshold`` episodes are at risk."""
    times: dict[int, list[int]] = {}
    for o in outcomes:
        row = times.setdefault(o.tapering_days, [0, 0])
        row[0 if o.reached_zero else 1] += 1
    at_risk = len(outcomes)
    if at_risk < threshold or at_risk == 0:
        return []
    survival = Fraction(1)
    points = [KMPoint(0, Decimal(1), at_risk)]
    for day in sorted(times):
        events, censored = times[day]
        if at_risk < threshold:
            break
        if events:
            survival *= Fraction(at_risk - events, at_risk)
            points.append(KMPoint(day, _dec(survival, 4), at_risk))
        at_risk -= events + censored
    return points


def _dec(value: Fraction, places: int) -> Decimal:
    exp = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(exp, ROUND_HALF_UP)


@dataclass(frozen=True)
class Quartiles:
    n: int | None
    q1: Decimal | None
    median: Decimal | None
    q3: Decimal | None


def _quantile(values: Sequence[int | Decimal], p: Fraction) -> Fraction:
    position = (len(values) - 1) * p
    lo = int(position)
    hi = min(lo + 1, len(values) - 1)
    low, high = Fraction(values[lo]), Fraction(values[hi])
    return low + (high - low) * (position - lo)


def quartiles(values: Iterable[int | Decimal], threshold: int) -> Quartiles:
    """Median and interquartile range (linear interpolation), hidden below ``threshold`` values."""
    ordered = sorted(values)
    if not ordered or len(ordered) < threshold:
        return Quartiles(suppress(len(ordered), threshold), None, None, None)
    q = [_dec(_quantile(ordered, Fraction(k, 4)), 1) for k in (1, 2, 3)]
    return Quartiles(len(ordered), q[0], q[1], q[2])


def phase_burden(
    outcomes: Sequence[EpisodeOutcome], threshold: int
) -> list[tuple[str, Quartiles, Quartiles]]:
    """Per phase: quartiles of each episode's peak CIWA-B and of its area under the curve."""
    peaks: dict[str, list[int]] = {}
    areas: dict[str, list[Decimal]] = {}
    for o in outcomes:
        for b in o.burden:
            peaks.setdefault(b.phase, []).append(b.peak)
            areas.setdefault(b.phase, []).append(b.auc)
    return [
        (phase, quartiles(peaks[phase], threshold), quartiles(areas[phase], threshold))
        for phase in PHASE_ORDER
        if phase in peaks
    ]


def trajectory(
    outcomes: Sequence[EpisodeOutcome], threshold: int, weeks: int
) -> list[tuple[int, Quartiles]]:
    """Per week from the start: quartiles of the episodes' highest CIWA-B that week."""
    return _weekly([o.ciwa_by_week for o in outcomes if o.ciwa_by_week], threshold, weeks)


def phase_trajectories(
    outcomes: Sequence[EpisodeOutcome], threshold: int, weeks: int
) -> list[tuple[str, list[tuple[int, Quartiles]]]]:
    """Per phase with scores (in phase order), per week since each patient entered that phase:
    quartiles of the episodes' highest CIWA-B that week, hidden below ``threshold`` patients."""
    rows: dict[str, list[tuple[int, ...]]] = {}
    for o in outcomes:
        for phase, by_week in o.ciwa_by_phase:
            rows.setdefault(phase, []).append(by_week)
    return [
        (phase, _weekly(rows[phase], threshold, weeks)) for phase in PHASE_ORDER if phase in rows
    ]


def _weekly(
    rows: Sequence[tuple[int, ...]], threshold: int, weeks: int
) -> list[tuple[int, Quartiles]]:
    """Quartiles of each week's column (-1: no score; numpy for speed: the scores are whole
    numbers, so each quartile is a multiple of 0.25 and exact)."""
    rows = [r for r in rows if r]
    if not rows:
        return []
    width = min(weeks, max(len(r) for r in rows))
    grid = np.full((len(rows), width), -1, dtype=np.int32)
    for i, row in enumerate(rows):
        cut = row[:width]
        grid[i, : len(cut)] = cut
    out = []
    for week in range(width):
        column = grid[:, week]
        values = np.sort(column[column >= 0])
        n = int(values.size)
        if n == 0:
            continue
        if n < threshold:
            out.append((week, Quartiles(suppress(n, threshold), None, None, None)))
            continue
        q = [_dec(_quantile_sorted(values, Fraction(k, 4)), 1) for k in (1, 2, 3)]
        out.append((week, Quartiles(n, q[0], q[1], q[2])))
    return out


def _quantile_sorted(values: Any, p: Fraction) -> Fraction:
    position = (len(values) - 1) * p
    lo = int(position)
    hi = min(lo + 1, len(values) - 1)
    low, high = Fraction(int(values[lo])), Fraction(int(values[hi]))
    return low + (high - low) * (position - lo)


@dataclass(frozen=True)
class FunnelStage:
    label: str
    count: int | None
    #: patients who went no further than this stage (None: suppressed)
    stopped_here: int | None


def funnel(
    outcomes: Sequence[EpisodeOutcome], threshold: int, retention_days: Sequence[int]
) -> list[FunnelStage]:
    """Started → reached zero → off with no return at each retention day (completion), with
    suppression over the partition of where each episode stopped."""
    labels = ["Started", "Reached zero"] + [f"Off at day {n}, no return" for n in retention_days]

    def depth(o: EpisodeOutcome) -> int:
        if o.last_dose_day is None:
            return 0
        off_days = (o.status_on - o.start).days - o.last_dose_day
        level = 1
        for _n, kept in o.retention:
            if kept is None or (o.status == "returned" and off_days <= _n):
                break
            level += 1
        return level

    deepest = [0] * len(labels)
    for o in outcomes:
        deepest[min(depth(o), len(labels) - 1)] += 1
    cells = suppress_partition(deepest, threshold)
    total = len(outcomes)
    if suppress(total, threshold) is None:
        return [FunnelStage(label, None, None) for label in labels]
    stages = []
    for i, label in enumerate(labels):
        below = cells[:i]
        above = cells[i:]
        if all(c is not None for c in below):
            count: int | None = total - sum(c for c in below if c is not None)
        elif all(c is not None for c in above):
            count = sum(c for c in above if c is not None)
        else:
            count = None
        stages.append(FunnelStage(label, count, cells[i]))
    return stages


@dataclass(frozen=True)
class Retention:
    day: int
    eligible: int | None
    retained: int | None
    percent: Decimal | None


def retention(
    outcomes: Sequence[EpisodeOutcome], threshold: int, days: Sequence[int]
) -> list[Retention]:
    """Aftercare retention at each day: episodes whose day N has come (eligible) and those with
    an attended contact in its window."""
    by_day: dict[int, list[bool]] = {n: [] for n in days}
    for o in outcomes:
        for day, flag in o.retention:
            if flag is not None and day in by_day:
                by_day[day].append(flag)
    out = []
    for n in days:
        flags = by_day[n]
        eligible = len(flags)
        kept = sum(flags)
        shown_total = suppress(eligible, threshold)
        if shown_total is None:
            out.append(Retention(n, None, None, None))
            continue
        cells = suppress_partition([kept, eligible - kept], threshold)
        retained = cells[0]
        percent = (
            (Decimal(100) * kept / eligible).quantize(Decimal(1), ROUND_HALF_UP)
            if retained is not None and eligible
            else None
        )
        out.append(Retention(n, eligible, retained, percent))
    return out
