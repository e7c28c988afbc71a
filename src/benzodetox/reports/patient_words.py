"""The handout's plan in the patient's words: a week-by-week calendar (one row a week; the days
are listed only in a week in which the dose changes), the list of dose changes, and the pictures
(tablets, the oral syringe with its mL).

No clinician notes reach these views: not a step's notes or warnings (crossover stages,
equivalence, targets), only what the patient takes, when it changes, by how much, and whether
the plan marks the step as bigger than usual. Every figure is formatted from the plan's exact
values (``format_mg``, ``format_count``, ``plain_decimal``).

>>> from benzodetox.core.plan import Take
>>> from decimal import Decimal
>>> from fractions import Fraction
>>> take_words(Take("d5", "Diazepam 5 mg tablets", "tablet", Decimal(5), Decimal("7.5"),
...                 count=Fraction(3, 2)))
'1½ × 5 mg tablet'
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cache

from benzodetox.core.plan import Plan, ScheduledDose, Step, Take
from benzodetox.core.units import format_count, format_mg, plain_decimal

from .common import DAYS, MONTHS, format_day, warned_days
from .svg_tablets import syringe_svg, tablet_svg

__all__ = [
    "ChangeView",
    "DoseCell",
    "WeekPart",
    "WeekRow",
    "change_list",
    "dose_times",
    "picture",
    "product_list",
    "take_words",
    "week_rows",
]


# --- Pictures: one data URI per distinct picture, so WeasyPrint draws each once --------------


@cache
def _uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


@cache
def _tablet_img(count: Fraction, size: float) -> str:
    svg = tablet_svg(count, size=size)
    if not svg:
        return ""
    label = f"{format_count(count)} tablet" + ("" if count <= 1 else "s")
    return f'<img class="pic" src="{_uri(svg)}" alt="{label}">'


@cache
def _syringe_img(ml: Decimal) -> str:
    svg = syringe_svg(ml)
    if not svg:
        return ""
    return f'<img class="pic syringe" src="{_uri(svg)}" alt="oral syringe filled to {ml} mL">'


def picture(take: Take, *, size: float = 9.0) -> str:
    """An ``<img>`` of the tablets (whole and part) or of the oral syringe filled to the mL."""
    if take.ml is not None:
        return _syringe_img(take.ml.normalize())
    count = take.count if take.count is not None else Fraction(1)
    return _tablet_img(count, size)


def take_words(take: Take) -> str:
    """'1½ × 5 mg tablet', '6.25 mL of liquid': what to take, short, for a calendar cell."""
    if take.ml is not None:
        return f"{plain_decimal(take.ml)} mL of liquid"
    count = take.count if take.count is not None else Fraction(1)
    unit = "capsule" if "capsule" in take.form else "tablet"
    return f"{format_count(count)} × {format_mg(take.strength_mg)} {unit}"


# --- The calendar ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DoseCell:
    """What to take at one time of day: words and pictures, or a note for a supply dose."""

    time: str  # '08:00'
    items: tuple[tuple[str, str], ...]  # (words, picture html)


@dataclass(frozen=True)
class WeekPart:
    days: str  # '' for the whole week; 'Mon 5 Jan to Tue 6 Jan', 'From Wed 7 Jan'
    cells: tuple[DoseCell, ...]  # one per dose time (``dose_times``)
    total: str  # '10 mg a day', 'No more doses'
    new: bool  # the dose changes on the first day of this part
    stop: bool = False  # no more doses from this part on


@dataclass(frozen=True)
class WeekRow:
    number: str  # pre-formatted: the reports render without Django settings
    dates: str  # '5 Jan – 11 Jan 2026' (the year on the first week and the first of a year)
    parts: tuple[WeekPart, ...]

    @property
    def changes(self) -> bool:
        return any(p.new for p in self.parts)


def dose_times(plan: Plan) -> tuple[time, ...]:
    """Every time of day at which the plan has a dose, in order (the calendar's columns)."""
    return tuple(sorted({d.time for s in plan.steps for d in s.doses if d.mg > 0}))


def _cell(at: time, doses: Sequence[ScheduledDose], named: bool) -> DoseCell:
    """``named``: the day has more than one drug, so each take says which."""
    items: list[tuple[str, str]] = []
    for dose in doses:
        prefix = f"{dose.drug}: " if named else ""
        if dose.from_supply:
            items.append((f"{prefix}{format_mg(dose.mg)} from your own supply", ""))
            continue
        for take in dose.takes:
            if take.mg > 0:
                items.append((prefix + take_words(take), picture(take)))
    return DoseCell(at.strftime("%H:%M"), tuple(items))


NO_MORE = "No more doses"


def _total(step: Step | None) -> str:
    if step is None or not any(d.mg > 0 for d in step.doses):
        return NO_MORE
    parts = [f"{format_mg(step.daily_mg(drug))}" for drug in step.drugs if step.daily_mg(drug)]
    drugs = [drug for drug in step.drugs if step.daily_mg(drug)]
    if len(drugs) == 1:
        return f"{parts[0]} a day"
    return " + ".join(f"{mg} {drug}" for mg, drug in zip(parts, drugs, strict=True)) + " a day"


def _short_day(day: date, year: bool = False, weekday: bool = True) -> str:
    text = f"{day.day} {MONTHS[day.month - 1]}"
    if weekday:
        text = f"{DAYS[day.weekday()]} {text}"
    return f"{text} {day.year}" if year else text


def week_rows(plan: Plan) -> tuple[WeekRow, ...]:
    """One row per week from the plan's first day (weeks start on that weekday) to its last.
    A week in which the dose does not change is one line; a week in which it changes lists its
    days: 'Mon 5 Jan to Tue 6 Jan' then 'From Wed 7 Jan'."""
    if not plan.steps:
        return ()
    times = dose_times(plan)
    cells: dict[int, tuple[tuple[DoseCell, ...], str]] = {}

    def view(step: Step) -> tuple[tuple[DoseCell, ...], str]:
        if step.index not in cells:
            named = len({d.drug for d in step.doses if d.mg > 0}) > 1
            by_time = [
                _cell(t, sorted((d for d in step.doses if d.time == t and d.mg > 0),
                                key=lambda d: d.drug), named)
                for t in times
            ]
            cells[step.index] = (tuple(by_time), _total(step))
        return cells[step.index]

    rows: list[WeekRow] = []
    first = plan.start
    number = 0
    while first <= plan.end:
        number += 1
        last = min(first + timedelta(days=6), plan.end)
        parts: list[WeekPart] = []
        day = first
        while day <= last:
            step = plan.step_on(day)
            end = min(step.end, last) if step is not None else last
            by_time, total = view(step) if step is not None else ((), NO_MORE)
            new = step is not None and day == step.start and step is not plan.steps[0]
            parts.append(WeekPart("", by_time, total, new, total == NO_MORE))
            day = end + timedelta(days=1)
        if len(parts) > 1:
            labelled = []
            day = first
            for i, part in enumerate(parts):
                step = plan.step_on(day)
                end = min(step.end, last) if step is not None else last
                if i == len(parts) - 1:
                    days = f"From {_short_day(day)}" if day != end else _short_day(day)
                elif day == end:
                    days = _short_day(day)
                else:
                    days = f"{_short_day(day)} to {_short_day(end)}"
                labelled.append(WeekPart(days, part.cells, part.total, part.new, part.stop))
                day = end + timedelta(days=1)
            parts = labelled
        year = number == 1 or first.year != last.year or (first.month, first.day) <= (1, 7)
        dates = (
            f"{_short_day(first, weekday=False)} – {_short_day(last, year, weekday=False)}"
            if last != first
            else _short_day(first, year)
        )
        rows.append(WeekRow(str(number), dates, tuple(parts)))
        first = first + timedelta(days=7)
    return tuple(rows)


# --- The list of changes -----------------------------------------------------------------------


def _percent(value: Decimal) -> str:
    """'10%', 'about 55%' (54.545): a cut as a person says it; the doses stay exact."""
    whole = value.quantize(Decimal(1))
    return f"{plain_decimal(value)}%" if whole == value else f"about {plain_decimal(whole)}%"


@dataclass(frozen=True)
class ChangeView:
    day: str  # 'Mon 19 Jan 2026'
    total: str  # '18 mg a day'
    cut: str  # '10% less', ''
    bigger: bool
    stop: bool


def change_list(plan: Plan) -> tuple[ChangeView, ...]:
    """The first day of every step with the new daily total and the cut: the first step only
    when it already changes the dose ('10% less than now')."""
    warned = warned_days(plan)
    out = []
    for number, step in enumerate(plan.steps):
        stop = not any(d.mg > 0 for d in step.doses)
        cut = ""
        if not stop and step.reduction_percent > 0:
            than = " than now" if number == 0 else ""
            cut = f"{_percent(step.reduction_percent)} less{than}"
        elif number == 0:
            continue
        elif not stop and step.kind == "hold":
            cut = "same dose"
        out.append(
            ChangeView(
                day=format_day(step.start),
                total="Stop: no more doses" if stop else _total(step),
                cut=cut,
                bigger=bool(step.warnings) or step.start in warned,
                stop=stop,
            )
        )
    return tuple(out)


def product_list(plan: Plan) -> tuple[tuple[str, str], ...]:
    """Each product the plan uses, once, with a picture of one tablet or of the syringe:
    ('Diazepam 5 mg tablets', img), ('Diazepam 2 mg/5 mL oral solution', img)."""
    seen: dict[str, str] = {}
    for step in plan.steps:
        for dose in step.doses:
            if dose.from_supply:
                continue
            for take in dose.takes:
                if take.mg > 0 and take.product not in seen:
                    seen[take.product] = (
                        _syringe_img(Decimal(5)) if take.ml is not None
                        else _tablet_img(Fraction(1), 9.0)
                    )
    return tuple(seen.items())
