"""Outcomes kept by an adapter and read back later, and the de-identified CSV row."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.core.outcomes import (
    CSV_COLUMNS,
    changes_after,
    csv_row,
    episode_outcome,
    outcome_from_dict,
    outcome_to_dict,
)

from .histories import day, history, plan

histories = st.builds(
    lambda last, hold, scores, contacts, restart, phase: history(
        plan(last=last),
        *(
            ()
            if hold is None or last is None
            else (plan(2, approved=max(0, last - 5), last=last + hold, adjustment="hold"),)
        ),
        *(
            ()
            if restart is None or last is None
            else (
                plan(
                    3,
                    approved=last + hold_or0(hold) + restart,
                    start=last + hold_or0(hold) + restart + 1,
                    last=None,
                ),
            )
        ),
        scores=tuple(scores),
        contacts=tuple(contacts),
        phases=(() if phase is None else ((phase, "discontinued"),)),
        settings=((0, "inpatient"), (10, "outpatient")),
        emergencies=((5, "seizure"),),
    ),
    st.one_of(st.none(), st.integers(10, 200)),
    st.one_of(st.none(), st.integers(1, 30)),
    st.lists(st.tuples(st.integers(0, 400), st.integers(0, 80)), max_size=5),
    st.lists(st.tuples(st.integers(0, 500), st.sampled_from((True, False, None))), max_size=6),
    st.one_of(st.none(), st.integers(1, 100)),
    st.one_of(st.none(), st.integers(1, 300)),
)


def hold_or0(hold: int | None) -> int:
    return hold or 0


@settings(max_examples=80, deadline=None)
@given(histories, st.integers(0, 500))
def test_an_outcome_holds_until_changes_after_says_it_may_change(h, now):
    """Read on any day before changes_after (and on that day's eve), the outcome equals the
    one computed on ``now`` moved to that day: an adapter may keep it until then."""
    as_of = day(now)
    kept = episode_outcome(h, as_of)
    until = changes_after(h, as_of)
    last = (until - timedelta(days=1)) if until is not None else as_of + timedelta(days=400)
    for probe in {as_of + timedelta(days=1), last, as_of + (last - as_of) / 2}:
        if as_of < probe and (until is None or probe < until):
            assert episode_outcome(h, probe) == kept.on(probe)


@settings(max_examples=60, deadline=None)
@given(histories, st.integers(0, 500))
def test_an_outcome_reads_back_unchanged(h, now):
    """outcome_from_dict(outcome_to_dict(o)) == o."""
    o = episode_outcome(h, day(now))
    assert outcome_from_dict(outcome_to_dict(o)) == o


def test_the_csv_row_has_no_dates_and_counts_days_from_the_start():
    """The row gives the start month and days since the start, never a date."""
    o = episode_outcome(history(plan(last=100), contacts=((120, True),)), day(200))
    row = dict(zip(CSV_COLUMNS, csv_row(o), strict=True))
    assert row["start_month"] == "2026-01" and row["last_dose_day"] == "100"
    assert row["retained_30"] == "yes" and row["retained_60"] == "no"
    assert not any("2026-" in v and k != "start_month" for k, v in row.items())
