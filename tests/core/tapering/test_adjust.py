"""Adjustments return a new plan from a date, with the reason; the old plan is unchanged."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.core.errors import InputError
from benzodetox.core.plan import PlanRequest
from benzodetox.core.tapering import build_plan
from benzodetox.core.tapering.adjust import hold, plateau, slow, step_back

from .conftest import START, regimen
from .test_invariants import assert_dates_contiguous, assert_exact_doses


@pytest.fixture
def plan():
    return build_plan(
        PlanRequest(
            regimen(("diazepam", "10", "08:00"), ("diazepam", "10", "22:00")), "ashton-2002", START
        )
    )


def test_a_hold_keeps_the_dose_and_moves_every_later_change_by_its_length(plan):
    """JCPG 2025 key takeaways 6b–d: pause when symptoms are significant."""
    on = plan.steps[1].start + timedelta(days=3)
    held = hold(plan, on, 14, "CIWA-B 25 four days after the reduction")
    assert held.end == plan.end + timedelta(days=14)
    step = held.step_on(on)
    assert step is not None and step.kind == "hold"
    assert step.doses == plan.steps[1].doses
    assert any("CIWA-B 25" in n for n in step.notes)
    assert held.step_on(on - timedelta(days=1)).diazepam_eq_mg == plan.steps[1].diazepam_eq_mg
    assert [s.diazepam_eq_mg for s in held.steps if s.kind != "hold"] == [
        s.diazepam_eq_mg for s in plan.steps
    ]
    assert "hold 14 days" in held.version_note
    assert plan.steps[1].kind == "reduction"  # the original is untouched
    assert_dates_contiguous(held)


def test_slowing_keeps_the_current_step_and_reduces_more_gently_afterwards(plan):
    on = plan.steps[2].start
    slowed = slow(plan, on, "two holds in a row", percent=Decimal(5), interval_days=28)
    assert slowed.steps[:3] == plan.steps[:3]
    later = [s for s in slowed.steps[3:] if s.kind == "reduction"]
    assert min(s.days for s in later) >= 28
    # at most 5 % a step every 28 days; a larger step the products force lasts longer to keep
    # that pace, and says so
    for step in later:
        # reduction_percent is shown to 0.1 %: allow that much over the interval
        assert (step.reduction_percent - Decimal("0.05")) * 28 <= Decimal(5) * step.days, step
        if step.reduction_percent > 5:
            assert any("nearest larger step" in n for n in step.notes) or step.warnings
    assert slowed.end > plan.end
    assert_dates_contiguous(slowed)
    assert_exact_doses(slowed)


def test_slowing_refuses_a_faster_percentage(plan):
    """A 'slow' that would speed the taper up is refused, naming the field."""
    faster = build_plan(
        PlanRequest(regimen(("diazepam", "10", "08:00")), "ashton-2002", START, percent=Decimal(5))
    )
    with pytest.raises(InputError) as error:
        slow(faster, faster.steps[1].start, "why", percent=Decimal(10))
    assert error.value.field == "percent"


def test_stepping_back_returns_to_the_previous_dose_then_tapers_on(plan):
    on = plan.steps[3].start + timedelta(days=2)
    back = step_back(plan, on, "severe symptoms")
    step = back.step_on(on)
    assert step.kind == "step back"
    assert step.diazepam_eq_mg == plan.steps[2].diazepam_eq_mg
    assert step.warnings
    assert back.steps[-1].kind == "stop"
    assert_dates_contiguous(back)


def test_a_plateau_ends_the_plan_on_a_maintenance_dose_reviewed_in_90_days(plan):
    """JCPG 2025: maintaining a lower dose may be an acceptable end point; Rec 1: reassess at
    least every 3 months."""
    on = plan.steps[4].start
    kept = plateau(plan, on, "further reductions not tolerated")
    assert kept.steps[-1].kind == "plateau"
    assert kept.steps[-1].days == 90
    assert kept.steps[-1].diazepam_eq_mg == plan.steps[4].diazepam_eq_mg


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda p: hold(p, p.start, 0, "why"), "days"),
        (lambda p: hold(p, p.start, 7, "  "), "reason"),
        (lambda p: hold(p, date(2020, 1, 1), 7, "why"), "on"),
        (lambda p: hold(p, p.end, 7, "why"), "on"),
        (lambda p: step_back(p, p.start, "why"), "on"),
        (lambda p: slow(p, p.start, "why"), "percent"),
    ],
)
def test_adjustments_refuse_bad_input_naming_the_field(plan, call, field):
    with pytest.raises(InputError) as error:
        call(plan)
    assert error.value.field == field


@settings(max_examples=40, deadline=None)
@given(day=st.integers(0, 300), days=st.integers(1, 60))
def test_a_hold_anywhere_keeps_the_plan_contiguous_and_never_adds_a_reduction(day, days):
    """Holds can be inserted anywhere; they only lengthen the plan."""
    plan = build_plan(
        PlanRequest(
            regimen(("diazepam", "15", "22:00")), "ashton-2002", START, strategy="hyperbolic"
        )
    )
    on = START + timedelta(days=day)
    if on >= plan.end:
        return
    held = hold(plan, on, days, "symptoms")
    assert_dates_contiguous(held)
    assert held.end == plan.end + timedelta(days=days)
    assert sorted({s.diazepam_eq_mg for s in held.steps}) == sorted(
        {s.diazepam_eq_mg for s in plan.steps}
    )
