"""What adapters read from the assessment core through its public API (not its data files)."""

from benzodetox.core.assessment import (
    condition_labels,
    monitoring_setting,
    substance_labels,
    threshold_set_labels,
)
from benzodetox.core.assessment.level_of_care import WM_LEVELS


def test_each_level_of_care_maps_to_the_schedule_its_setting_needs():
    """1-WM and 2-WM are outpatient; the residential and inpatient levels are monitored as
    inpatients; an unknown level falls back to the outpatient schedule."""
    assert [monitoring_setting(level) for level in WM_LEVELS] == [
        "outpatient",
        "outpatient",
        "inpatient",
        "inpatient",
        "inpatient",
    ]
    assert monitoring_setting("no such level") == "outpatient"


def test_the_intake_choices_and_threshold_sets_carry_their_wording():
    """Every substance, condition and threshold set has a key and non-empty wording; the keys
    are the ones the rules read (alcohol use disorder, bipolar disorder)."""
    substances = dict(substance_labels())
    conditions = dict(condition_labels())
    assert "alcohol_use_disorder" in substances and "bipolar" in conditions
    for labels in (substances, conditions, dict(threshold_set_labels())):
        assert labels and all(text.strip() for text in labels.values())
