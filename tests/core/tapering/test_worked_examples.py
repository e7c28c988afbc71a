"""Worked examples from the reference material, each citing its source."""

from __future__ import annotations

from decimal import Decimal

from benzodetox.core.plan import CustomStep, PlanRequest
from benzodetox.core.tapering import build_plan

from .conftest import regimen


def test_the_nice_cks_schedule_from_40_mg_diazepam_takes_30_to_60_weeks(start):
    """NICE CKS (Ashton-derived, guidelines.md §1.3): −2 mg to 20, −1 mg to 10 and to 5, −0.5 mg
    to zero, every 1–2 weeks; 40 mg takes an estimated 30–60 weeks."""
    plan = build_plan(
        PlanRequest(
            regimen(("diazepam", "20", "08:00"), ("diazepam", "20", "22:00")),
            "ashton-2002",
            start,
            strategy="ashton",
        )
    )
    totals = [s.diazepam_eq_mg for s in plan.steps]
    cuts = [a - b for a, b in zip([Decimal(40), *totals], totals, strict=False)]
    above_20 = [c for c, t in zip(cuts, totals, strict=False) if t >= 20]
    assert set(above_20) == {Decimal(2)} and len(above_20) == 10
    assert totals[9] == 20 and totals[19] == 10 and totals[24] == 5
    assert set(cuts[25:-1]) == {Decimal("0.5")}
    weeks = (plan.steps[-1].start - plan.start).days / 7
    assert 30 <= weeks <= 60
    assert plan.steps[-1].kind == "stop"


def test_alprazolam_converts_to_twice_as_much_diazepam_under_ashton_as_under_vadod(start):
    """drugs.md §1.3 item 1: alprazolam 0.5 mg (Ashton) vs 1 mg (VA/DoD) ≡ diazepam 10 mg, so
    1 mg alprazolam a day crosses over to 20 mg or 10 mg diazepam."""
    alprazolam = regimen(("alprazolam", "0.5", "08:00"), ("alprazolam", "0.5", "22:00"))
    ashton = build_plan(PlanRequest(alprazolam, "ashton-2002", start, switch_to="diazepam"))
    vadod = build_plan(PlanRequest(alprazolam, "vadod-2021", start, switch_to="diazepam"))
    assert ashton.diazepam_eq_mg_per_day == 20 and vadod.diazepam_eq_mg_per_day == 10
    assert [d.mg for d in ashton.steps[1].doses] == [10, 10]
    assert [d.mg for d in vadod.steps[1].doses] == [5, 5]
    assert ashton.range_mg_per_day == vadod.range_mg_per_day == (Decimal(10), Decimal(20))
    assert any("2-fold" in w for w in ashton.warnings)


def test_the_scottish_worked_example_cuts_the_morning_dose_first_then_the_night_dose(start):
    """Scottish Government 2024 (drugs.md §4.2): lorazepam 1 mg twice daily → diazepam 10 mg
    twice daily in 2 steps, then the morning dose cut by 1 mg a step to zero, then the night
    dose: 22 steps."""
    lorazepam = regimen(("lorazepam", "1", "08:00"), ("lorazepam", "1", "22:00"))
    steps = tuple(CustomStep(Decimal(mg), 14) for mg in range(19, -1, -1))
    plan = build_plan(
        PlanRequest(
            lorazepam,
            "scotland-2024",
            start,
            strategy="custom",
            switch_to="diazepam",
            market="uk",
            custom_steps=steps,
        )
    )
    assert len(plan.steps) == 22
    crossover = plan.steps[:2]
    assert [s.kind for s in crossover] == ["crossover", "crossover"]
    assert crossover[0].doses[1].drug == "diazepam"  # the evening dose goes first
    morning = [d.mg for s in plan.steps[2:11] for d in s.doses if d.time.hour == 8]
    assert morning == [Decimal(n) for n in range(9, 0, -1)]
    night = [d.mg for s in plan.steps[11:21] for d in s.doses if d.time.hour == 22]
    assert night == [Decimal(n) for n in range(10, 0, -1)]
    assert plan.steps[-1].kind == "stop"


def test_ten_percent_steps_from_20_mg_fall_below_half_a_milligram(start):
    """drugs.md §4.3 [C]: 10 %-of-current steps from 20 mg pass 18, 16.2, 14.6 … (about 35
    steps to fall below 0.5 mg); the liquid lets the planner follow within rounding."""
    plan = build_plan(
        PlanRequest(
            regimen(("diazepam", "20", "22:00")),
            "ashton-2002",
            start,
            strategy="hyperbolic",
            percent=Decimal(10),
        )
    )
    totals = [s.diazepam_eq_mg for s in plan.steps]
    assert totals[:2] == [Decimal(18), Decimal("16.2")]
    reductions = [s for s in plan.steps if s.kind == "reduction"]
    assert 30 <= len(reductions) <= 40
    assert plan.steps[-2].diazepam_eq_mg <= Decimal("0.5")


def test_the_deprescribing_scheme_steps_down_by_a_quarter_of_the_start_then_an_eighth(start):
    """Pottie 2018 (deprescribing.org): ~25 % every 2 weeks, 12.5 % near the end."""
    plan = build_plan(
        PlanRequest(
            regimen(("diazepam", "8", "22:00")),
            "ashton-2002",
            start,
            strategy="deprescribing",
            drug_free_nights=2,
        )
    )
    assert [s.diazepam_eq_mg for s in plan.steps] == [6, 4, 2, 1, 0]
    assert {s.days for s in plan.steps[:-1]} == {14}
    assert plan.steps[3].drug_free_nights == 2 and plan.steps[0].drug_free_nights == 0


def test_an_inpatient_plan_hands_over_at_20_mg(start):
    """eTG (guidelines.md §3.3): stabilise 2–7 days, 10 % of the daily dose a day, discharge at
    ≤ 20 mg/day, then a slower community taper."""
    plan = build_plan(
        PlanRequest(
            regimen(("diazepam", "20", "08:00"), ("diazepam", "20", "20:00")),
            "ashton-2002",
            start,
            strategy="inpatient",
        )
    )
    kinds = [s.kind for s in plan.steps]
    assert kinds[0] == "stabilise" and plan.steps[0].days == 3
    daily = plan.steps[1:6]
    assert [s.diazepam_eq_mg for s in daily] == [36, 32, 28, 24, 20]
    assert {s.days for s in daily} == {1}
    assert plan.steps[6].days == 14  # asam after discharge
    assert plan.steps[6].diazepam_eq_mg == 18
