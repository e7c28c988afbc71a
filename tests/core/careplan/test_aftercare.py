"""Aftercare runs at least 90 days after the last dose, from sourced programme policy."""

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benzodetox.core.careplan.aftercare import (
    AftercareItem,
    add_item,
    aftercare_plan,
    default_policy,
    extend,
    mark_done,
    move_item,
    remove_item,
)
from benzodetox.core.errors import InputError

from .example_plans import diazepam_plan

LAST = date(2025, 4, 27)


def test_aftercare_starts_the_day_after_the_plans_last_dose():
    """The hand-built plan's last dose is 27 April; aftercare starts on 28 April."""
    care = aftercare_plan(diazepam_plan())
    assert care.last_dose == LAST
    assert care.start == LAST + timedelta(days=1)
    assert care.items[0].on > LAST


def test_the_default_policy_lasts_at_least_ninety_days_and_names_nida():
    """NIDA 2018: under 90 days is of limited effectiveness."""
    policy = default_policy()
    assert policy.minimum_days.value == 90
    assert policy.minimum_days.source == "nida-2018"
    assert policy.days.value >= 90


@given(st.integers(min_value=90, max_value=730), st.dates(min_value=date(2020, 1, 1),
                                                          max_value=date(2030, 1, 1)))
def test_aftercare_always_ends_with_a_review_at_least_ninety_days_after_the_last_dose(days, last):
    """Whatever the programme's length (>= 90), the last item is a review on the last day."""
    care = aftercare_plan(last, default_policy().with_changes(days=days))
    assert care.end - last >= timedelta(days=90)
    assert care.items[-1].kind == "review"
    assert care.items[-1].on == care.end
    assert [i.on for i in care.items] == sorted(i.on for i in care.items)


def test_a_policy_below_ninety_days_is_refused():
    """A programme cannot shorten aftercare below the NIDA minimum."""
    with pytest.raises(InputError) as err:
        default_policy().with_changes(days=60)
    assert "90" in err.value.allowed


def test_reviews_check_protracted_withdrawal_mood_and_anxiety():
    """Every review carries the BWSQ, PHQ-9 and GAD-7."""
    care = aftercare_plan(LAST)
    reviews = [i for i in care.items if i.kind == "review"]
    assert reviews
    for review in reviews:
        assert any(name.startswith("BWSQ") for name in review.instruments)
        assert {"PHQ-9", "GAD-7"} <= set(review.instruments)


def test_unconfirmed_policy_figures_are_marked_unconfirmed():
    """The contact intervals are programme practice [R] and say so."""
    phases = default_policy().contact_phases
    assert phases and all(not p.every.confirmed for p in phases)


def test_the_first_ninety_days_have_contacts_every_two_weeks_by_default():
    """The default contact phase (programme practice [R]) gives fortnightly contacts."""
    care = aftercare_plan(LAST)
    early = [i.on for i in care.items if i.on <= LAST + timedelta(days=90)]
    gaps = {(b - a).days for a, b in itertools.pairwise(early)}
    assert max(gaps) <= 14


def test_a_programme_can_override_contacts_reviews_and_instruments():
    """Overrides are sourced to the programme and regenerate the items."""
    policy = default_policy().with_changes(
        days=120, review_every_days=30, contact_phases=((1, 120, 7),), instruments=("bwsq",),
        reason="Northside programme policy 2025",
    )
    care = aftercare_plan(LAST, policy)
    assert care.days == 120
    assert policy.review_every.source == "Northside programme policy 2025"
    assert all(i.instruments in ((), (policy.instruments[0].name,)) for i in care.items)


def test_sud_adds_a_continuing_care_referral_first():
    """Rec 22: after the taper, continue treating the SUD or refer."""
    care = aftercare_plan(LAST, sud=True)
    assert care.items[0].kind == "referral"


def test_edits_return_new_plans_and_keep_the_original():
    """Adding, moving, marking and removing items are pure functions."""
    care = aftercare_plan(LAST)
    extra = AftercareItem(on=LAST + timedelta(days=3), kind="contact", title="Phone call")
    added = add_item(care, extra)
    assert len(added.items) == len(care.items) + 1 and added.items[1] == extra
    moved = move_item(added, 1, LAST + timedelta(days=5))
    assert moved.items[1].on == LAST + timedelta(days=5)
    done = mark_done(moved, 1, True, note="spoke to patient")
    assert done.items[1].done is True and care.items[1].done is None
    removed = remove_item(done, 1)
    assert len(removed.items) == len(care.items)


def test_the_final_review_cannot_be_removed_and_items_cannot_precede_the_last_dose():
    """Aftercare keeps its closing review and stays after the last dose."""
    care = aftercare_plan(LAST)
    with pytest.raises(InputError):
        remove_item(care, len(care.items) - 1)
    with pytest.raises(InputError):
        move_item(care, 0, LAST)


def test_extending_keeps_recorded_items_and_adds_new_ones():
    """Lengthening aftercare keeps what was recorded and covers the new days."""
    care = mark_done(aftercare_plan(LAST), 0, True)
    longer = extend(care, 400)
    assert longer.end == LAST + timedelta(days=400)
    assert longer.items[0].done is True
    assert longer.items[-1].on == longer.end
    assert [i.title for i in longer.items].count("End-of-aftercare review") == 1
