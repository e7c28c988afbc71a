"""Reading an intake: buprenorphine or methadone taken for an opioid use disorder is recorded,
so the care plan can raise the 2025 Joint Guideline's Rec 21 prompt (do not stop or disrupt it
because of the benzodiazepine taper); implausible daily doses are refused as ``plan --take``
refuses them, and doses above the label maximum are kept with a warning."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest

from benzodetox.core.assessment import assess
from benzodetox.core.assessment.intake import Intake, intake_from_dict
from benzodetox.core.careplan.adjuncts import safety_prompts
from benzodetox.core.catalogue import catalogue
from benzodetox.core.errors import InputError
from benzodetox.core.regimen import Dose, Regimen

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


def test_a_daily_total_above_the_plausible_limit_is_refused_on_the_regimen():
    """Diazepam 2 × 150 mg = 300 mg/day is over 4 × its 60 mg label maximum: refused on
    ``regimen`` with the allowed range, exactly as ``plan --take`` refuses it."""
    rows = [{"drug": "diazepam", "mg": "150", "time": t} for t in ("08:00", "20:00")]
    with pytest.raises(InputError) as error:
        intake_from_dict({**BASE, "regimen": rows})
    assert error.value.field == "regimen"
    with pytest.raises(InputError) as from_plan:
        catalogue().check_daily_dose("diazepam", Decimal(300))
    assert error.value.allowed == from_plan.value.allowed


def test_an_intake_built_directly_is_checked_for_plausible_doses_too():
    """The check is on the Intake itself, so the web and the API cannot go round it."""
    regimen = Regimen((Dose(time(8), "alprazolam", Decimal(50)),))
    with pytest.raises(InputError) as error:
        Intake(age=40, regimen=regimen, duration_months=Decimal(6), days_per_week=7,
               source="ashton-2002")  # fmt: skip
    assert error.value.field == "regimen" and "alprazolam" in str(error.value.value)


def test_the_plausible_limit_itself_is_accepted_with_a_label_maximum_warning():
    """240 mg/day of diazepam (4 × 60) is accepted; the risk warns it is above the label
    maximum, naming the maximum's source."""
    rows = [{"drug": "diazepam", "mg": "120", "time": t} for t in ("08:00", "20:00")]
    risk = assess(intake_from_dict({**BASE, "regimen": rows})).risk
    assert any("above the" in w and "label maximum of 60 mg/day" in w for w in risk.warnings)
    assert any("[max-diazepam]" in w for w in risk.warnings)


def test_a_dose_within_the_label_maximum_adds_no_label_warning():
    """Diazepam 10 mg a day gives no label-maximum warning."""
    risk = assess(intake_from_dict(BASE)).risk
    assert not any("label maximum" in w for w in risk.warnings)


@pytest.mark.parametrize(
    ("months", "accepted"),
    [("552", True), ("552.01", False), ("0", True), ("6.25", True), ("6.125", False),
     ("1e999999", False), ("-1", False)],
)  # fmt: skip
def test_the_duration_is_at_most_the_age_in_months_with_two_decimals(months, accepted):
    """Age 45 allows up to (45 + 1) × 12 = 552 months; more, a negative duration, or false
    precision (3 decimals, an exponent of a million) is refused on ``duration_months``."""
    data = {**BASE, "duration_months": months}
    if accepted:
        assert intake_from_dict(data).duration_months == Decimal(months)
    else:
        with pytest.raises(InputError) as error:
            intake_from_dict(data)
        assert error.value.field == "duration_months"
        assert "from 0 to 552" in error.value.allowed


@pytest.mark.parametrize("value", [Decimal("Infinity"), Decimal("-Infinity"), Decimal("NaN")])
def test_a_whole_number_field_given_an_infinite_or_nan_decimal_is_refused(value):
    """days_per_week as Decimal('Infinity') is an InputError on the field, not an overflow."""
    with pytest.raises(InputError) as error:
        intake_from_dict({**BASE, "days_per_week": value})
    assert error.value.field == "days_per_week"
