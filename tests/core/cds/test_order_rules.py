"""The order-select / order-sign card rules (core.cds.orders): recognising orders, the
concurrent benzodiazepine + opioid card, the taper-in-force card and the diazepam-equivalent
card. Figures: Joint Guideline 2025 Recs 16–18, 21 (guidelines.md §1.1); CDC opioid CDS Rec 11
override responses (existing-tools.md §1.3); equivalence tables (equivalence.toml)."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.core.catalogue import EQUIVALENCE_TABLES, catalogue
from benzodetox.core.cds import INDICATORS, OrderFacts, OrderLine, TaperState, order_cards
from benzodetox.core.cds.orders import equivalent_card, recognise
from benzodetox.core.equivalence import diazepam_eq
from benzodetox.core.plan import ScheduledDose, Step

TODAY = date(2026, 3, 10)


def figure_tables(drug: str) -> set[str]:
    return set(catalogue().drugs[drug].equivalence)


def diazepam_tabs(ref: str = "MedicationRequest/1", tabs: str = "1", per_day: str = "2"):
    """Diazepam 5 mg tablets by their RxNorm SCD (CDC value set: 197591)."""
    return OrderLine(ref, ("197591",), "diazepam 5 MG Oral Tablet", Decimal(tabs), "tablet",
                     Decimal(per_day))


def oxycodone(ref: str = "MedicationRequest/2") -> OrderLine:
    return OrderLine(ref, ("1049621",), "oxycodone hydrochloride 5 MG Oral Tablet")


def _step(i: int, start: date, end: date, mg: str, kind: str = "reduction") -> Step:
    dose = ScheduledDose(time(8), "diazepam", Decimal(mg), Decimal(mg))
    return Step(i, start, end, kind, (dose,) if Decimal(mg) else (), Decimal(mg), Decimal(0))


TAPER = TaperState(4, (
    _step(1, date(2026, 3, 1), date(2026, 3, 14), "20"),
    _step(2, date(2026, 3, 15), date(2026, 3, 28), "18"),
    _step(3, date(2026, 3, 29), date(2026, 3, 29), "0", "stop"),
))


def test_a_benzodiazepine_is_recognised_by_its_rxnorm_code_and_its_daily_dose_read():
    found = recognise(diazepam_tabs(tabs="2", per_day="3"))
    assert (found.kind, found.drug, found.strength_mg) == ("benzodiazepine", "diazepam",
                                                           Decimal(5))
    assert found.daily_mg == Decimal(30)


def test_a_benzodiazepine_is_recognised_by_brand_in_text_and_mg_doses_need_no_strength():
    found = recognise(OrderLine("x", (), "Ativan", Decimal("0.5"), "mg", Decimal(2)))
    assert (found.drug, found.daily_mg) == ("lorazepam", Decimal(1))


def test_a_microgram_dose_is_converted_exactly():
    found = recognise(OrderLine("x", (), "clonazepam", Decimal(250), "ug", Decimal(2)))
    assert found.daily_mg == Decimal("0.5")


def test_a_tablet_dose_without_a_strength_is_not_guessed():
    found = recognise(OrderLine("x", (), "alprazolam", Decimal(1), "tablet", Decimal(2)))
    assert found.daily_mg is None and "strength" in found.why


def test_an_opioid_is_recognised_by_ingredient_name_and_anything_else_is_other():
    assert recognise(oxycodone()).kind == "opioid"
    assert recognise(OrderLine("x", ("617993",), "Amoxicillin 120 MG/ML")).kind == "other"


def test_no_card_for_orders_that_are_neither_benzodiazepine_nor_opioid():
    line = OrderLine("x", ("617993",), "Amoxicillin 120 MG/ML Oral Suspension")
    assert order_cards(OrderFacts((line,), TODAY)) == ()


def test_a_benzodiazepine_with_an_opioid_gives_the_concurrent_card_with_naloxone():
    cards = order_cards(OrderFacts((diazepam_tabs(), oxycodone()), TODAY,
                                   patient_ref="Patient/P-1"))
    card = next(c for c in cards if c.kind == "concurrent-opioid")
    assert card.indicator == "warning"
    assert "naloxone" in card.summary.lower() and "Rec 17" in card.detail
    (suggestion,) = card.suggestions
    (action,) = suggestion.actions
    assert action.type == "create" and action.resource is not None
    assert action.resource["resourceType"] == "MedicationRequest"
    assert action.resource["subject"] == {"reference": "Patient/P-1"}
    assert "naloxone" in action.resource["medicationCodeableConcept"]["text"]
    assert [r.display for r in card.override_reasons] == [
        "Document – will modify prescription",
        "Snooze – benefits outweigh risks, 3 months",
        "Snooze – N/A see comment, 3 months",
    ]
    assert card.source.source_key == "jcpg-2025"
    assert "cdc-opioid-cds-rec11" in card.source.source_keys


def test_an_opioid_order_for_a_patient_taking_a_benzodiazepine_gives_the_concurrent_card():
    facts = OrderFacts((oxycodone(),), TODAY, others=(diazepam_tabs("MedicationStatement/9"),))
    assert [c.kind for c in order_cards(facts)] == ["concurrent-opioid"]


def test_neither_drug_among_the_orders_judged_gives_no_concurrent_card():
    other = OrderLine("x", (), "amoxicillin")
    facts = OrderFacts((other,), TODAY, others=(diazepam_tabs(), oxycodone()))
    assert order_cards(facts) == ()


def test_methadone_adds_the_rec_21_sentence():
    methadone = OrderLine("MedicationRequest/3", (), "methadone hydrochloride 10 MG Oral Tablet")
    cards = order_cards(OrderFacts((diazepam_tabs(), methadone), TODAY))
    card = next(c for c in cards if c.kind == "concurrent-opioid")
    assert "Rec 21" in card.detail and "methadone" in card.detail


def test_a_new_benzodiazepine_order_in_a_taper_shows_the_current_step_and_the_next_change():
    cards = order_cards(OrderFacts((diazepam_tabs(),), TODAY, taper=TAPER))
    card = next(c for c in cards if c.kind == "taper-in-force")
    assert card.indicator == "warning"
    assert "step 1" in card.summary and "20 mg" in card.summary
    assert "plan version 4" in card.detail
    assert "Next change on 2026-03-15: 18 mg" in card.detail


def test_no_taper_card_in_aftercare():
    facts = OrderFacts((diazepam_tabs(),), date(2026, 4, 20), taper=TAPER)
    assert "taper-in-force" not in [c.kind for c in order_cards(facts)]


def test_the_equivalent_card_states_the_table_and_links_the_prefilled_calculator():
    order = OrderLine("x", ("197901",), "lorazepam 1 MG Oral Tablet", Decimal(1), "tablet",
                      Decimal(2))
    card = equivalent_card((recognise(order),), "vadod-2021", table_recorded=True)
    assert card is not None and card.indicator == "info"
    # VA/DoD: lorazepam 2 mg = diazepam 10 mg, so 2 mg/day = 10 mg/day
    assert "diazepam 10 mg/day" in card.summary and "VA/DoD" in card.summary
    assert card.source.source_key == "vadod-2021"
    (link,) = card.links
    query = parse_qs(urlparse(link.url).query)
    assert urlparse(link.url).path == "/calculator/"
    assert query["source"] == ["vadod-2021"]
    assert query["dose-0-drug"] == ["lorazepam"] and query["dose-0-amount"] == ["1"]
    assert query["dose-0-time"] == ["08:00"] and query["dose-1-time"] == ["20:00"]


def test_the_default_table_is_named_as_the_calculators_default():
    card = equivalent_card((recognise(diazepam_tabs()),), EQUIVALENCE_TABLES[0])
    assert card is not None and "calculator's default" in card.summary


def test_an_unreadable_dose_still_gives_the_card_with_the_reason_and_the_calculator():
    order = OrderLine("x", (), "alprazolam", None, "", None)
    card = equivalent_card((recognise(order),), "ashton-2002")
    assert card is not None and "no dose quantity" in card.detail
    assert "dose-0-drug=alprazolam" in card.links[0].url


@settings(max_examples=60, deadline=None)
@given(
    tabs=st.sampled_from(["0.5", "1", "1.5", "2", "3"]),
    per_day=st.integers(min_value=1, max_value=4),
    table=st.sampled_from(EQUIVALENCE_TABLES),
    drug_code=st.sampled_from([("197591", "diazepam", 5), ("197901", "lorazepam", 1),
                               ("197528", "clonazepam", 1), ("308048", "alprazolam", "0.5")]),
)
def test_the_equivalent_is_the_core_conversion_of_the_daily_dose(tabs, per_day, table, drug_code):
    """Whatever the dose and table, the card's figure is equivalence.diazepam_eq of the daily
    dose (or both ends where the table gives a range), never a number of its own."""
    code, drug, strength = drug_code
    order = OrderLine("x", (code,), drug, Decimal(tabs), "tablet", Decimal(per_day))
    found = recognise(order)
    assert found.daily_mg == Decimal(tabs) * Decimal(strength) * per_day
    card = equivalent_card((found,), table)
    assert card is not None and card.indicator in INDICATORS and len(card.summary) < 140
    if table not in figure_tables(drug):
        assert "not listed" in card.summary and "tables that do" in card.detail
        return
    try:
        expected = [diazepam_eq(drug, found.daily_mg / per_day, table) * per_day]
    except Exception:  # a range in this table: both ends are stated
        expected = [diazepam_eq(drug, found.daily_mg / per_day, table, b) * per_day
                    for b in ("low", "high")]
    for mg in expected:
        assert f"{mg.normalize():f}" in card.summary


def test_a_dose_not_above_zero_is_not_read():
    found = recognise(OrderLine("x", ("197591",), "diazepam", Decimal(-1), "tablet", Decimal(2)))
    assert found.daily_mg is None and "not above zero" in found.why
