"""Pharmacy orders: whole units per product per supply period, bottles of liquid, never short."""

from __future__ import annotations

import math
from datetime import date, time, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benzodetox.core.catalogue import Product
from benzodetox.core.dispensing import dispense
from benzodetox.core.errors import InputError
from benzodetox.core.plan import Plan, ScheduledDose, Step
from benzodetox.core.supply import (
    SUPPLY_PERIODS,
    OrderLine,
    SupplyPeriod,
    check_period_days,
    format_span,
    pharmacy_order,
    supply_period_for,
)
from tests.strategies import dose_targets, product_sets

D = Decimal
START = date(2025, 3, 3)

TWO = Product(id="us-diazepam-tab-2", market="us", drug="diazepam", form="tablet",
              name="diazepam 2 mg tablet", strength_mg=D(2), source="test", confirmed=True,
              split_parts=2)
FIVE = Product(id="us-diazepam-tab-5", market="us", drug="diazepam", form="tablet",
               name="diazepam 5 mg tablet", strength_mg=D(5), source="test", confirmed=True,
               split_parts=2)
SOLUTION = Product(id="uk-lorazepam-sol-1", market="uk", drug="lorazepam", form="liquid",
                   name="lorazepam 1 mg/mL oral solution", strength_mg=D(1), source="test",
                   confirmed=False, smallest_ml=D("0.1"), bottle_ml=D(150))


def dose(products: tuple[Product, ...], mg: str, at: int = 22) -> ScheduledDose:
    given_mg, takes = dispense(products, D(mg))
    return ScheduledDose(time(at), products[0].drug, D(mg), given_mg, takes)


def step(index: int, start: date, days: int, *doses: ScheduledDose) -> Step:
    return Step(index, start, start + timedelta(days=days - 1), "reduction", tuple(doses),
                D(0), D(0))


def plan_of(*steps: Step) -> Plan:
    return Plan("ashton-2002", "us", "ashton", (), steps[0].start if steps else START, steps,
                D(0), (D(0), D(0)))


def contiguous(*spec: tuple[int, tuple[ScheduledDose, ...]]) -> Plan:
    steps, start = [], START
    for i, (days, doses) in enumerate(spec):
        steps.append(step(i, start, days, *doses))
        start += timedelta(days=days)
    return plan_of(*steps)


def test_half_a_tablet_daily_for_28_days_is_14_tablets() -> None:
    """1 mg = ½ × 2 mg for 28 days: 14 whole tablets, exactly."""
    order = pharmacy_order(contiguous((28, (dose((TWO,), "1"),))))
    assert len(order) == 1
    (line,) = order[0].lines
    assert (line.product_id, line.units, line.exact_count) == (TWO.id, 14, Fraction(14))
    assert (line.ml, line.bottles) == (None, None)


def test_three_days_of_half_a_tablet_is_rounded_up_to_two_tablets() -> None:
    """1½ tablets are taken; a split tablet is dispensed whole, so 2 (rounded up, never down)."""
    (period,) = pharmacy_order(contiguous((3, (dose((TWO,), "1"),))))
    (line,) = period.lines
    assert (line.units, line.exact_count) == (2, Fraction(3, 2))


def test_liquid_is_ordered_in_ml_and_whole_bottles_rounded_up() -> None:
    """2.5 mL + 3 mL of 1 mg/mL daily for 28 days = 154 mL: two 150 mL bottles, not one."""
    plan = contiguous((28, (dose((SOLUTION,), "2.5", 8), dose((SOLUTION,), "3", 22))))
    (period,) = pharmacy_order(plan, products=(SOLUTION,))
    (line,) = period.lines
    assert (line.ml, line.bottles, line.units, line.exact_count) == (D(154), 2, None, None)
    assert line.confirmed is False


def test_bottles_are_unknown_without_a_bottle_size() -> None:
    """A liquid with no known bottle size: the volume, and bottles None."""
    plan = contiguous((10, (dose((SOLUTION,), "0.3"),)))
    (period,) = pharmacy_order(plan, products=())
    (line,) = period.lines
    assert (line.ml, line.bottles) == (D(3), None)


def test_periods_are_consecutive_and_the_last_one_is_shorter() -> None:
    """A 70-day plan in 28-day periods: 28 + 28 + 14 days, contiguous, covering the plan."""
    plan = contiguous((40, (dose((FIVE,), "7.5"),)), (30, (dose((FIVE,), "5"),)))
    order = pharmacy_order(plan)
    assert [p.days for p in order] == [28, 28, 14]
    assert order[0].start == plan.start and order[-1].end == plan.end
    for a, b in pairwise(order):
        assert b.start == a.end + timedelta(days=1)
    # day 29-40 at 1½ tablets (18 tablets), day 41-56 at 1 tablet (16 tablets)
    assert [(ln.units, ln.exact_count) for ln in order[1].lines] == [(34, Fraction(34))]


def test_one_period_per_step_when_asked() -> None:
    """period_days=None: the periods are the plan's steps."""
    plan = contiguous((14, (dose((FIVE,), "7.5"),)), (14, (dose((FIVE, TWO), "9"),)))
    order = pharmacy_order(plan, None)
    assert [(p.start, p.end) for p in order] == [(s.start, s.end) for s in plan.steps]
    assert [ln.units for ln in order[0].lines] == [21]
    # 9 mg = 5 + 2 × 2: 14 fives and 28 twos; larger strength first
    assert [(ln.product_id, ln.units) for ln in order[1].lines] == [(FIVE.id, 14), (TWO.id, 28)]


def test_only_products_used_in_the_period_appear() -> None:
    """A product used only in the second period is not ordered in the first; a stop step is
    a period with no lines."""
    plan = contiguous(
        (28, (dose((FIVE, TWO), "5"),)),
        (28, (dose((FIVE, TWO), "2"),)),
        (7, ()),
    )
    order = pharmacy_order(plan)
    assert [[ln.product_id for ln in p.lines] for p in order] == [[FIVE.id], [TWO.id], []]


def test_orders_are_deterministic_by_drug_then_solids_then_strength() -> None:
    """Two drugs at once (a crossover): drug name first, solids before liquid, larger first."""
    lorazepam = dose((SOLUTION,), "0.5", 8)
    diazepam = dose((FIVE, TWO), "7", 22)
    (period,) = pharmacy_order(contiguous((7, (lorazepam, diazepam))), products=(SOLUTION,))
    assert [ln.product_id for ln in period.lines] == [FIVE.id, TWO.id, SOLUTION.id]


def test_an_empty_plan_orders_nothing_and_bad_periods_are_refused() -> None:
    """No steps -> no periods; period_days must be 1, 7, 14 or 28 (or None, per step), and
    the refusal names the allowed values."""
    assert pharmacy_order(plan_of()) == ()
    plan = contiguous((7, (dose((FIVE,), "5"),)))
    for bad in (0, -3, True, 3, 10, 30, "7", 7.0):
        with pytest.raises(InputError, match="period_days") as refused:
            pharmacy_order(plan, bad)
        assert "1, 7, 14 or 28 days, or one period per plan step" in str(refused.value)


def test_the_catalogue_supplies_bottle_sizes_by_default() -> None:
    """Without ``products``, bottle sizes come from the catalogue (by product id)."""
    from benzodetox.core.catalogue import catalogue

    products = catalogue().products_for("lorazepam", "uk")
    liquid = next(p for p in products if p.is_liquid and p.bottle_ml)
    assert liquid.bottle_ml is not None
    mg, takes = dispense((liquid,), D("0.5"))
    plan = contiguous((28, (ScheduledDose(time(22), "lorazepam", mg, mg, takes),)))
    (period,) = pharmacy_order(plan)
    (line,) = period.lines
    assert line.ml is not None and line.ml > 0
    assert line.bottles == math.ceil(line.ml / liquid.bottle_ml)


@given(
    product_sets(max_solids=3, max_liquids=1),
    st.lists(st.tuples(st.integers(1, 40), dose_targets(20)), min_size=1, max_size=5),
    st.sampled_from((None, *SUPPLY_PERIODS)),
)
def test_an_order_always_covers_every_scheduled_take(
    products: tuple[Product, ...],
    spec: list[tuple[int, Decimal]],
    period_days: int | None,
) -> None:
    """Units ≥ exact count (< count + 1); mL is exactly the sum; bottles hold the volume; the
    periods tile the plan with no gap or overlap."""
    plan = contiguous(*((days, (dose(products, str(mg)),)) for days, mg in spec))
    order = pharmacy_order(plan, period_days, products=products)
    assert sum(p.days for p in order) == (plan.end - plan.start).days + 1
    by_id = {p.id: p for p in products}
    for period in order:
        assert isinstance(period, SupplyPeriod)
        needed_count: dict[str, Fraction] = {}
        needed_ml: dict[str, Decimal] = {}
        for s in plan.steps:
            days = (min(period.end, s.end) - max(period.start, s.start)).days + 1
            for d in s.doses if days > 0 else ():
                for t in d.takes:
                    if t.ml is not None:
                        needed_ml[t.product_id] = needed_ml.get(t.product_id, D(0)) + t.ml * days
                    else:
                        assert t.count is not None
                        needed_count[t.product_id] = (
                            needed_count.get(t.product_id, Fraction(0)) + t.count * days
                        )
        assert {ln.product_id for ln in period.lines} == set(needed_count) | set(needed_ml)
        for line in period.lines:
            assert isinstance(line, OrderLine)
            if line.product_id in needed_count:
                assert line.exact_count == needed_count[line.product_id]
                assert line.units is not None
                assert line.exact_count <= line.units < line.exact_count + 1
            else:
                assert line.ml == needed_ml[line.product_id]
                bottle = by_id[line.product_id].bottle_ml
                if bottle is None:
                    assert line.bottles is None
                else:
                    assert line.bottles is not None and line.ml is not None
                    assert (line.bottles - 1) * bottle < line.ml <= line.bottles * bottle


# -- periods of 1 and 7 days, nothing dispensed twice ------------------------------------------


def test_a_daily_supply_has_one_period_per_day_each_with_that_days_doses() -> None:
    """period_days=1 (staged daily supply): 10 days give 10 one-day periods; 7.5 mg =
    1½ × 5 mg is dispensed as 2 tablets a day (1½ taken), and 5 mg as 1."""
    plan = contiguous((4, (dose((FIVE,), "7.5"),)), (6, (dose((FIVE,), "5"),)))
    order = pharmacy_order(plan, 1)
    assert [p.days for p in order] == [1] * 10
    assert [p.start for p in order] == [START + timedelta(days=i) for i in range(10)]
    assert [(p.lines[0].units, p.lines[0].exact_count) for p in order] == (
        [(2, Fraction(3, 2))] * 4 + [(1, Fraction(1))] * 6
    )


def test_a_weekly_supply_splits_a_step_across_weeks_and_the_last_week_is_shorter() -> None:
    """period_days=7 over 17 days: 7 + 7 + 3; the week that spans a dose change counts each
    part at its own dose (3 days × 1½ + 4 days × 1 = 8½ → 9 tablets)."""
    plan = contiguous((10, (dose((FIVE,), "7.5"),)), (7, (dose((FIVE,), "5"),)))
    order = pharmacy_order(plan, 7)
    assert [(p.start, p.days) for p in order] == [
        (START, 7), (START + timedelta(days=7), 7), (START + timedelta(days=14), 3)
    ]
    assert [(ln.units, ln.exact_count) for p in order for ln in p.lines] == [
        (11, Fraction(21, 2)), (9, Fraction(17, 2)), (3, Fraction(3))
    ]


@given(
    product_sets(max_solids=3, max_liquids=1),
    st.lists(st.tuples(st.integers(1, 40), dose_targets(20)), min_size=1, max_size=5),
    st.sampled_from((None, *SUPPLY_PERIODS)),
)
def test_periods_tile_the_plan_and_nothing_is_dispensed_twice(
    products: tuple[Product, ...],
    spec: list[tuple[int, Decimal]],
    period_days: int | None,
) -> None:
    """For every period choice: the periods start on the plan's first day, end on its last,
    follow each other day by day and are never longer than asked; summed over the periods,
    each product's exact count (or mL) is exactly what the whole plan schedules — no day is
    counted in two periods, none is missed."""
    plan = contiguous(*((days, (dose(products, str(mg)),)) for days, mg in spec))
    order = pharmacy_order(plan, period_days, products=products)
    assert order[0].start == plan.start and order[-1].end == plan.end
    for a, b in pairwise(order):
        assert b.start == a.end + timedelta(days=1)
    if period_days is not None:
        assert all(p.days == period_days for p in order[:-1]) and order[-1].days <= period_days
    scheduled: dict[str, Fraction | Decimal] = {}
    for s in plan.steps:
        for d in s.doses:
            for t in d.takes:
                amount = t.ml * s.days if t.ml is not None else (t.count or 1) * s.days
                scheduled[t.product_id] = scheduled.get(t.product_id, 0) + amount
    ordered: dict[str, Fraction | Decimal] = {}
    for period in order:
        for line in period.lines:
            amount = line.ml if line.ml is not None else line.exact_count
            assert amount is not None
            ordered[line.product_id] = ordered.get(line.product_id, 0) + amount
    assert ordered == scheduled


def test_check_period_days_accepts_exactly_the_four_periods_and_per_step() -> None:
    """1, 7, 14, 28 and None pass through; nothing else does."""
    assert [check_period_days(p) for p in (1, 7, 14, 28, None)] == [1, 7, 14, 28, None]
    with pytest.raises(InputError, match="period_days: 21 is not allowed"):
        check_period_days(21)


# -- directions --------------------------------------------------------------------------------


def test_directions_name_each_time_and_amount_with_the_dates() -> None:
    """7.5 mg at 08:00 (1½ × 5 mg) and 10 mg at 22:00 (2 × 5 mg) for 14 days from Mon 1 Dec
    2025: one direction in plain words, as the pharmacist labels it."""
    start = date(2025, 12, 1)
    plan = plan_of(step(0, start, 14, dose((FIVE,), "7.5", 8), dose((FIVE,), "10", 22)))
    (line,) = pharmacy_order(plan, 14)[0].lines
    assert line.directions_text == (
        "Take 1½ × 5 mg tablets at 08:00 and 2 × 5 mg at 22:00 daily, "
        "Mon 1 Dec – Sun 14 Dec 2025"
    )
    assert line.total_text == "forty-nine (49) tablets"  # 3½ a day for 14 days


def test_a_dose_change_within_a_period_gives_one_direction_per_run_of_days() -> None:
    """Steps with the same doses of a product are one run; a change starts a new one, and a
    product not taken in a step is absent from that step's days."""
    plan = contiguous(
        (5, (dose((FIVE,), "5"),)),
        (5, (dose((FIVE,), "5"),)),
        (4, (dose((FIVE, TWO), "2"),)),
        (5, (dose((FIVE,), "5"),)),
    )
    (period,) = pharmacy_order(plan, 28)
    five = next(ln for ln in period.lines if ln.product_id == FIVE.id)
    assert [(d.start, d.end) for d in five.directions] == [
        (START, START + timedelta(days=9)),
        (START + timedelta(days=14), START + timedelta(days=18)),
    ]
    assert five.directions_text == (
        "Take 1 × 5 mg tablet at 22:00 daily, Mon 3 Mar – Wed 12 Mar 2025; then "
        "Take 1 × 5 mg tablet at 22:00 daily, Mon 17 Mar – Fri 21 Mar 2025"
    )


def test_a_liquid_direction_gives_ml_mg_strength_and_the_oral_syringe() -> None:
    """Lorazepam 1 mg/mL: '2.5 mL (2.5 mg) at 08:00 and 3 mL (3 mg) at 22:00 daily, measured
    with an oral syringe (1 mg in each mL)'; the total reads eighty-seven point five (87.5) mL
    for 2.5 mL a day over 35 days."""
    plan = contiguous((7, (dose((SOLUTION,), "2.5", 8), dose((SOLUTION,), "3", 22))))
    (line,) = pharmacy_order(plan, 7, products=(SOLUTION,))[0].lines
    assert line.directions_text == (
        "Take 2.5 mL (2.5 mg) at 08:00 and 3 mL (3 mg) at 22:00 daily, measured with an oral "
        "syringe (1 mg in each mL), Mon 3 Mar – Sun 9 Mar 2025"
    )
    assert line.total_text == "thirty-eight point five (38.5) mL"


def test_planned_drug_free_nights_are_named_in_the_direction() -> None:
    """A step with 2 drug-free nights a week says so (the total still counts every night)."""
    base = step(0, START, 7, dose((TWO,), "1"))
    plan = plan_of(Step(0, base.start, base.end, "reduction", base.doses, D(0), D(0),
                        drug_free_nights=2))
    (line,) = pharmacy_order(plan, 7)[0].lines
    assert "(with 2 planned drug-free nights a week)" in line.directions_text
    assert line.total_text == "four (4) tablets"


def test_a_span_names_the_year_once_unless_it_changes() -> None:
    """'Mon 1 Dec – Sun 14 Dec 2025'; across the new year both years; one day alone."""
    assert format_span(date(2025, 12, 1), date(2025, 12, 14)) == "Mon 1 Dec – Sun 14 Dec 2025"
    assert format_span(date(2025, 12, 29), date(2026, 1, 4)) == (
        "Mon 29 Dec 2025 – Sun 4 Jan 2026"
    )
    assert format_span(date(2025, 12, 1), date(2025, 12, 1)) == "Mon 1 Dec 2025"


# -- staged supply -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("risk", "staged_from", "days", "expected"),
    [
        ("high", "high", 7, 7),
        ("significant", "high", 7, 28),
        ("high", "significant", 1, 1),
        ("significant", "significant", 1, 1),
        ("lower", "significant", 1, 28),
        ("", "high", 7, 28),  # not assessed: the ordinary period
        ("high", "", 7, 28),  # the programme does not stage supply
        ("high", None, None, 28),
    ],
)
def test_staged_supply_applies_from_the_programmes_risk_level_up(
    risk: str, staged_from: str | None, days: int | None, expected: int
) -> None:
    """A patient rated at or above the programme's level gets the staged period; below it, or
    not assessed, the ordinary 28 days."""
    assert supply_period_for(risk, staged_from, days) == expected


def test_staged_supply_refuses_an_unknown_level_or_period() -> None:
    """A level the core does not rate, or a period outside 1/7/14/28, is refused by name."""
    with pytest.raises(InputError, match="staged_from: 'very high'"):
        supply_period_for("high", "very high", 7)
    with pytest.raises(InputError, match="staged_days"):
        supply_period_for("high", "high", None)
    with pytest.raises(InputError, match="period_days: 10"):
        supply_period_for("high", "high", 10)
    with pytest.raises(InputError, match="risk: 'severe'"):
        supply_period_for("severe", "high", 7)
