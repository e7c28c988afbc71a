"""Worked examples from the reference material, each citing its source."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from benzodetox.core.errors import PlanError
from benzodetox.core.plan import CustomStep, PlanRequest
from benzodetox.core.tapering import build_plan

from .conftest import regimen


def test_the_nice_cks_schedule_from_40_mg_diazepam_takes_30_to_60_weeks(start):
    """NICE CKS (Ashton-derived, guidelines.md §1.3): −2 to 4 mg to 20, −1 to 2 mg to 10, −1 mg
    to 5, −0.5 to 1 mg to zero, every 1–2 weeks; 40 mg takes an estimated 30–60 weeks. The
    planner aims for each band's smaller cut in whole tablets and ends as the Ashton Manual does
    (… 3 → 2 → 1 mg → stop), listing the steps beyond the ASAM ceiling."""
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
    assert 20 in totals and 10 in totals and 5 in totals
    between = [c for c, t in zip(cuts, totals, strict=False) if 5 <= t < 20]
    assert set(between) == {Decimal(1)}
    assert totals[-4:] == [3, 2, 1, 0]
    assert all(d.takes[0].ml is None for s in plan.steps for d in s.doses)  # tablets only
    weeks = (plan.steps[-1].start - plan.start).days / 7
    assert 30 <= weeks <= 60
    assert plan.steps[-1].kind == "stop"
    assert any("beyond the ASAM 2025 ceiling" in w for w in plan.warnings)


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
    dose: 22 steps. Its last steps (3 → 2 → 1 → 0 mg) remove more than 25 % within 2 weeks, so
    as clinician steps they need a recorded reason, and each says so."""
    lorazepam = regimen(("lorazepam", "1", "08:00"), ("lorazepam", "1", "22:00"))
    steps = tuple(CustomStep(Decimal(mg), 14) for mg in range(19, -1, -1))
    request = PlanRequest(
        lorazepam,
        "scotland-2024",
        start,
        strategy="custom",
        switch_to="diazepam",
        market="uk",
        custom_steps=steps,
    )
    with pytest.raises(PlanError) as refused:
        build_plan(request)
    assert refused.value.field == "step 18 mg" and "override" in str(refused.value)
    plan = build_plan(replace(request, override_reason="the Scottish worked example"))
    assert len(plan.steps) == 22
    crossover = plan.steps[:2]
    assert [s.kind for s in crossover] == ["crossover", "crossover"]
    assert crossover[0].doses[1].drug == "diazepam"  # the evening dose goes first
    morning = [d.mg for s in plan.steps[2:11] for d in s.doses if d.time.hour == 8]
    assert morning == [Decimal(n) for n in range(9, 0, -1)]
    night = [d.mg for s in plan.steps[11:21] for d in s.doses if d.time.hour == 22]
    assert night == [Decimal(n) for n in range(10, 0, -1)]
    assert plan.steps[-1].kind == "stop"
    # 3 → 2 → 1 mg are beyond the ceiling; 1 → 0 is the final stop
    assert [s.index for s in plan.steps if s.warnings] == [20, 21]


def test_ten_percent_steps_from_20_mg_fall_below_half_a_milligram(start):
    """drugs.md §4.3 [C]: 10 %-of-current steps from 20 mg pass 18, 16.2, 14.6 … (about 35
    steps to fall below 0.5 mg). Each step cuts 5–10 % of the current dose in whole mg of
    tablets while it can (18, 17, 16 …), the liquid only for the last few mg."""
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
    assert totals[:3] == [Decimal(18), Decimal(17), Decimal(16)]
    reductions = [s for s in plan.steps if s.kind == "reduction"]
    assert 30 <= len(reductions) <= 50
    for step in reductions:
        if not 5 <= step.reduction_percent <= 10:  # the liquid's 0.1 mL is 11–17 % below 1 mg
            assert step.diazepam_eq_mg < 1 and any("nearest larger" in n for n in step.notes)
    assert plan.steps[-2].diazepam_eq_mg <= Decimal("0.5")
    liquid = [s for s in reductions if any(t.ml is not None for d in s.doses for t in d.takes)]
    assert liquid and min(s.index for s in liquid) > 15
    assert all(s.diazepam_eq_mg < 5 for s in liquid)


def test_the_deprescribing_scheme_cuts_a_quarter_then_an_eighth_of_the_current_dose(start):
    """Pottie 2018 (deprescribing.org): ~25 % every 2 weeks, 12.5 % near the end (from a
    quarter of the starting dose), planned drug-free nights in the last steps; never a cut of
    more than half before the stop, no pseudo-step below 1 mg."""
    plan = build_plan(
        PlanRequest(
            regimen(("diazepam", "8", "22:00")),
            "ashton-2002",
            start,
            strategy="deprescribing",
            drug_free_nights=2,
        )
    )
    totals = [s.diazepam_eq_mg for s in plan.steps]
    assert totals[0] == 6  # −25 %
    steps = [s for s in plan.steps if s.kind == "reduction"]
    early = [s for s in steps if s.diazepam_eq_mg >= 2]
    late = [s for s in steps if s.diazepam_eq_mg < 2]
    shown = Decimal("0.05")  # reduction_percent is shown to 0.1 %
    assert all(Decimal("12.5") - shown <= s.reduction_percent <= 25 for s in early)
    assert all(Decimal("6.25") - shown <= s.reduction_percent <= Decimal("12.5") for s in late)
    assert all(s.drug_free_nights == 2 for s in late) and early[0].drug_free_nights == 0
    assert {s.days for s in steps} == {14}
    assert plan.steps[-2].diazepam_eq_mg <= 1 and plan.steps[-1].kind == "stop"
    assert all(t == 0 or t >= 1 for t in totals)


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
    assert plan.steps[6].diazepam_eq_mg == 18  # −10 %, whole tablets
