"""Which advice the patient's handout gives, decided in the core from the intake's facts, each
item with sources that resolve (core/data/patient_advice.toml)."""

import tomllib
from datetime import time
from decimal import Decimal
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benzodetox.core.assessment.intake import SUBSTANCES, Intake
from benzodetox.core.careplan.patient_advice import (
    all_patient_advice,
    patient_advice,
    patient_advice_for,
)
from benzodetox.core.errors import InputError
from benzodetox.core.regimen import Dose, Regimen

SOURCES = tomllib.loads(
    resources.files("benzodetox.core").joinpath("data", "sources.toml").read_text("utf-8")
)


def keys(advice):
    return [a.key for a in advice]


def test_driving_advice_is_always_given():
    """With nothing recorded, the handout still says when not to drive."""
    assert keys(patient_advice()) == ["driving"]


def test_alcohol_advice_is_given_for_an_alcohol_use_disorder_and_not_without_it():
    """Alcohol use disorder recorded → the alcohol advice; opioids alone → no alcohol advice."""
    assert "alcohol" in keys(patient_advice({"alcohol_use_disorder"}))
    assert "alcohol" not in keys(patient_advice({"opioids"}))


def test_opioids_other_sedatives_and_sud_medication_each_bring_their_advice():
    """Each recorded fact adds its own item, in the data file's order."""
    advice = patient_advice({"other_sedatives", "opioids"}, sud_medication=True)
    assert keys(advice) == ["driving", "opioids", "other_sedatives", "sud_medication"]
    opioids = advice[1]
    assert any("naloxone" in line for line in opioids.lines)


def test_the_advice_follows_a_core_intake():
    """patient_advice_for reads the Intake's substances and sud_medication."""
    intake = Intake(
        age=50,
        regimen=Regimen((Dose(time(22), "diazepam", Decimal(10)),)),
        duration_months=Decimal(12),
        days_per_week=7,
        source="ashton-2002",
        substances=frozenset({"alcohol_use_disorder"}),
        sud_medication=True,
    )
    assert keys(patient_advice_for(intake)) == ["driving", "alcohol", "sud_medication"]


def test_an_unknown_substance_is_refused_on_its_field():
    """A name the intake does not know is an InputError naming 'substances' and the choices."""
    with pytest.raises(InputError) as error:
        patient_advice({"wine"})
    assert "substances" in str(error.value) and "alcohol_use_disorder" in str(error.value)


def test_every_item_names_sources_that_resolve_and_short_sentences():
    """Each item's sources are keys of sources.toml; no sentence runs past 30 words."""
    for item in all_patient_advice():
        assert item.sources and all(s in SOURCES for s in item.sources), item.key
        for line in item.lines:
            for sentence in line.split(". "):
                assert len(sentence.split()) <= 30, sentence


@given(st.sets(st.sampled_from(SUBSTANCES)), st.booleans())
def test_advice_is_driving_first_and_alcohol_exactly_when_recorded(substances, sud):
    """For any recorded facts: driving comes first, alcohol advice appears exactly when an
    alcohol use disorder is recorded, and no item appears twice."""
    found = keys(patient_advice(substances, sud_medication=sud))
    assert found[0] == "driving"
    assert ("alcohol" in found) == ("alcohol_use_disorder" in substances)
    assert ("sud_medication" in found) == sud
    assert len(found) == len(set(found))
