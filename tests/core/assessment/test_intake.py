"""The intake records buprenorphine or methadone taken for an opioid use disorder, so the
care plan can raise the 2025 Joint Guideline's Rec 21 prompt (do not stop or disrupt it
because of the benzodiazepine taper)."""

from __future__ import annotations

import pytest

from benzodetox.core.assessment import assess
from benzodetox.core.assessment.intake import intake_from_dict
from benzodetox.core.careplan.adjuncts import safety_prompts
from benzodetox.core.errors import InputError

BASE = {
    "age": 45,
    "regimen": [{"drug": "diazepam", "mg": "10", "time": "08:00"}],
    "duration_months": 12,
    "days_per_week": 7,
    "source": "ashton-2002",
}


def test_an_intake_without_the_field_records_no_sud_medication():
    """The field is optional and defaults to false, so earlier intakes read as before."""
    assert intake_from_dict(BASE).sud_medication is False


def test_an_intake_records_buprenorphine_or_methadone_for_opioid_use_disorder():
    """``sud_medication: true`` is kept on the intake and drives the Rec 21 prompt."""
    intake = intake_from_dict({**BASE, "sud_medication": True})
    assert intake.sud_medication is True
    ids = {p.id for p in safety_prompts(sud_medication=intake.sud_medication)}
    assert "keep_sud_medication" in ids


def test_sud_medication_does_not_change_the_withdrawal_risk():
    """It is a care prompt, not a risk factor: the assessment is the same with or without."""
    without = assess(intake_from_dict(BASE))
    with_it = assess(intake_from_dict({**BASE, "sud_medication": True}))
    assert with_it.risk.level == without.risk.level
    assert with_it.level_of_care == without.level_of_care


def test_a_sud_medication_value_that_is_not_true_or_false_is_refused_on_its_field():
    """'yes' is an InputError naming ``sud_medication``."""
    with pytest.raises(InputError) as error:
        intake_from_dict({**BASE, "sud_medication": "yes"})
    assert error.value.field == "sud_medication"
