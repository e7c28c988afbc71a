"""Cohort figures: Kaplan–Meier, quartiles, funnel, retention and small-cell suppression, with
known answers and hypothesis properties."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.core.outcomes import (
    CohortFilter,
    default_definitions,
    episode_outcome,
    funnel,
    kaplan_meier,
    quartiles,
    retention,
    select,
    status_counts,
    suppress_partition,
    trajectory,
)

from .histories import day, history, plan

DEFS = default_definitions()
K = DEFS.small_cell_threshold


def _stopped(n: int, last: int, episode: str = "E") -> list:
    contacts = tuple((last + d, True) for d in range(14, 101, 14))
    return [
        episode_outcome(
            history(plan(last=last), contacts=contacts, episode=f"{episode}{i}"), day(last + 100)
        )
        for i in range(n)
    ]


def test_kaplan_meier_halves_when_half_the_cohort_reaches_zero():
    """Ten episodes: five reach zero on day 50, five are still tapering on day 80 (censored):
    the curve is 1 at day 0 and 0.5 from day 50."""
    stopped = [episode_outcome(history(plan(last=50), episode=f"A{i}"), day(80)) for i in range(5)]
    going = [
        episode_outcome(history(plan(last=200), scores=((70, 2),), episode=f"B{i}"), day(80))
        for i in range(5)
    ]
    points = kaplan_meier(stopped + going, threshold=5)
    assert [(p.day, p.still_tapering, p.at_risk) for p in points] == [
        (0, Decimal(1), 10),
        (50, Decimal("0.5"), 10),
    ]


def test_kaplan_meier_stops_where_fewer_than_the_threshold_remain_at_risk():
    """Six episodes ending on days 10..60: after two events only four remain, so the curve
    stops (threshold 5)."""
    cohort = [
        episode_outcome(history(plan(last=10 * (i + 1)), episode=f"C{i}"), day(300))
        for i in range(6)
    ]
    points = kaplan_meier(cohort, threshold=5)
    assert [p.day for p in points] == [0, 10, 20]
    assert all(p.at_risk >= 5 for p in points)


def test_quartiles_interpolate_and_hide_small_groups():
    """1..9: quartiles 3, 5, 7; four values under a threshold of 5 are hidden with their count."""
    q = quartiles(range(1, 10), 5)
    assert (q.n, q.q1, q.median, q.q3) == (9, Decimal(3), Decimal(5), Decimal(7))
    hidden = quartiles([1, 2, 3, 4], 5)
    assert (hidden.n, hidden.median) == (None, None)


def test_the_funnel_counts_each_stage_and_where_episodes_stopped():
    """Eleven started, six reached zero and stayed off through day 100 with contacts kept; with
    four still tapering instead of five, the 4 and (to protect it) the 6 are hidden."""
    going = [
        episode_outcome(history(plan(last=300), scores=((190, 2),), episode=f"G{i}"), day(200))
        for i in range(5)
    ]
    stages = funnel(_stopped(6, 100) + going, K, DEFS.retention_days)
    assert [s.count for s in stages] == [11, 6, 6, 6, 6]
    assert [s.stopped_here for s in stages] == [5, 0, 0, 0, 6]
    fewer = funnel(_stopped(6, 100) + going[:4], K, DEFS.retention_days)
    assert [s.count for s in fewer] == [10, None, None, None, None]
    assert [s.label for s in stages][:2] == ["Started", "Reached zero"]


def test_retention_counts_eligible_and_retained_episodes():
    """Six stopped episodes with kept contacts: 100 % retained at 30, 60 and 90 days."""
    rows = retention(_stopped(6, 100), K, DEFS.retention_days)
    assert [(r.day, r.eligible, r.retained, r.percent) for r in rows] == [
        (30, 6, 6, Decimal(100)),
        (60, 6, 6, Decimal(100)),
        (90, 6, 6, Decimal(100)),
    ]


def test_status_counts_hide_small_cells_and_one_more_so_none_can_be_worked_out():
    """Six completed and one ongoing: the ongoing one is hidden, and so is the completed count
    (else 7 − 6 would give it away)."""
    going = [episode_outcome(history(plan(last=300), scores=((190, 2),)), day(200))]
    rows = {s: c for s, _w, c in status_counts(_stopped(6, 100) + going, K)}
    assert rows["ongoing"] is None and rows["completed"] is None and rows["lost"] == 0


def test_trajectory_gives_weekly_quartiles_of_the_highest_score():
    """Five episodes scoring 2, 4, 6, 8, 10 in week 1: median 6."""
    cohort = [
        episode_outcome(history(scores=((8, 2 * (i + 1)),), episode=f"T{i}"), day(20))
        for i in range(5)
    ]
    weeks = dict(trajectory(cohort, 5, DEFS.trajectory_weeks))
    assert weeks[1].median == Decimal(6) and weeks[1].n == 5


def test_select_filters_by_setting_strategy_and_start():
    """The filter keeps only episodes matching every field given."""
    a = episode_outcome(history(plan(strategy="ashton"), settings=((0, "inpatient"),)), day(10))
    b = episode_outcome(history(plan(strategy="asam", start=5, approved=5)), day(10))
    assert select([a, b], CohortFilter(setting="inpatient")) == [a]
    assert select([a, b], CohortFilter(strategy="asam")) == [b]
    assert select([a, b], CohortFilter(start_from=day(3))) == [b]
    assert select([a, b], CohortFilter()) == [a, b]


# --- properties


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=8), st.integers(1, 12))
def test_suppression_never_reveals_a_cell_below_the_threshold(counts, k):
    """Hidden cells are never alone and hold 0 or at least k patients together, so neither
    subtraction from the total nor the shown cells give one away; small cells are hidden."""
    shown = suppress_partition(counts, k)
    hidden = [c for c, s in zip(counts, shown, strict=True) if s is None]
    assert all(s is None for c, s in zip(counts, shown, strict=True) if 0 < c < k)
    assert all(s == c for c, s in zip(counts, shown, strict=True) if s is not None)
    if hidden:
        every_patient_hidden = len(hidden) == sum(1 for c in counts if c > 0)
        assert (len(hidden) >= 2 and sum(hidden) >= k) or every_patient_hidden


cohort_members = st.builds(
    lambda last, now, scores: (last, now, scores),
    st.one_of(st.none(), st.integers(1, 300)),
    st.integers(0, 400),
    st.lists(st.tuples(st.integers(0, 400), st.integers(0, 80)), max_size=4),
)


def _episodes(members):
    out = []
    for i, (last, now, scores) in enumerate(members):
        h = history(plan(last=last), scores=tuple(scores), episode=f"P{i}")
        out.append(episode_outcome(h, day(now)))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(cohort_members, min_size=0, max_size=30), st.integers(1, 8))
def test_the_still_tapering_curve_is_non_increasing_within_zero_and_one(members, k):
    """The Kaplan–Meier estimate starts at 1, never rises and stays in [0, 1]; each point has at
    least k at risk."""
    points = kaplan_meier(_episodes(members), k)
    values = [p.still_tapering for p in points]
    assert all(Decimal(0) <= v <= Decimal(1) for v in values)
    assert all(a >= b for a, b in itertools.pairwise(values))
    assert not points or points[0].still_tapering == 1
    assert all(p.at_risk >= k for p in points)


@settings(max_examples=60, deadline=None)
@given(st.lists(cohort_members, min_size=0, max_size=30), st.integers(1, 8))
def test_totals_are_consistent_and_shown_figures_never_small(members, k):
    """Status counts, shown or hidden, add up to the cohort; the funnel never rises; every
    shown count is 0 or at least k, and the funnel's shown stages differ by 0 or at least k."""
    episodes = _episodes(members)
    rows = status_counts(episodes, k)
    assert sum(1 for o in episodes if o.status in {s for s, _w, _c in rows}) == len(episodes)
    shown = [c for _s, _w, c in rows if c is not None]
    assert all(c == 0 or c >= k for c in shown)
    stages = funnel(episodes, k, DEFS.retention_days)
    counts = [s.count for s in stages if s.count is not None]
    assert all(a >= b for a, b in itertools.pairwise(counts))
    assert all(a - b == 0 or a - b >= k for a, b in itertools.pairwise(counts))
    for r in retention(episodes, k, DEFS.retention_days):
        for value in (r.eligible, r.retained):
            assert value is None or value == 0 or value >= k
        if r.eligible is not None and r.retained is not None:
            assert r.eligible - r.retained == 0 or r.eligible - r.retained >= k
