"""Risk of clinically significant withdrawal and level of care (2025 Joint Guideline table
'Risk of clinically significant withdrawal', Rec 5, Rec 12; ASAM Criteria 3rd ed.)."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benzodetox.core.assessment.intake import CONDITIONS, Intake, intake_from_dict
from benzodetox.core.assessment.level_of_care import assess
from benzodetox.core.assessment.risk import LEVELS, dose_band, duration_band, withdrawal_risk
from benzodetox.core.catalogue import catalogue
from benzodetox.core.errors import InputError
from benzodetox.core.regimen import Dose, Regimen


def diazepam(mg: str, months: str = "6", days: int = 7, age: int = 50, **kw: object) -> Intake:
    regimen = Regimen((Dose(time(22), "diazepam", Decimal(mg)),))
    return Intake(
        age=age,
        regimen=regimen,
        duration_months=Decimal(months),
        days_per_week=days,
        source="ashton-2002",
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("mg", "band"),
    [("10", "low"), ("10.001", "moderate"), ("15", "moderate"), ("15.001", "high")],
)
def test_dose_bands_on_both_sides_of_10_and_15_mg(mg, band):
    """Low ≤ 10, moderate > 10–15, high > 15 mg diazepam-eq/day."""
    assert dose_band(Decimal(mg)) == band
    assert withdrawal_risk(diazepam(mg)).dose_band == band


@pytest.mark.parametrize(
    ("months", "band"),
    [("0.99", "under 1 month"), ("1", "1–3 months"), ("2.99", "1–3 months"),
     ("3", "3 months or more")],
)
def test_duration_bands_on_both_sides_of_1_and_3_months(months, band):
    """Durations < 1 month, 1–3 months, ≥ 3 months."""
    assert duration_band(Decimal(months)) == band


@pytest.mark.parametrize(("days", "level"), [(3, "rare"), (4, "significant")])
def test_three_days_a_week_is_rare_and_four_is_not(days, level):
    """≤ 3 days/week → rare whatever the dose; ≥ 4 days/week for 6 months → significant."""
    assert withdrawal_risk(diazepam("30", days=days)).level == level


@pytest.mark.parametrize(
    ("months", "mg", "level"),
    [
        ("0.5", "30", "lower"),
        ("1", "10", "lower"),
        ("1", "10.001", "significant"),
        ("2.99", "10", "lower"),
        ("3", "10", "significant"),
        ("3", "2", "significant"),
    ],
)
def test_table_rows_for_frequent_use(months, mg, level):
    """The table rows: <1 month any dose → lower; 1–3 months low → lower, moderate-high →
    yes; ≥3 months any dose → yes."""
    assert withdrawal_risk(diazepam(mg, months=months)).table_level == level


@pytest.mark.parametrize(("age", "level"), [(64, "lower"), (65, "significant")])
def test_age_65_is_a_modifier_and_64_is_not(age, level):
    """Older adults are ≥ 65 (key takeaway 1d); the modifier raises the level one step."""
    risk = withdrawal_risk(diazepam("5", months="2", age=age))
    assert risk.level == level
    assert any(m.code == "age" for m in risk.modifiers) == (age >= 65)


def test_the_dose_band_follows_the_declared_table_not_the_guideline_examples():
    """Alprazolam 1 mg/day: Ashton 0.5 mg ≡ diazepam 10 mg gives 20 mg (high); VA/DoD 1 mg gives
    10 mg (low). The guideline's footnote examples mix the two columns (guidelines.md, table
    'Risk of clinically significant withdrawal', [!] internal inconsistency)."""
    doses = [{"drug": "alprazolam", "mg": "0.5", "time": t} for t in ("08:00", "20:00")]
    base = {"age": 40, "regimen": doses, "duration_months": 2, "days_per_week": 7}
    ashton = withdrawal_risk(intake_from_dict({**base, "source": "ashton-2002"}))
    vadod = withdrawal_risk(intake_from_dict({**base, "source": "vadod-2021"}))
    assert (ashton.diazepam_eq_mg_per_day, ashton.dose_band) == (Decimal(20), "high")
    assert (vadod.diazepam_eq_mg_per_day, vadod.dose_band) == (Decimal(10), "low")
    assert any(r.code == "tables-disagree" for r in vadod.reasons)


def test_every_reason_has_a_known_source_and_unconfirmed_rules_say_so():
    """Each reason's source resolves in sources.toml; the modifier step is unconfirmed."""
    intake = diazepam("20", age=70, substances=frozenset({"opioids"}), pregnant=True)
    result = assess(intake)
    sources = catalogue().sources
    for reason in (*result.reasons, *result.risk.prompts):
        assert reason.source in sources, reason
    step = next(r for r in result.reasons if r.code == "modifiers")
    assert step.confirmed is False
    pregnancy = next(r for r in result.risk.modifiers if r.code == "pregnant")
    assert pregnancy.confirmed is False


def test_opioids_prompt_naloxone_and_bipolar_disorder_prompts_a_sleep_watch():
    """Rec 17 (naloxone with opioids) and Rec 26 (sleep in bipolar disorder)."""
    risk = withdrawal_risk(
        diazepam("5", substances=frozenset({"opioids"}), conditions=frozenset({"bipolar"}))
    )
    recs = " ".join(p.rec for p in risk.prompts)
    assert "Rec 17" in recs and "Rec 26" in recs


def test_outpatient_is_the_default_level_of_care():
    """Rec 5: tapering can typically be outpatient → 1-WM."""
    result = assess(diazepam("20"))
    assert (result.level_of_care.setting, result.level_of_care.wm_level) == ("outpatient", "1-WM")


@pytest.mark.parametrize(
    ("condition", "level"),
    [("imminent_harm", "3.7-WM"), ("beyond_outpatient", "3.7-WM"),
     ("severe_withdrawal", "4-WM"), ("suicidality", "3.7-WM")],
)
def test_rec_5_and_rec_12_conditions_make_care_inpatient(condition, level):
    """Rec 5a, 5b, 5c and 12 → medically managed inpatient care."""
    result = assess(diazepam("5", conditions=frozenset({condition})))
    assert result.level_of_care.setting == "inpatient"
    assert result.level_of_care.wm_level == level


def test_a_previous_withdrawal_seizure_with_significant_table_risk_suggests_inpatient_care():
    """Prior seizure + significant risk → complicated withdrawal may be expected (Rec 5c),
    flagged unconfirmed; with rare table risk it does not."""
    high = assess(diazepam("30", history=frozenset({"withdrawal_seizure"})))
    rare = assess(diazepam("30", days=2, history=frozenset({"withdrawal_seizure"})))
    reason = next(r for r in high.reasons if r.code == "inpatient.expected_complicated")
    assert high.level_of_care.setting == "inpatient" and reason.confirmed is False
    assert rare.level_of_care.setting == "outpatient"


@pytest.mark.parametrize(
    ("rating", "support", "level"),
    [(1, True, "1-WM"), (2, True, "2-WM"), (2, False, "3.2-WM"), (3, True, "3.7-WM"),
     (4, True, "4-WM")],
)
def test_the_withdrawal_dimension_rating_maps_to_a_wm_level(rating, support, level):
    """ASAM Criteria levels from the withdrawal dimension (0–4) and support at home."""
    intake = diazepam("5", dimensions={"withdrawal": rating}, support_at_home=support)
    assert assess(intake).level_of_care.wm_level == level


def test_all_six_dimensions_are_reported_rated_or_not():
    """Six ASAM dimensions, None where the clinician has not rated them."""
    dims = assess(diazepam("5", dimensions={"biomedical": 1})).level_of_care.dimensions
    assert list(dims) == [
        "withdrawal", "biomedical", "emotional", "readiness", "relapse", "environment"
    ]
    assert dims["biomedical"] == 1 and dims["withdrawal"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"age": "old"}, "age"),
        ({"regimen": [{"drug": "alprazolam", "mg": "x", "time": "08:00"}]}, "regimen[0].mg"),
        ({"regimen": [{"drug": "alprazolamm", "mg": 1, "time": "08:00"}]}, "regimen[0].drug"),
        ({"regimen": [{"drug": "alprazolam", "mg": 1, "time": "8am"}]}, "regimen[0].time"),
        ({"days_per_week": 8}, "days_per_week"),
        ({"conditions": ["gout"]}, "conditions[0]"),
        ({"history": {"withdrawal_seizure": "yes"}}, "history.withdrawal_seizure"),
        ({"substances": {"cannabis": True}}, "substances.cannabis"),
        ({"pregnant": "no"}, "pregnant"),
        ({"colour": "blue"}, "colour"),
        ({"dimensions": {"withdrawal": 5}}, "dimensions.withdrawal"),
    ],
)
def test_bad_intake_fields_are_refused_by_name(change, field):
    """Each malformed field raises InputError naming it."""
    data = {
        "age": 40,
        "regimen": [{"drug": "alprazolam", "mg": "0.5", "time": "08:00"}],
        "duration_months": 6,
        "days_per_week": 7,
        "source": "ashton-2002",
        **change,
    }
    with pytest.raises(InputError) as error:
        withdrawal_risk(intake_from_dict(data))
    assert error.value.field == field


def test_a_missing_required_field_and_an_unknown_table_are_refused():
    """'source' is required (no table is picked silently) and must be a known table."""
    data = {"age": 40, "regimen": [{"drug": "diazepam", "mg": 5, "time": "08:00"}],
            "duration_months": 6, "days_per_week": 7}
    with pytest.raises(InputError) as error:
        intake_from_dict(data)
    assert error.value.field == "source"
    with pytest.raises(InputError) as error:
        withdrawal_risk(intake_from_dict({**data, "source": "guesswork"}))
    assert error.value.field == "source"


@given(
    mg=st.decimals("0.5", "80", places=3),
    months=st.decimals("0", "120", places=2),
    days=st.integers(1, 7),
    age=st.integers(18, 100),
    conditions=st.frozensets(st.sampled_from(CONDITIONS), max_size=3),
)
def test_risk_is_a_known_level_never_below_the_table_and_deterministic(
    mg, months, days, age, conditions
):
    """Any intake gives a known level ≥ the table's, the same twice, with sourced reasons."""
    intake = diazepam(str(mg), months=str(months), days=days, age=age, conditions=conditions)
    first, second = assess(intake), assess(intake)
    assert first == second
    assert first.risk.level in LEVELS
    assert LEVELS.index(first.risk.level) >= LEVELS.index(first.risk.table_level)
    assert first.level_of_care.setting in ("outpatient", "residential", "inpatient")


@pytest.mark.parametrize(
    ("intake", "name"),
    [
        (diazepam("20", days=2), "Rare risk"),
        (diazepam("20", months="0.5"), "Lower risk"),
        (diazepam("20"), "Significant risk"),
        (diazepam("20", substances=frozenset({"opioids"})), "High risk"),
    ],
    ids=["rare", "lower", "significant", "high"],
)
def test_the_risk_headline_names_its_level_first(intake, name):
    """Every result starts with its level in words ("High risk: …"), then the dose."""
    risk = withdrawal_risk(intake)
    assert risk.name == name
    assert risk.headline.startswith(f"{name}: 20 mg diazepam-equivalent a day (high dose), ")


def test_the_risk_headline_says_how_it_is_taken_and_what_raised_it():
    """Use in plain words (singular where it is one) and each modifier after 'raised by'."""
    risk = withdrawal_risk(diazepam("12.5", months="1", days=1, age=70))
    assert risk.headline == (
        "Lower risk: 12.5 mg diazepam-equivalent a day (moderate dose), 1 day a week for "
        "1 month; raised by age 65 or over (70)"
    )


@pytest.mark.parametrize(("mg", "level"), [("39.999", "significant"), ("40", "high")])
def test_a_dose_of_about_40_mg_or_more_raises_the_risk_one_step_unconfirmed(mg, level):
    """From 40 mg diazepam-eq a day the dose itself counts as a modifier (a benzodetox rule,
    shown unconfirmed); below it the table's level stands."""
    risk = withdrawal_risk(diazepam(mg))
    assert (risk.table_level, risk.level) == ("significant", level)
    high = [m for m in risk.modifiers if m.code == "high_dose"]
    if level == "high":
        assert high[0].source == "benzodetox-high-dose-modifier" and high[0].confirmed is False
        assert "raised by a dose of about 40 mg" in risk.headline
    else:
        assert high == []
