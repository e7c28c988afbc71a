"""FHIR import: medication resources become a draft regimen; each bad entry is refused with its
reason and the rest is read; the round trip export → import gives the same regimen."""

from __future__ import annotations

import json
from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.core.catalogue import catalogue
from benzodetox.core.errors import InputError
from benzodetox.core.plan import Plan
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.interop.fhir import (
    Subject,
    bundle,
    fhir_json,
    plan_bundle,
    read_fhir,
    regimen_statements,
)
from benzodetox.interop.fhir.codes import RXNORM

DAY = date(2025, 1, 6)
SUBJECT = {"display": "A. B."}


def statement(
    medication: dict[str, Any], *dosages: dict[str, Any], status: str = "active", ident: str = "s"
) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "id": ident,
        "status": status,
        "subject": SUBJECT,
        "medicationCodeableConcept": medication,
        "dosage": list(dosages),
    }


def dosage(value: Any, unit: str, *times: str, **repeat: Any) -> dict[str, Any]:
    return {
        "timing": {"repeat": {"timeOfDay": list(times), **repeat}},
        "doseAndRate": [{"doseQuantity": {"value": value, "unit": unit}}],
    }


def text(name: str) -> dict[str, Any]:
    return {"text": name}


def rows(draft: Any) -> list[tuple[str, str, str]]:
    return [(d.drug, str(d.mg), d.time.strftime("%H:%M")) for d in draft.doses]


def test_an_rxnorm_code_gives_the_product_and_tablets_become_mg() -> None:
    """RxNorm 197900 is lorazepam 0.5 mg tablet (existing-tools.md §c3)."""
    med = {"coding": [{"system": RXNORM, "code": "197900"}]}
    draft = read_fhir(statement(med, dosage(2, "tablet", "08:00:00", "20:00:00")), DAY)
    assert rows(draft) == [("lorazepam", "1.0", "08:00"), ("lorazepam", "1.0", "20:00")]
    assert draft.refused == ()


def test_text_and_brand_names_are_read_and_micrograms_converted() -> None:
    draft = read_fhir(
        bundle(
            [
                statement(text("Valium 5mg tablets"), dosage(5, "mg", "22:00:00"), ident="a"),
                statement(text("clonazepam"), dosage(250, "mcg", "08:00:00"), ident="b"),
            ]
        ),
        DAY,
    )
    assert rows(draft) == [("diazepam", "5", "22:00"), ("clonazepam", "0.250", "08:00")]


def test_an_unknown_drug_is_refused_on_its_entry_and_the_rest_is_read() -> None:
    draft = read_fhir(
        bundle(
            [
                statement(text("sertraline 50 mg tablet"), dosage(50, "mg", "08:00:00"), ident="a"),
                statement(text("diazepam"), dosage(5, "mg", "22:00:00"), ident="b"),
            ]
        ),
        DAY,
    )
    assert rows(draft) == [("diazepam", "5", "22:00")]
    (refusal,) = draft.refused
    assert refusal.entry == "entry[0] MedicationStatement/a"
    assert "unknown medication" in refusal.reason and "sertraline" in refusal.reason


@pytest.mark.parametrize(
    ("dose", "why"),
    [
        (dosage(5, "g", "08:00:00"), "unit 'g'"),
        (dosage(5, "mL", "08:00:00"), "unit 'mL'"),
        (dosage(1, "tablet", "08:00:00"), "needs the product's strength"),
        (dosage(5, "mg"), "no times of day"),
        (dosage(5, "mg", "08:00:00", frequency=2), "frequency 2"),
        (dosage(5, "mg", "08:00:00", period=1, periodUnit="wk"), "every 1 wk"),
        (dosage(5, "mg", "08:00:00", dayOfWeek=["mon"]), "dayOfWeek"),
        (dosage(5, "mg", "08:00:30"), "a time on the minute"),
        (dosage(0, "mg", "08:00:00"), "greater than zero"),
        ({**dosage(5, "mg", "08:00:00"), "asNeededBoolean": True}, "as-needed"),
        ({"timing": {"repeat": {"timeOfDay": ["08:00:00"]}}}, "one dose"),
    ],
)
def test_each_dose_the_importer_cannot_read_exactly_is_refused(
    dose: dict[str, Any], why: str
) -> None:
    draft = read_fhir(bundle([statement(text("diazepam"), dose, ident="x")]), DAY)
    assert draft.doses == ()
    (refusal,) = draft.refused
    assert refusal.entry == "entry[0] MedicationStatement/x"
    assert why in refusal.reason


def test_half_a_scored_tablet_is_read_and_half_an_unscored_one_refused() -> None:
    scored = {"coding": [{"system": RXNORM, "code": "197591"}]}  # diazepam 5 mg, scored
    unscored = {"coding": [{"system": RXNORM, "code": "197900"}]}  # lorazepam 0.5 mg
    draft = read_fhir(
        bundle(
            [
                statement(scored, dosage(Decimal("0.5"), "TAB", "22:00:00"), ident="a"),
                statement(unscored, dosage(Decimal("0.5"), "tablet", "22:00:00"), ident="b"),
            ]
        ),
        DAY,
    )
    assert rows(draft) == [("diazepam", "2.5", "22:00")]
    assert "score allows" in draft.refused[0].reason


def test_stopped_statements_and_invalid_resources_are_refused_by_name() -> None:
    bad = statement(text("diazepam"), dosage(5, "mg", "08:00:00"), ident="c")
    bad["dosage"][0]["sequence"] = "first"
    draft = read_fhir(
        bundle(
            [
                statement(text("diazepam"), dosage(5, "mg", "08:00:00"), status="stopped"),
                bad,
            ]
        ),
        DAY,
    )
    assert draft.doses == ()
    assert "status 'stopped'" in draft.refused[0].reason
    assert draft.refused[1].reason.startswith("not valid FHIR R4: dosage.0.sequence")


def test_the_same_drug_at_the_same_time_twice_refuses_the_later_entry() -> None:
    draft = read_fhir(
        bundle(
            [
                statement(text("diazepam"), dosage(5, "mg", "22:00:00"), ident="a"),
                statement(text("Valium"), dosage(2, "mg", "22:00:00"), ident="b"),
            ]
        ),
        DAY,
    )
    assert rows(draft) == [("diazepam", "5", "22:00")]
    assert draft.refused[0].entry.endswith("MedicationStatement/b")
    assert "already given by entry[0]" in draft.refused[0].reason


def test_an_implausible_daily_total_is_refused_on_the_entries_of_that_drug() -> None:
    limit = catalogue().drugs["alprazolam"].max_daily.mg * 4
    draft = read_fhir(
        statement(text("alprazolam"), dosage(limit + 1, "mg", "08:00:00")), DAY
    )
    assert draft.doses == ()
    assert "daily total" in draft.refused[0].reason


def test_medication_references_resolve_to_contained_and_bundled_medications() -> None:
    contained = statement({}, dosage(5, "mg", "08:00:00"), ident="a")
    del contained["medicationCodeableConcept"]
    contained["medicationReference"] = {"reference": "#m1"}
    contained["contained"] = [{"resourceType": "Medication", "id": "m1", "code": text("diazepam")}]
    request = {
        "resourceType": "MedicationRequest",
        "id": "r",
        "status": "active",
        "intent": "order",
        "subject": SUBJECT,
        "medicationReference": {"reference": "Medication/m2"},
        "dosageInstruction": [dosage(1, "mg", "22:00:00")],
    }
    medication = {"resourceType": "Medication", "id": "m2",
                  "code": {"coding": [{"system": RXNORM, "code": "197901"}]}}
    assert rows(read_fhir(contained, DAY)) == [("diazepam", "5", "08:00")]
    assert rows(read_fhir(bundle([medication, request]), DAY)) == [("lorazepam", "1", "22:00")]


def test_requests_beside_statements_are_left_aside_as_orders() -> None:
    request = {
        "resourceType": "MedicationRequest",
        "id": "r",
        "status": "active",
        "intent": "order",
        "subject": SUBJECT,
        "medicationCodeableConcept": text("diazepam"),
        "dosageInstruction": [dosage(5, "mg", "22:00:00")],
    }
    draft = read_fhir(
        bundle([statement(text("diazepam"), dosage(5, "mg", "22:00:00")), request]), DAY
    )
    assert rows(draft) == [("diazepam", "5", "22:00")]
    assert draft.refused == ()
    assert "an order" in draft.ignored[0]


def test_anything_but_a_bundle_or_medication_resource_is_refused_on_fhir() -> None:
    for data in ({"resourceType": "Patient"}, [], "text", {"resourceType": "Bundle", "entry": 3}):
        with pytest.raises(InputError) as caught:
            read_fhir(data, DAY)
        assert caught.value.field == "fhir"


@pytest.mark.parametrize("shape", ["sequenced", "per-step"])
def test_a_plan_read_on_a_step_day_gives_the_doses_of_that_step(
    crossover_plan: Plan, shape: str
) -> None:
    """The taper's Dosages in force on the day (boundsPeriod) are the regimen then, in both
    shapes."""
    data = json.loads(fhir_json(plan_bundle(crossover_plan, shape)), parse_float=Decimal)
    for step in crossover_plan.steps:
        draft = read_fhir(data, step.start)
        expected = sorted(
            (d.drug, d.mg, d.time) for d in step.doses if d.mg > 0
        )
        assert sorted((d.drug, d.mg, d.time) for d in draft.doses) == expected, step.index
        assert draft.refused == ()


# --- round trip ------------------------------------------------------------------------------

DRUGS = tuple(sorted(catalogue().drugs))
TIMES = tuple(time(h, m) for h in range(0, 24, 2) for m in (0, 30))


@st.composite
def regimens(draw: st.DrawFn) -> Regimen:
    """1–3 drugs, 1–3 doses each at distinct times, each dose within what the regimen form
    accepts (at most the drug's label daily maximum), in whole micrograms."""
    drugs = draw(st.lists(st.sampled_from(DRUGS), min_size=1, max_size=3, unique=True))
    doses = []
    for drug in drugs:
        times = draw(st.lists(st.sampled_from(TIMES), min_size=1, max_size=3, unique=True))
        most = int(catalogue().drugs[drug].max_daily.mg * 1000) // len(times)
        for at in times:
            ug = draw(st.integers(min_value=1, max_value=most))
            doses.append(Dose(at, drug, Decimal(ug) / 1000))
    return Regimen(tuple(doses))


@settings(max_examples=60, deadline=None)
@given(regimens(), st.booleans())
def test_export_then_import_gives_the_same_regimen(reg: Regimen, as_floats: bool) -> None:
    """Through the JSON text, read with exact decimals or as floats by a consumer."""
    exported = bundle(regimen_statements(reg, Subject("A. B.", "Patient/1")))
    text = fhir_json(exported)
    data = json.loads(text) if as_floats else json.loads(text, parse_float=Decimal)
    draft = read_fhir(data, DAY)
    assert draft.refused == ()
    assert draft.regimen == reg
