"""Vital-sign thresholds (pregnancy guidance, DSM-5, an alcohol-derived set) and emergency
escalation (Joint Guideline Rec 5a/5c, 12, 14; AES 2016)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from benzodetox.core.assessment.emergencies import EVENTS, escalation, escalation_for
from benzodetox.core.assessment.vitals import (
    VitalSigns,
    check_vitals,
    programme_thresholds,
    threshold_set,
    vitals_from_dict,
)
from benzodetox.core.catalogue import catalogue
from benzodetox.core.errors import InputError


@pytest.mark.parametrize(
    ("sign", "below", "at_or_above"),
    [
        ("sbp", "149", "150"),
        ("dbp", "99", "100"),
        ("pulse", "110", "111"),
        ("temperature", "38.3", "38.4"),  # 101 °F = 38.33 °C
    ],
)
def test_pregnancy_set_thresholds_on_both_sides(sign, below, at_or_above):
    """SBP ≥ 150, DBP ≥ 100, pulse > 110, temperature > 101 °F (obstetric guideline chapter)."""
    assert check_vitals(VitalSigns(**{sign: Decimal(below)})) == ()
    (finding,) = check_vitals(VitalSigns(**{sign: Decimal(at_or_above)}))
    assert finding.sign == sign and finding.basis == "benzodiazepine" and finding.confirmed


def test_spo2_below_96_is_a_finding_and_96_is_not():
    """SpO₂ < 96 % (pregnancy set)."""
    assert check_vitals(VitalSigns(spo2=Decimal(96))) == ()
    assert [f.sign for f in check_vitals(VitalSigns(spo2=Decimal(95)))] == ["spo2"]


def test_the_alcohol_set_is_labelled_alcohol_derived_and_unconfirmed():
    """UVA alcohol protocol: SBP > 160; not validated for benzodiazepines."""
    uva = threshold_set("alcohol-uva")
    (finding,) = check_vitals(VitalSigns(sbp=Decimal(161)), uva)
    assert finding.basis == "alcohol-derived" and finding.confirmed is False
    assert check_vitals(VitalSigns(sbp=Decimal(160)), uva) == ()


def test_respiratory_rate_is_a_gap_not_an_invented_threshold():
    """No source gives a respiratory-rate threshold: it is listed as a gap."""
    assert "respiratory_rate" in threshold_set().gaps
    assert check_vitals(VitalSigns(respiratory_rate=Decimal(40))) == ()


def test_a_programme_can_set_its_own_thresholds_shown_unconfirmed():
    """A programme adds a respiratory-rate limit; the set is no longer 'confirmed'."""
    own = programme_thresholds(
        threshold_set(), {"respiratory_rate": (">", Decimal(24))}, source="benzodetox-advice-policy"
    )
    (finding,) = check_vitals(VitalSigns(respiratory_rate=Decimal(25)), own)
    assert finding.confirmed is False and "respiratory_rate" not in own.gaps


def test_every_set_cites_a_known_source():
    """Each default set's source resolves in sources.toml."""
    for name in ("benzodiazepine-pregnancy", "dsm-5", "alcohol-uva"):
        assert threshold_set(name).source in catalogue().sources


def test_impossible_or_unknown_readings_are_refused_by_name():
    """Pulse 400 and an unknown sign are refused naming the field."""
    with pytest.raises(InputError) as error:
        vitals_from_dict({"pulse": 400})
    assert error.value.field == "vitals.pulse"
    with pytest.raises(InputError) as error:
        vitals_from_dict({"glucose": 5})
    assert error.value.field == "vitals.glucose"


def test_a_seizure_escalates_to_medically_managed_care_with_aes_first_line_treatment():
    """Seizure → Rec 5c/12, restore cover (unconfirmed), AES 2016 first line, avoid flumazenil."""
    result = escalation("seizure")
    by_code = {a.code: a for a in result.actions}
    assert "Rec 12" in by_code["medically-managed-care"].rec
    assert by_code["restore-cover"].confirmed is False
    assert by_code["status-epilepticus"].source == "aes-2016"
    assert "lorazepam 0.1 mg/kg" in by_code["status-epilepticus"].text
    assert by_code["avoid-flumazenil"].rec == "Rec 14"


@pytest.mark.parametrize("event", [*EVENTS, "hallucinations"])
def test_every_emergency_says_avoid_flumazenil_and_cites_known_sources(event):
    """All four events escalate, each action with a source in sources.toml."""
    result = escalation(event)
    assert any(a.code == "avoid-flumazenil" for a in result.actions)
    assert all(a.source in catalogue().sources for a in result.actions)


def test_several_events_merge_without_repeating_actions():
    """Delirium + suicidality: one list, no duplicates."""
    codes = [a.code for a in escalation_for(["suicidality", "delirium"]).actions]
    assert len(codes) == len(set(codes)) and "urgent-risk-review" in codes


def test_an_unknown_event_is_refused():
    """'fainting' is not an emergency event here."""
    with pytest.raises(InputError):
        escalation("fainting")
