"""Scoring of CIWA-B, BWSQ, PHQ-9 and GAD-7 (guidelines.md §2; Kroenke 2001; Spitzer 2006)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benzodetox.core.assessment.instruments import (
    INSTRUMENTS,
    Band,
    BandSet,
    instrument,
    score,
)
from benzodetox.core.errors import InputError


def _answers_for_total(key: str, total: int) -> list[int]:
    inst = instrument(key)
    answers = []
    left = total
    for _ in inst.items:
        take = min(inst.answer_max, left)
        answers.append(take)
        left -= take
    assert left == 0
    return answers


def test_ciwa_b_has_twenty_items_seventeen_patient_and_three_observer_rated():
    """CIWA-B: 20 items, 17 patient-rated and 3 observer-rated, each 0–4 (guidelines.md §2.1)."""
    inst = instrument("ciwa-b")
    raters = [i.rater for i in inst.items]
    assert len(inst.items) == 20
    assert raters.count("patient") == 17 and raters.count("observer") == 3
    assert (inst.answer_min, inst.answer_max, inst.max_total) == (0, 4, 80)


def test_bwsq_has_twenty_items_scored_zero_to_two_and_no_bands():
    """BWSQ: 20 items 0/1/2, total 0–40, no validated cut-offs (Tyrer 1990)."""
    inst = instrument("bwsq")
    assert len(inst.items) == 20 and inst.max_total == 40 and inst.bands is None
    result = score("bwsq", [2] * 20)
    assert result.total == 40 and result.band is None and result.band_confirmed is None


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, None), (1, "mild"), (20, "mild"), (21, "moderate"), (40, "moderate"),
     (41, "severe"), (60, "severe"), (61, "very severe"), (80, "very severe")],
)
def test_ciwa_b_bands_on_both_sides_of_every_edge(total, band):
    """CIWA-B bands 1–20 / 21–40 / 41–60 / 61–80 at each edge; 0 has no band."""
    result = score("ciwa-b", _answers_for_total("ciwa-b", total))
    assert (result.total, result.band) == (total, band)


def test_every_ciwa_b_result_says_it_is_not_validated_for_dosing_and_bands_are_unconfirmed():
    """Each CIWA-B result carries the monitoring-scale note and the unconfirmed-bands flag."""
    result = score("ciwa-b", [0] * 20)
    texts = [n.text for n in result.notes]
    assert "monitoring scale, not validated for dosing" in texts
    assert result.band_confirmed is False
    assert any(n.code == "bands-unconfirmed" and not n.confirmed for n in result.notes)


@pytest.mark.parametrize(
    ("total", "band"),
    [(4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
     (15, "moderately severe"), (19, "moderately severe"), (20, "severe"), (27, "severe")],
)
def test_phq_9_bands_follow_kroenke_2001(total, band):
    """PHQ-9 cut points 5, 10, 15, 20 (Kroenke 2001), both sides of each."""
    answers = _answers_for_total("phq-9", total)
    assert score("phq-9", answers).band == band


@pytest.mark.parametrize(
    ("total", "band"),
    [(4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
     (15, "severe"), (21, "severe")],
)
def test_gad_7_bands_follow_spitzer_2006(total, band):
    """GAD-7 cut points 5, 10, 15 (Spitzer 2006), both sides of each."""
    assert score("gad-7", _answers_for_total("gad-7", total)).band == band


def test_phq_9_item_9_above_zero_raises_the_suicidality_flag_and_zero_does_not():
    """PHQ-9 item 9 (self-harm thoughts) > 0 → suicidality flag."""
    assert score("phq-9", [0] * 8 + [1]).flags == ("suicidality",)
    assert score("phq-9", [3] * 8 + [0]).flags == ()


def test_a_missing_answer_is_refused_naming_the_item():
    """19 CIWA-B answers: item 20 is missing."""
    with pytest.raises(InputError) as error:
        score("ciwa-b", [1] * 19)
    assert error.value.field == "item 20"


def test_an_extra_answer_is_refused_naming_the_item():
    """8 GAD-7 answers: item 8 does not exist."""
    with pytest.raises(InputError) as error:
        score("gad-7", [1] * 8)
    assert error.value.field == "item 8"


@pytest.mark.parametrize("bad", [5, -1, "x", 1.5, True, None])
def test_an_out_of_range_or_ill_typed_answer_is_refused_naming_the_item(bad):
    """Answer 7 of CIWA-B must be a whole number 0–4."""
    answers: list[object] = [0] * 20
    answers[6] = bad
    with pytest.raises(InputError) as error:
        score("ciwa-b", answers)
    assert error.value.field == "item 7"


def test_answers_may_be_given_by_item_number_and_a_gap_is_named():
    """A mapping item → answer works; a missing number is named."""
    assert score("gad-7", {i: 1 for i in range(1, 8)}).total == 7
    with pytest.raises(InputError) as error:
        score("gad-7", {i: 1 for i in (1, 2, 3, 5, 6, 7)})
    assert error.value.field == "item 4"


def test_a_programme_can_replace_the_ciwa_b_bands_and_bad_bands_are_refused():
    """Bands are a parameter; overlapping or out-of-range bands are refused."""
    own = BandSet((Band("low", 0, 30), Band("high", 31, 80)), source="busto-1989", confirmed=False)
    assert score("ciwa-b", [1] * 20, bands=own).band == "low"
    with pytest.raises(InputError):
        score("ciwa-b", [1] * 20, bands=BandSet((Band("x", 0, 90),), "busto-1989", False))
    with pytest.raises(InputError):
        score(
            "ciwa-b",
            [1] * 20,
            bands=BandSet((Band("a", 0, 30), Band("b", 30, 80)), "busto-1989", False),
        )


def test_an_unknown_instrument_is_refused_and_spellings_are_forgiven():
    """'PHQ9' finds phq-9; 'ciwa-ar' (the alcohol scale) is refused."""
    assert instrument("PHQ9").key == "phq-9"
    with pytest.raises(InputError) as error:
        instrument("ciwa-ar")
    assert error.value.field == "instrument"


def test_item_labels_are_short():
    """Labels are short symptom labels, not copied item text."""
    for key in INSTRUMENTS:
        assert all(len(item.label) <= 40 for item in instrument(key).items), key


@st.composite
def _answers(draw: st.DrawFn) -> tuple[str, list[int]]:
    key = draw(st.sampled_from(INSTRUMENTS))
    inst = instrument(key)
    values = draw(
        st.lists(
            st.integers(inst.answer_min, inst.answer_max),
            min_size=len(inst.items),
            max_size=len(inst.items),
        )
    )
    return key, values


@given(_answers())
def test_totals_are_always_within_the_instrument_range_and_banded_consistently(case):
    """Any complete, in-range answer set gives a total in range and the band containing it."""
    key, values = case
    inst = instrument(key)
    result = score(key, values)
    assert inst.min_total <= result.total <= inst.max_total
    assert result.total == sum(values)
    if inst.bands is not None and result.band is not None:
        band = next(b for b in inst.bands.bands if b.name == result.band)
        assert band.lo <= result.total <= band.hi
