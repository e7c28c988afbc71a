"""Taper advice from a plan and assessments over time (2025 Joint Guideline key takeaways
6b–d, Recs 5c, 9, 11, 12, 14, 26a; patient guide p.10–11, p.20)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.core.assessment.advice import (
    Observation,
    advise,
    default_policy,
    observations_from_dict,
)
from benzodetox.core.assessment.instruments import score
from benzodetox.core.assessment.propose import advise_and_propose, propose
from benzodetox.core.assessment.vitals import VitalSigns
from benzodetox.core.errors import InputError
from benzodetox.core.plan import Plan, PlanRequest
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.tapering import build_plan

START = date(2025, 3, 3)


@cache
def plan() -> Plan:
    """Diazepam 20 mg at night under Ashton, ASAM strategy: reductions every 14 days."""
    regimen = Regimen((Dose(time(22), "diazepam", Decimal(20)),))
    return build_plan(PlanRequest(regimen=regimen, source="ashton-2002", start=START))


def reduction(n: int) -> date:
    """Start of the n-th reduction step (1-based)."""
    return [s for s in plan().steps if s.kind == "reduction"][n - 1].start


def ciwa(total: int, at: datetime, **kw: object) -> Observation:
    answers = [min(4, max(0, total - 4 * i)) for i in range(20)]
    return Observation(at=at, scores=(score("ciwa-b", answers),), **kw)  # type: ignore[arg-type]


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour))


def test_no_symptoms_means_proceed_and_the_plan_is_unchanged():
    """CIWA-B 20 (top of 'mild') 3 days after a reduction → proceed, no adjustment."""
    day = reduction(2) + timedelta(days=3)
    advice, proposed = advise_and_propose(plan(), [ciwa(20, at(day))], day)
    assert advice.action == "proceed" and advice.adjustment.kind == "none"
    assert proposed is plan()


def test_significant_symptoms_within_seven_days_of_a_reduction_mean_hold():
    """CIWA-B 21 ('moderate') on day 3 after a reduction → hold 14 days (policy default)."""
    day = reduction(2) + timedelta(days=3)
    advice, proposed = advise_and_propose(plan(), [ciwa(21, at(day))], day)
    assert advice.action == "hold"
    assert (advice.adjustment.kind, advice.adjustment.days) == ("hold", 14)
    assert proposed.end == plan().end + timedelta(days=14)
    assert any(r.code == "policy" and not r.confirmed for r in advice.reasons)


@pytest.mark.parametrize(("offset", "in_window"), [(6, True), (7, False)])
def test_the_window_after_a_reduction_is_seven_days(offset, in_window):
    """Day 6 after the reduction is inside the window; day 7 is not (then 'other causes')."""
    day = reduction(2) + timedelta(days=offset)
    advice = advise(plan(), [ciwa(30, at(day))], day)
    assert advice.action == "hold"
    assert ("other causes" in advice.reasons[0].text) is (not in_window)


def test_repeated_symptomatic_reductions_mean_slow_then_plateau():
    """Significant symptoms after 2 reductions → slow (halved %); after 3 → plateau."""
    obs = [ciwa(25, at(reduction(n) + timedelta(days=2))) for n in (2, 3, 4)]
    day3 = reduction(3) + timedelta(days=2)
    slow_advice, slowed = advise_and_propose(plan(), obs[:2], day3)
    assert slow_advice.action == "slow" and slow_advice.adjustment.kind == "slow"
    assert slow_advice.adjustment.percent == Decimal(5)  # half of the 10 % the strategy aims for
    assert slowed.end > plan().end
    day4 = reduction(4) + timedelta(days=2)
    plateau_advice, kept = advise_and_propose(plan(), obs, day4)
    assert plateau_advice.action == "plateau"
    assert kept.steps[-1].kind == "plateau"


def test_severe_symptoms_after_a_reduction_mean_step_back_to_the_previous_dose():
    """CIWA-B 41 ('severe') after reduction 3 → step back to reduction 2's dose (rare)."""
    day = reduction(3) + timedelta(days=1)
    advice, back = advise_and_propose(plan(), [ciwa(41, at(day))], day)
    assert advice.action == "step-back"
    step = back.step_on(day)
    assert step is not None and step.diazepam_eq_mg == plan().step_on(reduction(2)).diazepam_eq_mg


def test_severe_symptoms_on_the_first_step_hold_because_there_is_no_earlier_dose():
    """Nothing to step back to on the first step: hold instead."""
    day = START + timedelta(days=2)
    assert advise(plan(), [ciwa(50, at(day))], day).action == "hold"


@pytest.mark.parametrize("event", ["seizure", "delirium", "hallucinations"])
def test_an_emergency_escalates_restores_cover_and_says_avoid_flumazenil(event):
    """Seizure, delirium, psychosis → escalate (Rec 5c, 12), restore cover, Rec 14."""
    day = reduction(3) + timedelta(days=2)
    advice = advise(plan(), [Observation(at=at(day), events=(event,))], day)
    assert advice.action == "escalate" and advice.adjustment.kind == "step_back"
    assert advice.escalation is not None
    recs = " ".join(a.rec for a in advice.escalation.actions)
    assert "Rec 12" in recs and "Rec 14" in recs
    codes = [a.code for a in advice.escalation.actions]
    assert "restore-cover" in codes
    assert ("status-epilepticus" in codes) is (event == "seizure")


def test_a_phq_9_self_harm_answer_escalates_with_a_hold():
    """PHQ-9 item 9 > 0 → suicidality → escalate (Rec 5a) and hold, no step back."""
    day = reduction(2) + timedelta(days=10)
    obs = Observation(at=at(day), scores=(score("phq-9", [0] * 8 + [1]),))
    advice = advise(plan(), [obs], day)
    assert advice.action == "escalate" and advice.adjustment.kind == "hold"


def test_sleep_disturbance_in_bipolar_disorder_pauses_the_taper():
    """Rec 26a: pause until it resolves; without a mood or psychotic disorder, proceed."""
    day = reduction(2) + timedelta(days=9)
    obs = [Observation(at=at(day), sleep_disturbance=True)]
    assert advise(plan(), obs, day, conditions={"bipolar"}).action == "pause"
    assert advise(plan(), obs, day).action == "proceed"


def test_the_clinicians_judgement_overrides_the_ciwa_b_threshold():
    """A high CIWA-B marked 'not significant' proceeds; a low one marked significant holds."""
    day = reduction(2) + timedelta(days=2)
    assert advise(plan(), [ciwa(35, at(day), significant=False)], day).action == "proceed"
    assert advise(plan(), [ciwa(5, at(day), significant=True)], day).action == "hold"


def test_assessments_after_the_day_asked_about_are_ignored():
    """Only what was known on ``on`` counts."""
    day = reduction(2) + timedelta(days=2)
    later = ciwa(60, at(day + timedelta(days=1)))
    assert advise(plan(), [later], day).action == "proceed"


def test_vital_signs_beyond_thresholds_are_reported_with_the_advice():
    """Pulse 111 > 110 (pregnancy set) is a finding in the advice reasons."""
    day = reduction(2) + timedelta(days=2)
    obs = Observation(at=at(day), vitals=VitalSigns(pulse=Decimal(111)))
    advice = advise(plan(), [obs], day)
    assert [f.sign for f in advice.findings] == ["pulse"]
    assert any(r.code == "vitals.pulse" for r in advice.reasons)


def test_observations_are_read_from_plain_data_and_bad_fields_are_named():
    """The assessments file format; errors name e.g. assessments[0].scores.ciwa-b.item 3."""
    data = {
        "conditions": ["bipolar"],
        "assessments": [
            {"at": "2025-03-20T09:00", "scores": {"ciwa-b": [1] * 20}, "events": []},
            {"at": "2025-03-21T09:00", "sleep_disturbance": True, "vitals": {"pulse": 90}},
        ],
    }
    obs, conditions = observations_from_dict(data)
    assert len(obs) == 2 and conditions == {"bipolar"}
    bad = {"assessments": [{"at": "2025-03-20T09:00", "scores": {"ciwa-b": [1, 1, 9] + [0] * 17}}]}
    with pytest.raises(InputError) as error:
        observations_from_dict(bad)
    assert error.value.field == "assessments[0].scores.ciwa-b.item 3"
    with pytest.raises(InputError) as error:
        observations_from_dict([{"at": "yesterday"}])
    assert error.value.field == "assessments[0].at"
    with pytest.raises(InputError) as error:
        observations_from_dict([{"at": "2025-03-20T09:00", "events": ["fainting"]}])
    assert error.value.field == "assessments[0].events[0]"


def test_a_policy_with_impossible_numbers_is_refused():
    """plateau_after below slow_after makes no sense."""
    from dataclasses import replace

    with pytest.raises(InputError):
        replace(default_policy(), plateau_after=1)


def _invariants(p: Plan) -> None:
    for before, after in zip(p.steps, p.steps[1:], strict=False):
        assert after.start == before.end + timedelta(days=1)
    for step in p.steps:
        for dose in step.doses:
            assert dose.mg <= dose.target_mg
            if dose.takes:
                assert sum(t.mg for t in dose.takes) == dose.mg


_observation = st.builds(
    lambda offset, hour, total, sleep, event: ciwa(
        total,
        at(START + timedelta(days=offset), hour),
        sleep_disturbance=sleep,
        events=(event,) if event else (),
    ),
    st.integers(0, 120),
    st.integers(0, 23),
    st.integers(0, 80),
    st.booleans(),
    st.sampled_from([None, None, None, None, "seizure", "suicidality"]),
)


@settings(max_examples=40, deadline=None)
@given(
    obs=st.lists(_observation, max_size=6),
    offset=st.integers(0, 150),
    conditions=st.frozensets(st.sampled_from(["bipolar", "ptsd"])),
)
def test_advice_is_deterministic_order_free_and_the_proposed_plan_keeps_the_invariants(
    obs, offset, conditions
):
    """Same inputs (in any order) → same advice; the proposed plan keeps the core invariants
    and the original plan is not changed."""
    day = START + timedelta(days=offset)
    original = plan()
    first = advise(original, obs, day, conditions)
    assert advise(original, list(reversed(obs)), day, conditions) == first
    assert first.action in ("proceed", "hold", "slow", "step-back", "pause", "escalate", "plateau")
    proposed = propose(original, first.adjustment)
    _invariants(proposed)
    assert original == plan()
