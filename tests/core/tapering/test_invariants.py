"""Safety invariants of every plan the engine builds, over random regimens of 1–3 drugs (sold in
the market or not) × every strategy × both markets × liquid or tablets only (hypothesis).

A refusal is not a pass: each example records "plan built" or "refused: <field>" as a hypothesis
``event`` and in a ``Tally``; after its examples each test fails when the share of refusals is
above ``MAX_REFUSAL_RATE``, naming the first refused request. (The examples run in an inner
``@given`` function so the rate can be checked once they are all done.)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from benzodetox.core.catalogue import catalogue
from benzodetox.core.errors import InputError, PlanError
from benzodetox.core.plan import Plan, PlanRequest
from benzodetox.core.tapering import build_plan
from benzodetox.core.tapering.base import Equivalents
from tests.strategies import taper_cases

#: More examples on request (e.g. TAPER_EXAMPLES=2000 before a release); 80 in the suite.
EXAMPLES = int(os.environ.get("TAPER_EXAMPLES", "80"))
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
OUTPATIENT = ("asam", "ashton", "hyperbolic", "deprescribing")
FINAL = {"asam": Decimal(1), "hyperbolic": Decimal("0.5"), "ashton": Decimal(1)}
DEPARTURES = ("nearest larger step", "nearest gentler step")
CUT = re.compile(r"this step cuts ([0-9.]+) %")
SPAN = re.compile(r"^([0-9.]+)–([0-9.]+) (%|mg)")
#: The share of drawn requests the planner may refuse. Measured on 2026-12-01: 0 refusals in
#: 6,500 requests (1,000 per outpatient strategy from taper_cases(unsold=True); 500 per
#: strategy with a switch to diazepam over any dose times; 500 inpatient). For these requests a
#: workable plan always exists (at worst by switching to diazepam and ending as the Ashton
#: Manual does), so the rate allowed is that measured one: any refusal is a planner bug.
MAX_REFUSAL_RATE = 0.0


@dataclass
class Tally:
    """Plans built and requests refused over one test's examples."""

    built: int = 0
    refused: list[tuple[str, Any]] = field(default_factory=list)

    def plan(self, request: PlanRequest) -> Plan | None:
        """The plan, or None for a refusal (recorded, with a hypothesis event naming its field)."""
        try:
            plan = build_plan(request)
        except (InputError, PlanError) as error:
            event(f"refused: {error.field}")
            self.refused.append((str(error), request))
            return None
        event("plan built")
        self.built += 1
        return plan

    def check_rate(self) -> None:
        total = self.built + len(self.refused)
        assert total > 0
        rate = len(self.refused) / total
        assert rate <= MAX_REFUSAL_RATE, (
            f"{len(self.refused)} of {total} requests refused ({rate:.1%} > "
            f"{MAX_REFUSAL_RATE:.1%}); the first: {self.refused[0]}"
        )


def assert_exact_doses(plan: Plan) -> None:
    """Takes add up to the dose (printed = scheduled = dispensed); a dose the market has no
    product for comes from the patient's supply, is never dispensed, and never changes but to
    stop."""
    products = {p.id: p for p in catalogue().products}
    for step in plan.steps:
        for dose in step.doses:
            assert dose.mg > 0
            assert dose.mg <= dose.target_mg, (step.index, dose)
            if dose.from_supply:
                assert dose.takes == ()
                assert not catalogue().products_for(dose.drug, plan.market)
                continue
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


def assert_ends_at_zero(plan: Plan) -> None:
    last = plan.steps[-1]
    assert last.kind == "stop" and last.doses == () and last.diazepam_eq_mg == 0
    assert sum(1 for s in plan.steps if s.kind == "stop") == 1


def assert_stated_cut_is_the_real_cut(plan: Plan) -> None:
    """Every reduction says the cut it really makes, and that cut lies in the strategy's range
    unless the step says why not (a nearest workable step, the Ashton ending, an override)."""
    previous = plan.diazepam_eq_mg_per_day
    for step in plan.steps:
        if step.kind == "reduction":
            stated = next(m for n in step.notes if (m := CUT.search(n)))
            assert Decimal(stated.group(1)) == step.reduction_percent, step
            explained = step.warnings or any(d in n for n in step.notes for d in DEPARTURES)
            span = SPAN.match(step.span)
            if span and not explained:
                lo, hi, unit = Decimal(span.group(1)), Decimal(span.group(2)), span.group(3)
                cut = step.reduction_percent if unit == "%" else previous - step.diazepam_eq_mg
                slack = Decimal("0.1") if unit == "%" else Decimal(0)
                assert lo - slack <= cut <= hi + slack, (step.index, cut, step.span)
        previous = step.diazepam_eq_mg


def assert_new_drug_within_its_label_maximum(plan: Plan) -> None:
    """A crossover never schedules the new drug above its label maximum in the market (unless
    the patient already takes more of it)."""
    cat = catalogue()
    assert plan.request is not None
    taken = {d.drug: Decimal(0) for d in plan.request.regimen.doses}
    for d in plan.request.regimen.doses:
        taken[d.drug] += d.mg
    for step in plan.steps:
        for drug in step.drugs:
            if drug in taken:
                continue
            assert step.daily_mg(drug) <= cat.drugs[drug].label_max(plan.market).mg, step


def window_breaches(plan: Plan) -> list[int]:
    """Steps that remove more than 25 % of the dose within 2 weeks (the stop from the final
    dose excepted)."""
    assert plan.request is not None
    final = FINAL.get(plan.strategy, Decimal(1))
    if plan.request.final_dose_mg is not None:
        final = plan.request.final_dose_mg
    found = []
    for i, step in enumerate(plan.steps):
        window = step.start - timedelta(days=14)
        doses = [s.diazepam_eq_mg for s in plan.steps[:i] if s.end >= window]
        if window < plan.start:
            doses.append(plan.diazepam_eq_mg_per_day)
        before = plan.steps[i - 1].diazepam_eq_mg if i else plan.diazepam_eq_mg_per_day
        if (step.kind == "stop" and before <= final) or step.diazepam_eq_mg >= before:
            continue
        if doses and step.diazepam_eq_mg < max(doses) * Decimal("0.75"):
            found.append(step.index)
    return found


def assert_every_breach_of_the_ceiling_is_stated(plan: Plan) -> None:
    """The 25 %-in-2-weeks ceiling holds on every path of the strategies that keep it (ASAM,
    hyperbolic); where the products force a departure (the Ashton ending, an override) the step
    says so; and any breach — of those, or by the strategies whose own limits go further (the
    NICE CKS bands, deprescribing's half-dose limit) — is in the plan's warnings."""
    breaches = window_breaches(plan)
    for index in breaches:
        step = plan.steps[index - 1]
        if plan.strategy in ("asam", "hyperbolic"):
            assert step.warnings, (index, step)
    if breaches:
        assert any("beyond the ASAM 2025 ceiling" in w for w in plan.warnings)


def assert_deprescribing_never_cuts_above_half_before_the_stop(plan: Plan) -> None:
    if plan.strategy != "deprescribing":
        return
    previous = plan.diazepam_eq_mg_per_day
    for step in plan.steps:
        if step.kind == "reduction" and not step.warnings:
            assert step.diazepam_eq_mg * 2 >= previous, step
        previous = step.diazepam_eq_mg


def check_all(plan: Plan) -> None:
    assert_dates_contiguous(plan)
    assert_exact_doses(plan)
    assert_never_rises(plan)
    assert_step_totals_match_doses(plan)
    assert_ends_at_zero(plan)
    assert_stated_cut_is_the_real_cut(plan)
    assert_new_drug_within_its_label_maximum(plan)
    assert_every_breach_of_the_ceiling_is_stated(plan)
    assert_deprescribing_never_cuts_above_half_before_the_stop(plan)


@pytest.mark.parametrize("strategy", OUTPATIENT)
def test_every_outpatient_request_gets_a_plan_that_keeps_the_safety_invariants(strategy):
    """Exact takes, no rise, contiguous dates, the stated cut is the real one and lies in the
    strategy's range (or says why not), every breach of the ceiling is stated, the new drug
    stays within its label maximum, an end at zero — and refusals no more than the rate
    measured."""
    tally = Tally()

    @SETTINGS
    @given(case=taper_cases(unsold=True))
    def each(case: dict[str, Any]) -> None:
        plan = tally.plan(PlanRequest(strategy=strategy, **case))
        if plan is not None:
            check_all(plan)

    each()
    tally.check_rate()


@pytest.mark.parametrize("strategy", OUTPATIENT)
def test_a_switch_to_diazepam_divided_across_any_times_gives_a_plan(strategy):
    """With a crossover to diazepam, divided across any times of day, every invariant holds
    and only diazepam is taken once the crossover ends."""
    tally = Tally()

    @SETTINGS
    @given(
        case=taper_cases(switch=True),
        times=st.sampled_from(((), ("22:00",), ("08:00", "22:00"), ("08:00", "14:00", "22:00"))),
    )
    def each(case: dict[str, Any], times: tuple[str, ...]) -> None:
        case["switch_to"] = "diazepam"
        dose_times = tuple(time.fromisoformat(t) for t in times)
        plan = tally.plan(PlanRequest(strategy=strategy, dose_times=dose_times, **case))
        if plan is None:
            return
        check_all(plan)
        crossed = max((s.index for s in plan.steps if s.kind == "crossover"), default=0)
        tail = [s for s in plan.steps[crossed:] if s.kind == "reduction"]
        assert all(set(s.drugs) <= {"diazepam"} for s in tail[-3:])

    each()
    tally.check_rate()


def test_an_inpatient_plan_stabilises_reduces_ten_percent_a_day_then_hands_over():
    """eTG: stabilise, at most 10 % of the stabilised dose a day down to 20 mg (a larger step the
    products force lasts proportionally longer), then the outpatient strategy."""
    tally = Tally()

    @SETTINGS
    @given(case=taper_cases(switch=True), then=st.sampled_from(OUTPATIENT))
    def each(case: dict[str, Any], then: str) -> None:
        case["switch_to"] = "diazepam"
        plan = tally.plan(PlanRequest(strategy="inpatient", then=then, **case))
        if plan is None:
            return
        assert_dates_contiguous(plan)
        assert_exact_doses(plan)
        assert_never_rises(plan)
        assert_ends_at_zero(plan)
        stabilise = [s for s in plan.steps if s.kind == "stabilise"]
        assert len(stabilise) == 1 and stabilise[0].days == 3
        stabilised = stabilise[0].diazepam_eq_mg
        previous = stabilised
        for step in plan.steps[stabilise[0].index :]:
            if previous <= 20 or step.kind == "crossover":
                break
            if not step.warnings:
                assert previous - step.diazepam_eq_mg <= stabilised * Decimal("0.1") * step.days
            previous = step.diazepam_eq_mg

    each()
    tally.check_rate()


def test_a_refusal_is_counted_and_fails_the_rate():
    """The tally is not vacuous: a request the planner refuses is recorded, and the rate check
    then fails naming it."""
    from datetime import date

    from benzodetox.core.regimen import Dose, Regimen

    tally = Tally()
    regimen = Regimen((Dose(time(22), "diazepam", Decimal(10)),))

    @settings(max_examples=1, database=None)
    @given(days=st.just(0))
    def each(days: int) -> None:
        request = PlanRequest(regimen, "ashton-2002", date(2026, 1, 5), crossover_days=days)
        assert tally.plan(request) is None

    each()
    assert tally.built == 0 and "crossover_days" in tally.refused[0][0]
    with pytest.raises(AssertionError, match="1 of 1 requests refused"):
        tally.check_rate()


@SETTINGS
@given(case=taper_cases(unsold=True))
def test_the_same_request_always_gives_the_same_plan(case):
    """Planning is deterministic."""
    request = PlanRequest(strategy="hyperbolic", **case)
    assert build_plan(request) == build_plan(request)
