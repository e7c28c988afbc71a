"""Pharmacy orders: what to dispense for each supply period of a plan, with the directions a
pharmacist labels it with.

A plan's doses say exactly what is taken (``Take``); an order adds them up over a period. Tablets
and capsules are dispensed whole, so a total that includes split parts is rounded *up* to whole
units (½ tablet a day for 3 days takes 1½ tablets: dispense 2); liquids are totalled in mL and
rounded up to whole bottles when the bottle size is known. Nothing is rounded down: an order never
leaves a patient short of a scheduled dose (issue 2, "Dispensing").

The totals assume every scheduled dose is taken every day of the period (planned drug-free nights
are not subtracted), so an order may be slightly above need, never below it.

Supply periods are 1, 7, 14 or 28 days, or one period per plan step (``SUPPLY_PERIODS``);
staged supply (``supply_period_for``) gives a shorter period to patients the intake rates at or
above a programme's chosen risk level. Each line carries its directions (``Direction``: the
doses of that product, by time, over a run of days) and its total in words and figures
(``OrderLine.total_text``), as a controlled-drug prescription writes them: UK Misuse of Drugs
Regulations 2001 reg. 15 (Schedule 2 and 3: dose, form, strength, total quantity in words and
figures); US 21 CFR 1306.05(a) (drug name, strength, dosage form, quantity, directions for use).

>>> from datetime import date
>>> from decimal import Decimal
>>> from fractions import Fraction
>>> from benzodetox.core.plan import Plan, ScheduledDose, Step, Take
>>> from datetime import time
>>> half = Take(product_id="us-diazepam-2", product="diazepam 2 mg tablet", form="tablet",
...             strength_mg=Decimal(2), mg=Decimal(1), count=Fraction(1, 2))
>>> dose = ScheduledDose(time(22), "diazepam", Decimal(1), Decimal(1), (half,))
>>> step = Step(0, date(2025, 1, 1), date(2025, 1, 3), "reduction", (dose,), Decimal(1), Decimal(0))
>>> plan = Plan("ashton-2002", "us", "ashton", (), date(2025, 1, 1), (step,), Decimal(1),
...             (Decimal(1), Decimal(1)))
>>> (line,) = pharmacy_order(plan)[0].lines
>>> (line.units, line.exact_count)
(2, Fraction(3, 2))
>>> line.total_text
'two (2) tablets'
>>> line.directions_text
'Take ½ × 2 mg tablet at 22:00 daily, Wed 1 Jan – Fri 3 Jan 2025'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from fractions import Fraction

from .catalogue import Product
from .errors import InputError
from .number_words import figures, in_words_and_figures
from .plan import Plan, Step, Take
from .units import format_count, format_mg

__all__ = [
    "DEFAULT_PERIOD_DAYS",
    "SUPPLY_PERIODS",
    "Direction",
    "OrderHeader",
    "OrderLine",
    "SupplyPeriod",
    "check_period_days",
    "format_span",
    "pharmacy_order",
    "supply_period_for",
]

#: the supply periods an order is made in (days); ``None`` is one period per plan step
SUPPLY_PERIODS: tuple[int, ...] = (1, 7, 14, 28)
#: the usual supply when a programme stages none (a labelled setting, the longest period)
DEFAULT_PERIOD_DAYS = SUPPLY_PERIODS[-1]
ALLOWED_PERIODS = "1, 7, 14 or 28 days, or one period per plan step"

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: what one unit of a solid form is called on the order (singular, plural)
_UNIT_NAMES = {
    "tablet": ("tablet", "tablets"),
    "capsule": ("capsule", "capsules"),
    "odt": ("orally disintegrating tablet", "orally disintegrating tablets"),
}


def _day(day: date, year: bool = True) -> str:
    text = f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def format_span(start: date, end: date) -> str:
    """'Mon 1 Dec – Sun 14 Dec 2025'; the year on both ends when they differ; one day alone
    is 'Mon 1 Dec 2025'."""
    if start == end:
        return _day(start)
    return f"{_day(start, year=start.year != end.year)} – {_day(end)}"


def _unit_names(form: str) -> tuple[str, str]:
    return _UNIT_NAMES.get(form, ("unit", "units"))


@dataclass(frozen=True)
class Direction:
    """One product taken the same way every day from ``start`` to ``end`` (inclusive):
    ``doses`` are (time of day, what is taken of this product then), earliest first."""

    start: date
    end: date
    doses: tuple[tuple[time, Take], ...]
    drug_free_nights: int = 0

    @property
    def text(self) -> str:
        """'Take 1½ × 5 mg tablets at 08:00 and 2 × 5 mg at 22:00 daily, Mon 1 Dec – Sun 14 Dec
        2025'; a liquid: 'Take 2.5 mL (1 mg) at 08:00 … daily, measured with an oral syringe
        (0.4 mg in each mL), …'."""
        parts = []
        for i, (at, take) in enumerate(self.doses):
            if take.ml is not None:
                amount = f"{figures(take.ml)} mL ({format_mg(take.mg)})"
            else:
                count = take.count if take.count is not None else Fraction(1)
                amount = f"{format_count(count)} × {format_mg(take.strength_mg)}"
                if i == 0:
                    singular, plural = _unit_names(take.form)
                    amount += f" {singular if count <= 1 else plural}"
            parts.append(f"{amount} at {at:%H:%M}")
        said = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        text = f"Take {said} daily"
        first = self.doses[0][1]
        if first.ml is not None:
            text += (
                f", measured with an oral syringe ({format_mg(first.strength_mg)} in each mL)"
            )
        if self.drug_free_nights:
            nights = self.drug_free_nights
            text += f" (with {nights} planned drug-free night{'s' if nights != 1 else ''} a week)"
        return f"{text}, {format_span(self.start, self.end)}"


@dataclass(frozen=True)
class OrderLine:
    """One product to dispense for a period.

    Solids: ``units`` whole tablets or capsules, ``exact_count`` the units actually taken before
    rounding up (e.g. ``Fraction(27, 2)``). Liquids: ``ml`` in total and ``bottles`` (None when
    the bottle size is not known). ``directions`` say how it is taken over the period.
    """

    product_id: str
    product: str
    form: str
    strength_mg: Decimal
    units: int | None
    ml: Decimal | None
    bottles: int | None
    confirmed: bool
    exact_count: Fraction | None
    directions: tuple[Direction, ...] = field(default=())

    @property
    def total_text(self) -> str:
        """The total in words and figures: 'twenty-eight (28) tablets', 'eighty-seven point
        five (87.5) mL'."""
        if self.ml is not None:
            return in_words_and_figures(self.ml, "mL", "mL")
        singular, plural = _unit_names(self.form)
        return in_words_and_figures(self.units or 0, singular, plural)

    @property
    def directions_text(self) -> str:
        """Every direction of the period, in order ('…; then …')."""
        return "; then ".join(d.text for d in self.directions)


@dataclass(frozen=True)
class SupplyPeriod:
    """Supply for the days ``start`` to ``end``, both inclusive."""

    start: date
    end: date
    lines: tuple[OrderLine, ...]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class OrderHeader:
    """Who and what an order is for, as plain strings from the adapter that knows them (the
    core never reads a person's record): the patient's name and record number, the year of
    birth where recorded (only the year is kept), the prescriber who approved the plan and a
    second approver where the programme asks for two, the plan version and its approval date."""

    patient_name: str
    record_number: str
    year_of_birth: int | None = None
    prescriber: str = ""
    second_approver: str = ""
    plan_version: int | None = None
    approved_on: date | None = None
    programme: str = ""


def check_period_days(period_days: object) -> int | None:
    """``period_days`` if it is one of ``SUPPLY_PERIODS`` or ``None`` (per step); else an
    InputError naming the allowed values."""
    if period_days is None:
        return None
    if (
        not isinstance(period_days, int)
        or isinstance(period_days, bool)
        or period_days not in SUPPLY_PERIODS
    ):
        raise InputError("period_days", period_days, ALLOWED_PERIODS)
    return period_days


def supply_period_for(
    risk: str,
    staged_from: str | None,
    staged_days: int | None,
    default: int | None = DEFAULT_PERIOD_DAYS,
) -> int | None:
    """The supply period for a patient the intake rates ``risk`` (a level of
    ``core.assessment.risk.LEVELS``; empty when not assessed): ``staged_days`` when the
    programme stages supply from ``staged_from`` and the risk is at or above it, else
    ``default``. An unknown level or period is refused, never ignored.

    >>> supply_period_for("high", "high", 7)
    7
    >>> supply_period_for("significant", "high", 7)
    28
    """
    from .assessment.risk import LEVELS

    check_period_days(default)
    if not staged_from:
        return default
    if staged_from not in LEVELS:
        raise InputError("staged_from", staged_from, "one of " + ", ".join(LEVELS))
    if staged_days is None or check_period_days(staged_days) is None:
        raise InputError("staged_days", staged_days, "1, 7, 14 or 28 days")
    if risk and risk not in LEVELS:
        raise InputError("risk", risk, "one of " + ", ".join(LEVELS))
    if risk and LEVELS.index(risk) >= LEVELS.index(staged_from):
        return staged_days
    return default


def _periods(plan: Plan, period_days: int | None) -> list[tuple[date, date]]:
    if check_period_days(period_days) is None:
        return [(step.start, step.end) for step in plan.steps]
    assert period_days is not None
    periods = []
    start, last = plan.start, plan.end
    while start <= last:
        end = min(start + timedelta(days=period_days - 1), last)
        periods.append((start, end))
        start = end + timedelta(days=1)
    return periods


def _line(
    take: Take,
    count: Fraction,
    ml: Decimal,
    bottle_ml: Decimal | None,
    directions: tuple[Direction, ...],
) -> OrderLine:
    if take.ml is not None:
        total = ml.normalize() if ml != ml.to_integral_value() else ml.quantize(Decimal(1))
        bottles = math.ceil(ml / bottle_ml) if bottle_ml else None
        units, exact = None, None
        liquid_ml: Decimal | None = total
    else:
        units, exact, liquid_ml, bottles = math.ceil(count), count, None, None
    return OrderLine(
        product_id=take.product_id,
        product=take.product,
        form=take.form,
        strength_mg=take.strength_mg,
        units=units,
        ml=liquid_ml,
        bottles=bottles,
        confirmed=take.confirmed,
        exact_count=exact,
        directions=directions,
    )


def _how(step: Step, product_id: str) -> tuple[tuple[time, Take], ...]:
    """This product's takes in a step, by time of day."""
    return tuple(
        sorted(
            (
                (dose.time, take)
                for dose in step.doses
                for take in dose.takes
                if take.product_id == product_id and take.mg > 0
            ),
            key=lambda pair: pair[0],
        )
    )


def _directions(
    steps: Sequence[Step], product_id: str, start: date, end: date
) -> tuple[Direction, ...]:
    """Runs of days within ``start``–``end`` on which the product is taken the same way;
    consecutive steps with the same doses of it are one run."""
    out: list[Direction] = []
    for step in steps:
        first, last = max(start, step.start), min(end, step.end)
        if first > last:
            continue
        doses = _how(step, product_id)
        if not doses:
            continue
        before = out[-1] if out else None
        if (
            before is not None
            and before.end + timedelta(days=1) == first
            and before.doses == doses
            and before.drug_free_nights == step.drug_free_nights
        ):
            out[-1] = Direction(before.start, last, doses, step.drug_free_nights)
        else:
            out.append(Direction(first, last, doses, step.drug_free_nights))
    return tuple(out)


def pharmacy_order(
    plan: Plan,
    period_days: int | None = 28,
    *,
    products: Sequence[Product] | None = None,
) -> tuple[SupplyPeriod, ...]:
    """What to dispense for each supply period of ``plan``.

    Periods are consecutive runs of ``period_days`` (1, 7, 14 or 28) from the plan's first day
    to its last (the last one shorter); ``None`` gives one period per plan step. Solids: the
    count taken over the period, rounded up to whole units; liquids: total mL and
    ``bottles = ceil(mL / bottle_ml)``. Only products actually used in a period appear,
    ordered by drug, solids before liquids, larger strengths first, then product id; each
    with its directions over the period.

    ``products`` is where bottle sizes are looked up (by product id); by default the catalogue,
    read only if the plan uses a liquid.
    """
    check_period_days(period_days)
    if not plan.steps:
        return ()
    bottle_sizes: dict[str, Decimal | None] | None = None
    result = []
    for start, end in _periods(plan, period_days):
        counts: dict[str, Fraction] = {}
        volumes: dict[str, Decimal] = {}
        seen: dict[str, tuple[str, Take]] = {}
        for step in plan.steps:
            days = (min(end, step.end) - max(start, step.start)).days + 1
            if days <= 0:
                continue
            for dose in step.doses:
                for take in dose.takes:
                    if take.mg <= 0:
                        continue
                    seen.setdefault(take.product_id, (dose.drug, take))
                    if take.ml is not None:
                        volumes[take.product_id] = (
                            volumes.get(take.product_id, Decimal(0)) + take.ml * days
                        )
                    else:
                        count = take.count if take.count is not None else Fraction(1)
                        counts[take.product_id] = counts.get(take.product_id, Fraction(0)) + (
                            count * days
                        )
        if volumes and bottle_sizes is None:
            if products is None:
                from .catalogue import catalogue

                products = catalogue().products
            bottle_sizes = {p.id: p.bottle_ml for p in products}
        order = sorted(
            seen.items(),
            key=lambda item: (
                item[1][0],
                item[1][1].ml is not None,
                -item[1][1].strength_mg,
                item[0],
            ),
        )
        lines = tuple(
            _line(
                take,
                counts.get(pid, Fraction(0)),
                volumes.get(pid, Decimal(0)),
                (bottle_sizes or {}).get(pid),
                _directions(plan.steps, pid, start, end),
            )
            for pid, (_, take) in order
        )
        result.append(SupplyPeriod(start=start, end=end, lines=lines))
    return tuple(result)
