"""Pharmacy orders: what to dispense for each supply period of a plan.

A plan's doses say exactly what is taken (``Take``); an order adds them up over a period. Tablets
and capsules are dispensed whole, so a total that includes split parts is rounded *up* to whole
units (½ tablet a day for 3 days takes 1½ tablets: dispense 2); liquids are totalled in mL and
rounded up to whole bottles when the bottle size is known. Nothing is rounded down: an order never
leaves a patient short of a scheduled dose (issue 2, "Dispensing").

The totals assume every scheduled dose is taken every day of the period (planned drug-free nights
are not subtracted), so an order may be slightly above need, never below it.

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
>>> [(line.units, line.exact_count) for line in pharmacy_order(plan)[0].lines]
[(2, Fraction(3, 2))]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from .catalogue import Product
from .errors import InputError
from .plan import Plan, Take

__all__ = ["OrderLine", "SupplyPeriod", "pharmacy_order"]


@dataclass(frozen=True)
class OrderLine:
    """One product to dispense for a period.

    Solids: ``units`` whole tablets or capsules, ``exact_count`` the units actually taken before
    rounding up (e.g. ``Fraction(27, 2)``). Liquids: ``ml`` in total and ``bottles`` (None when
    the bottle size is not known).
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


@dataclass(frozen=True)
class SupplyPeriod:
    """Supply for the days ``start`` to ``end``, both inclusive."""

    start: date
    end: date
    lines: tuple[OrderLine, ...]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _periods(plan: Plan, period_days: int | None) -> list[tuple[date, date]]:
    if period_days is None:
        return [(step.start, step.end) for step in plan.steps]
    if isinstance(period_days, bool) or not isinstance(period_days, int) or period_days < 1:
        raise InputError("period_days", period_days, "a whole number of days, 1 or more")
    periods = []
    start, last = plan.start, plan.end
    while start <= last:
        end = min(start + timedelta(days=period_days - 1), last)
        periods.append((start, end))
        start = end + timedelta(days=1)
    return periods


def _line(take: Take, count: Fraction, ml: Decimal, bottle_ml: Decimal | None) -> OrderLine:
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
    )


def pharmacy_order(
    plan: Plan,
    period_days: int | None = 28,
    *,
    products: Sequence[Product] | None = None,
) -> tuple[SupplyPeriod, ...]:
    """What to dispense for each supply period of ``plan``.

    Periods are consecutive runs of ``period_days`` from the plan's first day to its last (the
    last one shorter); ``None`` gives one period per plan step. Solids: the count taken over the
    period, rounded up to whole units; liquids: total mL and ``bottles = ceil(mL / bottle_ml)``.
    Only products actually used in a period appear, ordered by drug, solids before liquids,
    larger strengths first, then product id.

    ``products`` is where bottle sizes are looked up (by product id); by default the catalogue,
    read only if the plan uses a liquid.
    """
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
            )
            for pid, (_, take) in order
        )
        result.append(SupplyPeriod(start=start, end=end, lines=lines))
    return tuple(result)
