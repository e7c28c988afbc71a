"""The patient-view card rules (core.cds.patient): a taper step due, a rising CIWA-B, an overdue
assessment and an aftercare gap; no card when nothing applies. The day and count settings are
unconfirmed programme settings (cds.toml [settings], source benzodetox-cds-settings)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.core.assessment.instruments import score
from benzodetox.core.assessment.schedule import due_outpatient
from benzodetox.core.careplan.aftercare import aftercare_plan, mark_done
from benzodetox.core.cds import CiwaReading, PatientFacts, TaperState, patient_cards
from benzodetox.core.cds.patient import (
    aftercare_gap_card,
    ciwa_trend_card,
    rising_count,
    step_due_card,
    step_due_days,
)
from benzodetox.core.errors import InputError
from benzodetox.core.plan import ScheduledDose, Step

START = date(2026, 3, 1)


def _step(i: int, start: date, days: int, mg: str, kind: str = "reduction") -> Step:
    dose = ScheduledDose(time(8), "diazepam", Decimal(mg), Decimal(mg))
    end = start + timedelta(days=days - 1)
    return Step(i, start, end, kind, (dose,) if Decimal(mg) else (), Decimal(mg), Decimal(0))


def taper() -> TaperState:
    """20 mg for 14 days, 18 mg for 14 days, stop on day 29 (2026-03-29)."""
    return TaperState(2, (
        _step(1, START, 14, "20"),
        _step(2, START + timedelta(days=14), 14, "18"),
        _step(3, START + timedelta(days=28), 1, "0", "stop"),
    ))


def ciwa(total: int, day: int) -> CiwaReading:
    """A CIWA-B reading with ``total`` (answers 0–4 on the 20 items, the observer ones last)."""
    answers = [min(4, max(0, total - 4 * i)) for i in range(20)]
    scored = score("ciwa-b", answers)
    assert scored.total == total
    return CiwaReading(datetime(2026, 3, day, 10, 0), scored)


def test_nothing_applies_gives_no_card():
    assert patient_cards(PatientFacts(date(2026, 3, 5), taper())) == ()
    assert patient_cards(PatientFacts(date(2026, 3, 5))) == ()


def test_a_step_starting_today_is_due_today():
    (card,) = patient_cards(PatientFacts(date(2026, 3, 15), taper()))
    assert card.kind == "step-due" and card.indicator == "info"
    assert card.summary == "Taper step today: 18 mg diazepam-eq/day (reduction)"
    assert "from 20 mg to 18 mg" in card.detail and "Rec 9" in card.source.label


@settings(max_examples=40, deadline=None)
@given(before=st.integers(min_value=0, max_value=13))
def test_the_step_due_card_shows_exactly_within_the_setting(before):
    today = date(2026, 3, 15) - timedelta(days=before)
    card = step_due_card(taper(), today)
    assert (card is not None) == (before <= step_due_days())
    if card is not None and before:
        assert "due 2026-03-15" in card.summary


@settings(max_examples=60, deadline=None)
@given(totals=st.lists(st.integers(min_value=0, max_value=80), min_size=0, max_size=6))
def test_the_trend_card_shows_exactly_when_the_last_totals_each_rise(totals):
    readings = [ciwa(t, i + 1) for i, t in enumerate(totals)]
    card = ciwa_trend_card(readings)
    last = totals[-rising_count():]
    rising = len(last) == rising_count() and all(a < b for a, b in itertools.pairwise(last))
    assert (card is not None) == rising
    if card is not None:
        assert card.indicator in ("warning", "critical")
        assert " → ".join(str(t) for t in last) in card.summary


def test_a_rising_trend_into_the_very_severe_band_is_critical():
    card = ciwa_trend_card([ciwa(30, 1), ciwa(45, 2), ciwa(62, 3)])
    assert card is not None and card.indicator == "critical"
    low = ciwa_trend_card([ciwa(3, 1), ciwa(5, 2), ciwa(9, 3)])
    assert low is not None and low.indicator == "warning"


def test_readings_are_taken_in_time_order_whatever_order_they_come_in():
    assert ciwa_trend_card([ciwa(9, 3), ciwa(3, 1), ciwa(5, 2)]) is not None


def test_a_trend_needs_at_least_two_readings():
    with pytest.raises(InputError, match="rising count"):
        ciwa_trend_card([], count=1)


def test_an_overdue_assessment_gives_one_warning_card_naming_it():
    items = due_outpatient([date(2026, 3, 15)], [], datetime(2026, 3, 25, 12, 0))
    assert any(i.status == "overdue" for i in items)
    cards = patient_cards(PatientFacts(date(2026, 3, 25), due=items))
    (card,) = cards
    assert card.kind == "assessment-overdue" and card.indicator == "warning"
    assert "CIWA-B" in card.summary


def test_aftercare_with_no_contact_scheduled_gives_the_gap_card():
    today = date(2026, 4, 5)
    card = aftercare_gap_card(taper(), today, None)
    assert card is not None and card.kind == "aftercare-gap"
    assert "no aftercare has been generated" in card.detail
    assert "last dose was on 2026-03-28" in card.detail


def test_generated_aftercare_with_a_contact_in_the_interval_gives_no_gap():
    care = aftercare_plan(date(2026, 3, 28))
    first = min(i.on for i in care.items if i.kind == "contact")
    assert aftercare_gap_card(taper(), first - timedelta(days=1), care) is None


def test_recorded_contacts_do_not_count_as_scheduled():
    care = aftercare_plan(date(2026, 3, 28))
    today = date(2026, 3, 29)
    for index, item in enumerate(care.items):
        if item.on <= today + timedelta(days=28):
            care = mark_done(care, index, True)
    card = aftercare_gap_card(taper(), today, care)
    assert card is not None and "Rec 22" in card.source.label


def test_no_gap_card_while_tapering_or_after_the_aftercare_period():
    assert aftercare_gap_card(taper(), date(2026, 3, 20), None) is None
    assert aftercare_gap_card(taper(), date(2027, 6, 1), None) is None


def test_cards_come_most_urgent_first():
    items = due_outpatient([date(2026, 3, 15)], [], datetime(2026, 3, 25, 12, 0))
    facts = PatientFacts(date(2026, 3, 25), taper(), (ciwa(30, 20), ciwa(45, 21), ciwa(62, 22)),
                         items)
    assert [c.indicator for c in patient_cards(facts)][:2] == ["critical", "warning"]
