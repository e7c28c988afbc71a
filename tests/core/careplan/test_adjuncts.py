"""Adjunct medications, flumazenil and safety prompts come from sourced data, without doses."""

import re

import pytest

from benzodetox.core.careplan import adjuncts as mod
from benzodetox.core.careplan.adjuncts import (
    adjunct,
    all_adjuncts,
    cautions_for,
    flumazenil,
    safety_prompts,
)
from benzodetox.core.errors import InputError

REQUIRED = {
    "gabapentin", "pregabalin", "carbamazepine", "valproate", "trazodone",
    "buspirone", "melatonin", "propranolol", "antidepressants",
}


def test_every_adjunct_named_in_the_issue_is_listed():
    """The nine adjuncts of issue 6 are all in the data file."""
    assert {a.id for a in all_adjuncts()} >= REQUIRED


def test_every_adjunct_has_sourced_evidence_and_an_asam_position():
    """Each adjunct carries evidence statements and an ASAM 2025 statement, all with sources."""
    for item in all_adjuncts():
        assert item.evidence, item.id
        assert all(e.source and e.label in mod.LABELS for e in item.evidence)
        assert item.asam_2025.source == "jcpg-2025"


def test_asam_position_is_shown_as_not_confirmed_except_where_verified():
    """Only antidepressants (Rec 24) carry a confirmed ASAM position; the rest say not confirmed."""
    for item in all_adjuncts():
        if item.id == "antidepressants":
            assert item.asam_2025.confirmed and "Rec 24" in item.asam_2025.text
        else:
            assert not item.asam_2025.confirmed
            assert item.asam_2025.text.startswith("Not confirmed")


def test_evidence_cites_the_cochrane_and_welsh_reviews():
    """Baandrup 2018 (Cochrane) and Welsh 2018 are both cited."""
    sources = {e.source for a in all_adjuncts() for e in a.evidence}
    assert {"baandrup-2018", "welsh-2018"} <= sources


def test_unconfirmed_statements_are_labelled_as_such():
    """A statement the reference marks [R] is never shown as confirmed."""
    for item in all_adjuncts():
        for statement in item.evidence:
            if statement.label == "R":
                assert not statement.confirmed
                assert "unconfirmed" in statement.shown_label


def test_no_adjunct_statement_gives_a_dose():
    """No dose (a number with mg) appears anywhere in the adjunct statements."""
    dose = re.compile(r"\d\s*(mg|µg|mcg|g)\b", re.IGNORECASE)
    for item in all_adjuncts():
        for statement in (item.asam_2025, *item.evidence, *item.cautions):
            assert not dose.search(statement.text), statement.text


def test_gabapentinoids_are_cautioned_only_with_opioids():
    """The respiratory-depression caution applies to gabapentin and pregabalin with opioids."""
    for name in ("gabapentin", "pregabalin"):
        item = adjunct(name)
        with_opioids = cautions_for(item, opioids=True)
        assert any("breathing" in c.text for c in with_opioids)
        assert cautions_for(item, opioids=False) == ()


def test_an_unknown_adjunct_is_an_input_error_listing_the_known_ones():
    """Asking for an adjunct that is not listed names the ones that are."""
    with pytest.raises(InputError) as err:
        adjunct("diazepam")
    assert "gabapentin" in err.value.allowed


@pytest.mark.parametrize("opioids", [True, False])
def test_the_naloxone_prompt_appears_exactly_when_opioids_are_co_prescribed(opioids):
    """Rec 17: offer naloxone to every patient co-prescribed a benzodiazepine and an opioid."""
    prompts = {p.id: p for p in safety_prompts(opioids=opioids, sud=True)}
    assert ("naloxone" in prompts) is opioids
    if opioids:
        assert prompts["naloxone"].recommendation == "Rec 17"


def test_sud_prompts_cover_concurrent_treatment_and_sud_medications():
    """Recs 20-22: treat the SUD alongside; never stop buprenorphine or methadone."""
    assert {p.id for p in safety_prompts(sud=True)} == {"treat_sud_concurrently"}
    ids = {p.id for p in safety_prompts(sud=True, sud_medication=True)}
    assert {"treat_sud_concurrently", "keep_sud_medication"} <= ids


def test_flumazenil_shows_rec_14_avoid_for_tapering():
    """Flumazenil carries the guideline's 'avoid for tapering' (Rec 14, CC-S)."""
    item = flumazenil()
    assert item.tapering.recommendation == "Rec 14"
    assert item.tapering.grade == "CC-S"
    assert item.tapering.text.startswith("Avoid flumazenil")


def test_flumazenil_lists_reversal_with_seizure_warning_and_the_research_roles():
    """Overdose reversal warns of seizures in dependent patients; infusion is research and the
    depot preclinical."""
    roles = {r.id: r for r in flumazenil().roles}
    assert roles["overdose_reversal"].status == "licensed"
    assert "seizures" in roles["overdose_reversal"].warning
    assert roles["low_dose_infusion"].status == "research"
    assert "subcutaneous" in roles["low_dose_infusion"].text
    assert roles["depot_implant"].status == "preclinical"


def test_flumazenil_keeps_the_disagreement_with_the_lader_commentary():
    """Sources disagree on flumazenil; both sides are kept."""
    assert any(d.source == "lader-2019" for d in flumazenil().disagreements)
