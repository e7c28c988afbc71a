"""Safety invariants of every plan the engine builds, over random regimens of 1–3 drugs × every
strategy × both markets (hypothesis)."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benzodetox.core.catalogue import catalogue
from benzodetox.core.errors import PlanError
from benzodetox.core.plan import Plan, PlanRequest
from benzodetox.core.tapering import build_plan
from benzodetox.core.tapering.ashton import band_for
from benzodetox.core.tapering.base import Equivalents
from tests.strategies import taper_cases

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OUTPATIENT = ("asam", "ashton", "hyperbolic", "deprescribing")


def build_or_refuse(request: PlanRequest) -> Plan | None:
    """The plan, or None when the engine refused it for the one allowed reason: the market's
    products cannot keep a reduction within the ceiling (the message says what would help)."""
    try:
        return build_plan(request)
    except PlanError as error:
        assert error.field in ("products", "market", "switch_to"), error
        message = str(error)
        assert "switch to diazepam" in message or "liquid" in message or "market" in message
        return None


def assert_exact_doses(plan: Plan) -> None:
    products = {p.id: p for p in catalogue().products}
    for step in plan.steps:
        for dose in step.doses:
            assert dose.mg > 0
            assert dose.mg <= dose.target_mg, (step.index, dose)
            assert sum((t.mg for t in dose.takes), Decimal(0)) == dose.mg
            for take in dose.takes:
                product = products[take.product_id]
                assert product.drug == dose.drug and product.market == plan.market
                if take.count is not None:
                    assert Fraction(take.mg) == take.count * Fraction(product.strength_mg)
                    parts = 1 if product.form == "capsule" else product.split_parts
                    assert parts % take.count.denominator == 0, (product.id, take.count)
                else:
                    assert take.ml is not None and product.smallest_ml is not None
                    assert take.ml % product.smallest_ml == 0
                    assert take.ml * product.strength_mg == take.mg


def assert_dates_contiguous(plan: Plan) -> None:
    assert plan.steps[0].start == plan.start
    for before, after in zip(plan.steps, plan.steps[1:], strict=False):
        assert before.end >= before.start
        assert after.start == before.end + timedelta(days=1)
    assert [s.index for s in plan.steps] == list(range(1, len(plan.steps) + 1))


def assert_never_rises(plan: Plan) -> None:
    previous = plan.diazepam_eq_mg_per_day
    for step in plan.steps:
        assert step.diazepam_eq_mg <= previous, (step.index, step.diazepam_eq_mg, previous)
        previous = step.diazepam_eq_mg


def assert_step_totals_match_doses(plan: Plan) -> None:
    assert plan.request is not None
    eq = Equivalents(plan.source, plan.request.basis)
    for step in plan.steps:
        total = sum((eq.dz(d.drug, d.mg) for d in step.doses), Decimal(0))
        assert step.diazepam_eq_mg == total


def assert_crossover_keeps_equivalence(plan: Plan) -> None:
    """A crossover stage changes the total only by the recorded rounding, plus the flooring of
    each converted dose to 1 µg of its drug."""
    assert plan.request is not None
    eq = Equivalents(plan.source, plan.request.basis)
    previous = plan.diazepam_eq_mg_per_day
    for step in plan.steps:
        if step.kind == "crossover":
            rounding = sum((eq.dz(d.drug, d.rounding_mg) for d in step.doses), Decimal(0))
            flooring = sum(
                (eq.dz(d.drug, Decimal("0.001")) + Decimal("0.001") for d in step.doses),
                Decimal(0),
            )
            assert previous - step.diazepam_eq_mg <= rounding + flooring
        previous = step.diazepam_eq_mg


def assert_ends_at_zero(plan: Plan) -> None:
    last = plan.steps[-1]
    assert last.kind == "stop" and last.doses == () and last.diazepam_eq_mg == 0


def total_on(plan: Plan, day: object) -> Decimal:
    for step in plan.steps:
        if step.start <= day <= step.end:  # type: ignore[operator]
            return step.diazepam_eq_mg
    return plan.diazepam_eq_mg_per_day


def assert_within_ceiling(plan: Plan) -> None:
    """No step goes beyond its strategy's ceiling (the final stop is governed by the final
    dose instead)."""
    steps = [s for s in plan.steps if s.kind in ("reduction",)]
    crossover = [s for s in plan.steps if s.kind == "crossover"]
    start_total = crossover[-1].diazepam_eq_mg if crossover else plan.diazepam_eq_mg_per_day
    for step in steps:
        before = (
            plan.steps[step.index - 2].diazepam_eq_mg
            if step.index > 1
            else (plan.diazepam_eq_mg_per_day)
        )
        if plan.strategy in ("asam", "hyperbolic"):
            two_weeks_earlier = total_on(plan, step.start - timedelta(days=14))
            assert step.diazepam_eq_mg >= two_weeks_earlier * Decimal("0.75"), step.index
        elif plan.strategy == "ashton":
            assert before - step.diazepam_eq_mg <= band_for(before).large, step.index
        elif plan.strategy == "deprescribing":
            assert before - step.diazepam_eq_mg <= start_total * Decimal("0.25"), step.index
    stop = plan.steps[-1]
    before_stop = plan.steps[-2].diazepam_eq_mg if len(plan.steps) > 1 else None
    if before_stop is not None and plan.strategy == "asam":
        assert before_stop <= Decimal(1)
    if before_stop is not None and plan.strategy == "hyperbolic":
        assert before_stop <= Decimal("0.5")
    assert stop.diazepam_eq_mg == 0


def check_all(plan: Plan) -> None:
    assert_dates_contiguous(plan)
    assert_exact_doses(plan)
    assert_never_rises(plan)
    assert_step_totals_match_doses(plan)
    assert_crossover_keeps_equivalence(plan)
    assert_ends_at_zero(plan)
    assert_within_ceiling(plan)


@pytest.mark.parametrize("strategy", OUTPATIENT)
@SETTINGS
@given(case=taper_cases())
def test_every_outpatient_plan_keeps_the_safety_invariants(strategy, case):
    """Exact takes, rounding only downwards, no rise, contiguous dates, the strategy's ceiling
    and an end at zero — or a refusal that says what would make the plan possible."""
    plan = build_or_refuse(PlanRequest(strategy=strategy, **case))
    if plan is not None:
        check_all(plan)


@pytest.mark.parametrize("strategy", OUTPATIENT)
@SETTINGS
@given(
    case=taper_cases(switch=True),
    times=st.sampled_from(((), ("22:00",), ("08:00", "22:00"), ("08:00", "14:00", "22:00"))),
)
def test_a_switch_to_diazepam_always_gives_a_plan(strategy, case, times):
    """With a crossover to diazepam (whose oral liquid allows 0.1 mL steps), divided across any
    times of day, the planner never has to refuse, whatever the regimen, table or market."""
    case["switch_to"] = "diazepam"
    dose_times = tuple(time.fromisoformat(t) for t in times)
    plan = build_plan(PlanRequest(strategy=strategy, dose_times=dose_times, **case))
    check_all(plan)
    assert all(d.drug == "diazepam" for s in plan.steps if s.kind != "crossover" for d in s.doses)


@SETTINGS
@given(case=taper_cases(switch=True), then=st.sampled_from(OUTPATIENT))
def test_an_inpatient_plan_stabilises_reduces_ten_percent_a_day_then_hands_over(case, then):
    """eTG: stabilise, at most 10 % of the stabilised dose a day down to 20 mg, then the
    outpatient strategy; every invariant still holds."""
    case["switch_to"] = "diazepam"
    plan = build_plan(PlanRequest(strategy="inpatient", then=then, **case))
    assert_dates_contiguous(plan)
    assert_exact_doses(plan)
    assert_never_rises(plan)
    assert_ends_at_zero(plan)
    stabilise = [s for s in plan.steps if s.kind == "stabilise"]
    assert len(stabilise) == 1 and stabilise[0].days == 3
    stabilised = stabilise[0].diazepam_eq_mg
    after = plan.steps[stabilise[0].index :]
    previous = stabilised
    for step in after:
        if previous <= 20:
            break
        assert step.days == 1
        assert previous - step.diazepam_eq_mg <= stabilised * Decimal("0.1")
        previous = step.diazepam_eq_mg


@SETTINGS
@given(case=taper_cases(switch=True))
def test_the_same_request_always_gives_the_same_plan(case):
    """Planning is deterministic."""
    case["switch_to"] = "diazepam"
    request = PlanRequest(strategy="hyperbolic", **case)
    assert build_plan(request) == build_plan(request)
