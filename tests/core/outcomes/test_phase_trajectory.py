"""CIWA-B trajectories by phase: each patient's highest score per week since they first entered
the phase, and the cohort's quartiles per phase and week with small cells hidden."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.core.outcomes import (
    default_definitions,
    episode_outcome,
    outcome_from_dict,
    outcome_to_dict,
    phase_on,
    phase_starts,
    phase_trajectories,
)

from .histories import day, history, plan

DEFS = default_definitions()

#: crossover days 0–13, stabilise 14–20, tapering 21–100, after the last dose from day 101
THREE_PHASES = plan(
    last=100, steps=((0, 13, "crossover"), (14, 20, "stabilise"), (21, 100, "reduction"))
)


def test_each_phase_counts_its_weeks_from_its_own_first_day():
    scores = ((3, 5), (10, 8), (12, 6), (15, 7), (22, 9), (36, 4), (101, 3), (115, 2))
    o = episode_outcome(history(THREE_PHASES, scores=scores), day(200))
    assert o.ciwa_by_phase == (
        ("crossover", (5, 8)),  # days 3 and 10–12 (the higher of 8 and 6)
        ("stabilise", (7,)),
        ("tapering", (9, -1, 4)),  # day 22 is week 0 of tapering (from day 21), day 36 week 2
        ("aftercare", (3, -1, 2)),  # from day 101, the day after the last dose
    )
    # the weekly trajectory from the start is unchanged
    assert o.ciwa_by_week[:6] == (5, 8, 7, 9, -1, 4)


def test_a_hold_in_the_middle_has_its_own_weeks_and_tapering_keeps_counting():
    taper = plan(last=100, steps=((0, 27, "reduction"), (28, 41, "hold"), (42, 100, "reduction")))
    scores = ((5, 6), (30, 10), (40, 11), (45, 5))
    o = episode_outcome(history(taper, scores=scores), day(60))
    assert dict(o.ciwa_by_phase) == {"tapering": (6, -1, -1, -1, -1, -1, 5), "hold": (10, 11)}


def test_a_hold_approved_as_a_new_plan_version_starts_on_its_approval():
    first = plan(last=100)
    hold = plan(number=2, approved=30, start=30, last=None, adjustment="hold")
    o = episode_outcome(history(first, hold, scores=((2, 4), (31, 9), (45, 12))), day(50))
    assert dict(o.ciwa_by_phase) == {"tapering": (4,), "hold": (9, -1, 12)}


def test_scores_before_the_plan_are_not_in_any_phase_trajectory():
    o = episode_outcome(history(plan(start=10, approved=10), scores=((5, 7),)), day(20))
    assert o.ciwa_by_phase == ()


def test_the_cohort_gives_quartiles_per_phase_and_hides_weeks_under_the_threshold():
    """Five patients score 2, 4, 6, 8, 10 in their first tapering week; only two score in
    aftercare: tapering week 0 has median 6, aftercare week 0 is hidden (2 < 5)."""
    cohort = []
    for i in range(5):
        scores = [(22, 2 * (i + 1))] + ([(102, 3)] if i < 2 else [])
        cohort.append(
            episode_outcome(history(THREE_PHASES, scores=tuple(scores), episode=f"P{i}"), day(200))
        )
    by_phase = {p: dict(weeks) for p, weeks in phase_trajectories(cohort, 5, 52)}
    tapering = by_phase["tapering"][0]
    assert (tapering.n, tapering.q1, tapering.median, tapering.q3) == (
        5,
        Decimal(4),
        Decimal(6),
        Decimal(8),
    )
    after = by_phase["aftercare"][0]
    assert after.n is None and after.median is None and after.q1 is None
    assert list(by_phase) == ["tapering", "aftercare"]


def test_phase_trajectories_round_trip_through_the_kept_form():
    o = episode_outcome(history(THREE_PHASES, scores=((3, 5), (22, 9), (101, 3))), day(200))
    assert outcome_from_dict(outcome_to_dict(o)) == o


# --- properties

steps = st.tuples(st.integers(1, 30), st.integers(0, 20), st.integers(1, 30))
scores = st.lists(st.tuples(st.integers(0, 120), st.integers(0, 80)), max_size=8)


def _history(shape: tuple[int, int, int], marks: list[tuple[int, int]], i: int):
    taper, hold, rest = shape
    parts = [(0, taper - 1, "reduction")]
    if hold:
        parts.append((taper, taper + hold - 1, "hold"))
    last = taper + hold + rest - 1
    parts.append((taper + hold, last, "reduction"))
    return history(plan(last=last, steps=tuple(parts)), scores=tuple(marks), episode=f"H{i}")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(steps, scores), max_size=25), st.integers(1, 8))
def test_no_shown_cell_under_the_threshold_and_quartiles_ordered(members, threshold):
    cohort = [episode_outcome(_history(s, m, i), day(130)) for i, (s, m) in enumerate(members)]
    for phase, weeks in phase_trajectories(cohort, threshold, DEFS.trajectory_weeks):
        for week, q in weeks:
            scored = sum(
                1
                for o in cohort
                for p, row in o.ciwa_by_phase
                if p == phase and week < len(row) and row[week] >= 0
            )
            assert scored > 0
            if scored < threshold:
                assert q.n is None and q.median is None and q.q1 is None and q.q3 is None
            else:
                assert q.n == scored
                assert q.q1 is not None and q.median is not None and q.q3 is not None
                assert q.q1 <= q.median <= q.q3


@settings(max_examples=60, deadline=None)
@given(steps, st.integers(0, 130))
def test_phase_starts_are_the_first_day_of_each_phase(shape, until):
    """Read day by day, each phase first appears on the day phase_starts gives."""
    plans = _history(shape, [], 0).ordered_plans
    expected: dict[str, object] = {}
    for n in range(until + 1):
        expected.setdefault(phase_on(plans, day(n)), day(n))
    starts = phase_starts(plans, day(until))
    assert starts == expected
    assert all(day(0) <= d <= day(until) for d in starts.values())
