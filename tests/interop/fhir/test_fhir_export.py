"""FHIR R4 export: every resource the mapping makes validates with the fhir.resources R4B
models, and carries exactly the plan's doses, dates and products (existing-tools.md §c1–c3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from benzodetox.core.assessment import INSTRUMENTS, instrument
from benzodetox.core.catalogue import catalogue
from benzodetox.core.plan import Plan
from benzodetox.interop.fhir import (
    Activity,
    CarePlanFacts,
    PatientExport,
    PatientFacts,
    PlanContext,
    RecordedAssessment,
    Subject,
    assessment_resources,
    careplan,
    conditions,
    everything_bundle,
    fhir_json,
    operation_outcome,
    patient,
    plan_bundle,
    plan_requests,
    questionnaire,
    regimen_statements,
)
from benzodetox.interop.fhir.codes import CS_SCORE, RXNORM, questionnaire_url
from benzodetox.interop.fhir.medication import drug_concept

from .conftest import regimen
from .validate import valid, valid_bundle

SUBJECT = Subject("A. B.", "Patient/7")
NOW = datetime(2025, 1, 6, 9, 30, tzinfo=UTC)


def _ctx(**kwargs: object) -> PlanContext:
    return PlanContext(SUBJECT, "patient-7-plan-v1", **kwargs)  # type: ignore[arg-type]


def test_the_regimen_is_one_active_statement_per_drug_with_its_doses_in_mg() -> None:
    """Concurrent doses of one drug share sequence 1; each Dosage has its time and mg."""
    reg = regimen(
        ("diazepam", "5", "08:00"), ("diazepam", "7.5", "22:00"), ("zolpidem", "10", "22:00")
    )
    statements = regimen_statements(reg, SUBJECT, asserted=NOW)
    assert [s["medicationCodeableConcept"]["coding"][0]["code"] for s in statements] == [
        "diazepam",
        "zolpidem",
    ]
    model = valid(statements[0])
    assert model.status == "active"
    doses = [(d.timing.repeat.timeOfDay[0].isoformat(), d.doseAndRate[0].doseQuantity.value)
             for d in model.dosage]
    assert doses == [("08:00:00", Decimal("5")), ("22:00:00", Decimal("7.5"))]
    assert {d.sequence for d in model.dosage} == {1}
    assert model.dosage[0].doseAndRate[0].doseQuantity.code == "mg"
    valid(statements[1])


def test_a_sequenced_request_has_every_dose_of_every_step_with_its_dates(
    diazepam_plan: Plan,
) -> None:
    """One MedicationRequest per drug; Dosage i of step n: sequence n, boundsPeriod = the step,
    doseQuantity = the planned mg exactly (printed = scheduled)."""
    (request,) = plan_requests(diazepam_plan, _ctx())
    model = valid(request)
    expected = [
        (n, step.start, step.end, dose.time, dose.mg)
        for n, step in enumerate(diazepam_plan.steps, start=1)
        for dose in step.doses
        if dose.mg > 0
    ]
    got = [
        (
            d.sequence,
            d.timing.repeat.boundsPeriod.start,
            d.timing.repeat.boundsPeriod.end,
            d.timing.repeat.timeOfDay[0],
            d.doseAndRate[0].doseQuantity.value,
        )
        for d in model.dosageInstruction
    ]
    assert [(n, str(s), str(e), t, mg) for n, s, e, t, mg in got] == [
        (n, s.isoformat(), e.isoformat(), t, mg) for n, s, e, t, mg in expected
    ]
    sequences = [d.sequence for d in model.dosageInstruction]
    assert sequences == sorted(sequences)
    assert model.status == "draft" and model.intent == "proposal"
    assert model.groupIdentifier.value == "patient-7-plan-v1"


def test_half_tablets_and_products_are_in_the_dosage_text(diazepam_plan: Plan) -> None:
    (request,) = plan_requests(diazepam_plan, _ctx())
    halves = [
        (dose, step)
        for step in diazepam_plan.steps
        for dose in step.doses
        if any(t.count is not None and t.count.denominator == 2 for t in dose.takes)
    ]
    assert halves, "the plan needs half tablets for this test"
    texts = [d["text"] for d in request["dosageInstruction"]]
    assert any("½ × Diazepam" in text for text in texts)
    assert all(" mg at " in text for text in texts)


def test_an_approved_plan_is_an_active_order_with_its_supply(diazepam_plan: Plan) -> None:
    (request,) = plan_requests(diazepam_plan, _ctx(approved=True, authored=NOW, period_days=14))
    model = valid(request)
    assert (model.status, model.intent) == ("active", "order")
    supply = model.dispenseRequest
    assert supply.dispenseInterval.value == 14 and supply.dispenseInterval.code == "d"
    assert str(supply.validityPeriod.start) == diazepam_plan.start.isoformat()
    assert supply.numberOfRepeatsAllowed >= 1
    assert model.note and model.note[0].text.startswith("Supply 1, ")
    assert "(" in model.note[0].text  # the total in words and figures


def test_one_product_carries_its_rxnorm_code_from_the_reference() -> None:
    """existing-tools.md §c3: diazepam 5 mg tablet is RxNorm 197591; a drug given as several
    products is coded as the drug (RxNorm ingredient codes are not in the reference)."""
    product = next(p for p in catalogue().products if p.rxnorm == "197591")
    concept = drug_concept("diazepam", [product.id])
    assert concept["coding"][0] == {"system": RXNORM, "code": "197591", "display": product.name}
    several = drug_concept("diazepam", ["us-diazepam-tab-5", "us-diazepam-tab-2"])
    assert all(c["system"] != RXNORM for c in several["coding"])


def test_per_step_requests_have_one_dosage_each_and_add_up_to_each_step(
    crossover_plan: Plan,
) -> None:
    """For consumers that assume one Dosage: dose × frequency over a step's requests of a drug
    is the step's daily mg of that drug; all share the plan's groupIdentifier."""
    requests = plan_requests(crossover_plan, _ctx(), "per-step")
    models = [valid(r) for r in requests]
    assert all(len(m.dosageInstruction) == 1 for m in models)
    assert {m.groupIdentifier.value for m in models} == {"patient-7-plan-v1"}
    for n, step in enumerate(crossover_plan.steps, start=1):
        for drug in step.drugs:
            total = sum(
                (
                    m.dosageInstruction[0].doseAndRate[0].doseQuantity.value
                    * m.dosageInstruction[0].timing.repeat.frequency
                    for m, r in zip(models, requests, strict=True)
                    if m.dosageInstruction[0].sequence == n
                    and r["medicationCodeableConcept"]["text"].lower().startswith(drug)
                ),
                Decimal(0),
            )
            assert total == step.daily_mg(drug), (n, drug)
    assert len({r["id"] for r in requests}) == len(requests)


def test_a_plan_bundle_from_the_command_line_validates_and_names_no_patient(
    crossover_plan: Plan,
) -> None:
    bundle = plan_bundle(crossover_plan, timestamp=NOW)
    resources = valid_bundle(bundle)
    assert bundle["type"] == "collection"
    assert {r.get_resource_type() for r in resources} == {"MedicationRequest"}
    assert all(r.subject.reference is None and r.subject.display for r in resources)
    assert len({e["fullUrl"] for e in bundle["entry"]}) == len(resources)


def test_every_instrument_has_a_questionnaire_with_its_items() -> None:
    for key in INSTRUMENTS:
        q = valid(questionnaire(key))
        assert q.url == questionnaire_url(key)
        assert len(q.item) == len(instrument(key).items)
        assert q.code[0].system == CS_SCORE  # no LOINC code is confirmed in the reference


def test_an_assessment_is_a_response_and_a_total_derived_from_it() -> None:
    row = RecordedAssessment("41", "gad-7", NOW, (1, 1, 2, 1, 0, 1, 0), 6, "mild", True)
    response, observation = assessment_resources(row, SUBJECT)
    qr = valid(response)
    assert qr.questionnaire == questionnaire_url("gad-7") + "|1"
    assert [i.answer[0].valueInteger for i in qr.item] == [1, 1, 2, 1, 0, 1, 0]
    assert observation is not None
    obs = valid(observation)
    assert obs.valueInteger == 6
    assert obs.derivedFrom[0].reference == f"QuestionnaireResponse/{response['id']}"
    assert obs.method.coding[0].code == "clinician"
    assert obs.interpretation[0].text == "mild"


def test_a_self_reported_assessment_says_so_and_is_never_a_ciwa_b_total() -> None:
    """Portal check-ins answer CIWA-B items 1–17 only: their sum is coded apart."""
    row = RecordedAssessment("42", "ciwa-b", NOW, tuple([1] * 17), 17, self_reported=True)
    response, observation = assessment_resources(row, SUBJECT)
    assert observation is not None
    obs = valid(observation)
    assert obs.method.coding[0].code == "self"
    assert obs.code.coding[0].code == "ciwa-b-patient-part"
    assert obs.performer[0].reference == "Patient/7"
    assert "Self-reported" in obs.note[0].text
    assert valid(response).author.reference == "Patient/7"
    unbanded = RecordedAssessment("43", "ciwa-b", NOW, tuple([2] * 20), 40, "moderate", False)
    obs2 = valid(assessment_resources(unbanded, SUBJECT)[1])  # type: ignore[arg-type]
    assert obs2.code.coding[0].code == "ciwa-b-total"
    assert "not confirmed" in obs2.interpretation[0].text


def test_patient_conditions_careplan_and_outcome_validate() -> None:
    facts = PatientFacts("7", "A-001", "A. B.", 1970, "Programme A")
    p = valid(patient(facts))
    assert (p.identifier[0].value, str(p.birthDate)) == ("A-001", "1970")
    made = conditions(["bipolar", "not-a-condition"], SUBJECT, NOW, "cond-7")
    assert len(made) == 1 and valid(made[0]).code.coding[0].code == "bipolar"
    plan = careplan(
        CarePlanFacts(
            "cp-7",
            "Taper",
            activities=(
                Activity("aftercare", "Review at 3 months"),
                Activity("psychosocial", "CBT weekly"),
                Activity("taper", "Diazepam", reference="MedicationRequest/x"),
            ),
        ),
        SUBJECT,
    )
    model = valid(plan)
    assert model.activity[0].reference.reference == "MedicationRequest/x"
    assert [a.detail.code.text for a in model.activity[1:]] == ["psychosocial", "aftercare"]
    valid(operation_outcome("not-found", "Patient/9 is not known"))


def test_everything_validates_and_links_the_careplan_and_requests(diazepam_plan: Plan) -> None:
    facts = PatientFacts("7", "A-001", "A. B.", 1970)
    data = PatientExport(
        patient=facts,
        regimen=regimen(("diazepam", "10", "08:00"), ("diazepam", "10", "22:00")),
        plan=diazepam_plan,
        plan_context=PlanContext(facts.subject, "g", approved=True),
        careplan=CarePlanFacts("cp-7", "Taper"),
        conditions=("ptsd",),
        assessments=[
            RecordedAssessment(str(i), key, NOW, (0,) * len(instrument(key).items), 0)
            for i, key in enumerate(INSTRUMENTS)
        ],
    )
    bundle = everything_bundle(data, base="https://example.org/fhir/R4/", timestamp=NOW)
    resources = valid_bundle(bundle)
    kinds = [r.get_resource_type() for r in resources]
    for kind in ("Patient", "Condition", "MedicationStatement", "MedicationRequest", "CarePlan",
                 "Questionnaire", "QuestionnaireResponse", "Observation"):
        assert kind in kinds, kind
    assert bundle["type"] == "searchset" and bundle["total"] == len(resources)
    assert bundle["entry"][0]["fullUrl"] == "https://example.org/fhir/R4/Patient/7"
    request = next(r for r in resources if r.get_resource_type() == "MedicationRequest")
    assert request.basedOn[0].reference == "CarePlan/cp-7"
    cp = next(r for r in resources if r.get_resource_type() == "CarePlan")
    assert cp.activity[0].reference.reference == f"MedicationRequest/{request.id}"


def test_doses_are_written_as_exact_json_numbers() -> None:
    reg = regimen(("clonazepam", "0.125", "22:00"))
    text = fhir_json(regimen_statements(reg, SUBJECT)[0])
    assert '"value": 0.125' in text
    assert json.loads(text)["dosage"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 0.125
