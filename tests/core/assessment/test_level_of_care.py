"""Specialist supervision and the level of care it asks for: polydrug use or a dose of about
40 mg diazepam-equivalent a day or more (Australian state guidance, guidelines.md §3.1 [V2]),
mapped to at least 2-WM with support at home and 3.2-WM without it (a benzodetox reading,
unconfirmed); "no support at home" stated wherever the intake says so; the one-line headline."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benzodetox.core.assessment.intake import Intake
from benzodetox.core.assessment.level_of_care import POLYDRUG, WM_LEVELS, assess
from benzodetox.core.assessment.risk import HIGH_DOSE_FROM_MG
from benzodetox.core.catalogue import catalogue
from benzodetox.core.regimen import Dose, Regimen


def intake(
    mg: str = "10", drug: str = "diazepam", source: str = "ashton-2002", **kw: object
) -> Intake:
    return Intake(
        age=50,
        regimen=Regimen((Dose(time(22), drug, Decimal(mg)),)),
        duration_months=Decimal(12),
        days_per_week=7,
        source=source,
        **kw,  # type: ignore[arg-type]
    )


def codes(result) -> list[str]:
    return [r.code for r in result.reasons]


def test_the_high_dose_threshold_is_the_reference_figure_of_40_mg():
    """The figure comes from risk.toml, from the Australian guidance's 'about 40 mg'."""
    assert Decimal(40) == HIGH_DOSE_FROM_MG


@pytest.mark.parametrize(("mg", "specialist"), [("39.999", False), ("40", True), ("60", True)])
def test_a_dose_of_about_40_mg_or_more_prompts_specialist_supervision(mg, specialist):
    """40 mg diazepam-eq a day (inclusive, as the figure is approximate) prompts specialist
    supervision; just below it does not."""
    result = assess(intake(mg, support_at_home=True))
    assert result.level_of_care.specialist is specialist
    assert ("specialist" in codes(result)) is specialist
    assert result.level_of_care.wm_level == ("2-WM" if specialist else "1-WM")


@pytest.mark.parametrize("substance", POLYDRUG)
def test_each_other_drug_used_with_the_benzodiazepine_prompts_specialist_supervision(substance):
    """Polydrug use at a low dose still prompts specialist supervision, naming the drug."""
    result = assess(intake("5", substances=frozenset({substance}), support_at_home=True))
    reason = next(r for r in result.reasons if r.code == "specialist")
    assert result.level_of_care.specialist
    assert reason.text.startswith("may need management under specialist supervision: polydrug")
    assert reason.source == "au-benzodiazepine-withdrawal-guidance" and reason.confirmed


def test_the_specialist_source_is_the_v2_reading_of_the_australian_guidance():
    """The key resolves, labelled V2 (read in a reproduction), with the 40 mg figure."""
    source = catalogue().source("au-benzodiazepine-withdrawal-guidance")
    assert source.label == "V2" and "40 mg" in source.citation


@pytest.mark.parametrize(
    ("support", "level", "words"),
    [
        (True, "2-WM", "with support at home"),
        (False, "3.2-WM", "no support at home"),
        (None, "3.2-WM", "support at home not recorded"),
    ],
)
def test_specialist_supervision_is_2_wm_with_support_at_home_and_3_2_wm_without(
    support, level, words
):
    """With support at home at least 2-WM (its typical patient has a supportive home at
    night); without it, or unrecorded, 3.2-WM; the reason says which, and is unconfirmed."""
    result = assess(intake("45", support_at_home=support))
    loc = result.level_of_care
    assert loc.wm_level == level
    mapping = next(r for r in loc.reasons if r.code == "specialist-level")
    assert words in mapping.text and level in mapping.text
    assert mapping.source == "benzodetox-specialist-level" and mapping.confirmed is False
    assert words in loc.headline


def test_an_inpatient_trigger_keeps_its_higher_level_under_specialist_supervision():
    """Rec 5c severe withdrawal (4-WM) is not lowered by the specialist rule (at least 2-WM)."""
    result = assess(intake("45", conditions=frozenset({"severe_withdrawal"})))
    assert result.level_of_care.wm_level == "4-WM"
    assert result.level_of_care.specialist
    assert result.level_of_care.headline.startswith("Inpatient care, 4-WM, under specialist")


@pytest.mark.parametrize("level", ["1-WM", "3.7-WM"])
def test_no_support_at_home_is_a_stated_reason_at_any_level(level):
    """'No support at home' is a reason and in the headline whether or not it changed the
    level (outpatient here, or inpatient for suicidality)."""
    conditions = frozenset() if level == "1-WM" else frozenset({"suicidality"})
    result = assess(intake("5", support_at_home=False, conditions=conditions))
    assert result.level_of_care.wm_level == level
    home = next(r for r in result.reasons if r.code == "environment")
    assert home.text.startswith("no support at home")
    assert result.level_of_care.headline.endswith("no support at home")


def test_support_at_home_recorded_as_present_is_not_a_reason():
    """With support at home and nothing else, the headline says no higher level is needed."""
    result = assess(intake("5", support_at_home=True))
    assert "environment" not in codes(result)
    assert result.level_of_care.headline == (
        "Outpatient care, 1-WM: no reason for a higher level of care"
    )


def test_the_care_headline_names_the_setting_then_every_driver():
    """Setting and level first, 'under specialist supervision', then the dose, the other
    drugs and the home, in that order."""
    result = assess(intake("45", substances=frozenset({"opioids"}), support_at_home=False))
    assert result.level_of_care.headline == (
        "Residential care, 3.2-WM, under specialist supervision: a dose of 45 mg "
        "diazepam-equivalent a day (about 40 mg or more); polydrug use: opioids taken with "
        "the benzodiazepine; no support at home"
    )


def test_tables_that_disagree_across_40_mg_are_shown_without_changing_the_result():
    """Alprazolam 2 mg/day is 20 mg under VA/DoD and 40 mg under Ashton: under VA/DoD there
    is no specialist trigger, but a reason shows the range crossing 40 mg ([!] rule)."""
    result = assess(intake("2", drug="alprazolam", source="vadod-2021", support_at_home=True))
    note = next(r for r in result.reasons if r.code == "specialist.tables-disagree")
    assert "20–40 mg a day" in note.text and "vadod-2021" in note.text
    assert not result.level_of_care.specialist


def test_the_assessment_json_carries_both_headlines_and_the_specialist_flag():
    """as_dict(): headline (the risk, level first), level_of_care_headline and
    specialist_supervision, as the CLI and the web show them."""
    data = assess(intake("45", support_at_home=True)).as_dict()
    assert str(data["headline"]).startswith("High risk: 45 mg")
    assert str(data["level_of_care_headline"]).startswith("Outpatient care, 2-WM, under")
    assert data["specialist_supervision"] is True


@given(
    mg=st.decimals("0.5", "240", places=3),
    substances=st.frozensets(st.sampled_from(POLYDRUG), max_size=2),
    support=st.sampled_from([True, False, None]),
)
def test_specialist_supervision_never_leaves_care_below_2_wm(mg, substances, support):
    """Whenever specialist supervision is prompted the level is 2-WM or above, and it is
    prompted exactly when the dose reaches 40 mg or another drug is used."""
    result = assess(intake(str(mg), substances=substances, support_at_home=support))
    loc = result.level_of_care
    assert loc.specialist == (mg >= 40 or bool(substances))
    if loc.specialist:
        assert WM_LEVELS.index(loc.wm_level) >= WM_LEVELS.index("2-WM")
    sources = catalogue().sources
    assert all(r.source in sources for r in result.reasons)
