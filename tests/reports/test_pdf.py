"""The handout and pharmacy order print the plan's exact doses and dates (read back with
pdftotext), on A4 or Letter, with the equivalence table named on every page."""

import re
import shutil
import subprocess
from datetime import date
from fractions import Fraction

import pytest

from benzodetox.core.careplan.relapse import Lifestyle, RelapsePlan, SupportContact, Trigger
from benzodetox.core.dispensing import describe_take
from benzodetox.core.errors import InputError
from benzodetox.core.supply import pharmacy_order
from benzodetox.core.units import format_mg
from benzodetox.reports.pdf import (
    format_day,
    handout_pdf,
    pharmacy_order_pdf,
)
from benzodetox.reports.svg_tablets import tablet_svg

from ..core.careplan.example_plans import diazepam_plan

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

RELAPSE = RelapsePlan(
    goals=("Sleep without tablets",),
    triggers=(Trigger("Lying awake at night", "internal", ("Get up and read",)),),
    warning_signs=("Skipping meals",),
    contacts=(SupportContact("crisis_line", "Samaritans", "116 123"),),
    after_lapse=("Tell my prescriber",),
    lifestyle=Lifestyle(sleep="Up at 7 every day"),
    version=2,
    reason="reviewed at visit",
    updated_on=date(2025, 3, 17),
)


def text_of(pdf: bytes, *args: str) -> str:
    out = subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True,
                         check=True)
    return out.stdout.decode("utf-8")


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def pages(pdf: bytes) -> list[str]:
    return text_of(pdf).split("\f")[:-1]


@pytest.fixture(scope="module")
def handout() -> bytes:
    return handout_pdf(
        diazepam_plan("ashton-2002"),
        patient_name="A. Patient",
        contacts=(SupportContact("prescriber", "Dr Rao", "0161 496 0000"),),
        relapse_plan=RELAPSE,
    )


def test_the_handout_shows_every_steps_dates_and_doses_exactly(handout):
    """Each step's first and last day, each dose in mg and each take as the plan has them."""
    text = flat(text_of(handout))
    plan = diazepam_plan("ashton-2002")
    for step in plan.steps:
        assert format_day(step.start) in text
        assert f"to {format_day(step.end)}" in text
        for dose in step.doses:
            assert f"{dose.time:%H:%M} — {dose.drug} {format_mg(dose.mg)}:" in text
            for take in dose.takes:
                assert describe_take(take) in text
        for drug in step.drugs:
            assert f"{format_mg(step.daily_mg(drug))} {drug}" in text
    assert "½ × Diazepam 5 mg tablets" in text
    assert "¼ × Diazepam 2 mg tablets" in text
    assert "6.25 mL of Diazepam 2 mg/5 mL oral solution" in text
    assert "No more doses" in text


def test_the_handout_calendar_marks_each_day_and_each_dose_change(handout):
    """Every day of the plan is in the calendar; the four changes are flagged."""
    text = flat(text_of(handout))
    assert text.count("NEW DOSE") == 3
    assert "STOP" in text
    for label in ("3 Mar 2025", "16 Mar", "17 Mar", "27 Apr", "28 Apr"):
        assert label in text


def test_the_equivalence_table_is_named_on_every_page(handout):
    """The footer names the plan's equivalence table on each page."""
    found = pages(handout)
    assert len(found) >= 2
    assert all("Equivalence table: ashton-2002" in page for page in found)


def test_the_handout_says_when_to_call_and_carries_contacts_and_relapse_plan(handout):
    """Withdrawal, when to call, both contact lists and the relapse plan's version appear."""
    text = flat(text_of(handout))
    assert "What withdrawal may feel like" in text
    assert "Call emergency services now" in text
    assert "Dr Rao" in text and "Samaritans" in text
    assert "Version 2, updated Mon 17 Mar 2025 (reviewed at visit)." in text
    assert "Lying awake at night" in text and "Up at 7 every day" in text


def test_the_handout_prints_on_letter_paper_and_refuses_other_sizes():
    """Letter gives 612 x 792 pt pages; an unknown size is an InputError."""
    pdf = handout_pdf(diazepam_plan(), page_size="Letter")
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    assert "612 x 792 pts" in info.stdout.decode()
    with pytest.raises(InputError):
        handout_pdf(diazepam_plan(), page_size="A5")


def test_the_pharmacy_order_lists_each_periods_quantities():
    """Each supply period's dates and quantities appear as core.supply computes them."""
    plan = diazepam_plan("ashton-2002")
    text = flat(text_of(pharmacy_order_pdf(plan, 28)))
    for period in pharmacy_order(plan, 28):
        assert f"{format_day(period.start)} to {format_day(period.end)}" in text
        for line in period.lines:
            assert line.product in text
    assert "4 (3½ taken)" in text
    assert "87.5 mL" in text
    assert "Equivalence table: ashton-2002" in text


@pytest.mark.parametrize(
    ("count", "circles", "sectors"),
    [(Fraction(1), 1, 0), (Fraction(1, 2), 1, 1), (Fraction(5, 3), 2, 1), (Fraction(3, 4), 1, 1)],
)
def test_tablet_pictures_draw_whole_tablets_and_the_part_left_over(count, circles, sectors):
    """Whole tablets are circles; ½, ⅓, ¼ (and ⅔, ¾) are one sector in a dashed outline."""
    svg = tablet_svg(count)
    assert svg.count("<circle") == circles
    assert svg.count("<path") == sectors
    assert svg.startswith("<svg") and "<title>" in svg


# -- what the planner produces: supply doses, a forced switch, bigger steps, all warnings --------


def _planned(doses, **request):
    """A plan the planner builds from ``doses`` ((time, drug, mg) triples), starting 2025-03-03."""
    from datetime import time
    from decimal import Decimal

    from benzodetox.core.plan import PlanRequest
    from benzodetox.core.regimen import Dose, Regimen
    from benzodetox.core.tapering import build_plan

    regimen = Regimen(tuple(Dose(time.fromisoformat(at), drug, Decimal(mg))
                            for at, drug, mg in doses))
    return build_plan(PlanRequest(regimen=regimen, source="ashton-2002", start=date(2025, 3, 3),
                                  market="us", **request))


@pytest.fixture(scope="module")
def nitrazepam_plan():
    """Nitrazepam 5 mg at 08:00 and 10 mg at 22:00 (no US product), switched to diazepam."""
    return _planned([("08:00", "nitrazepam", "5"), ("22:00", "nitrazepam", "10")],
                    switch_to="diazepam")


@pytest.fixture(scope="module")
def alprazolam_plan():
    """Alprazolam 0.5 mg at 22:00, tablets only: the products force a switch to diazepam and
    the Ashton ending's step beyond the 25 % ceiling."""
    return _planned([("22:00", "alprazolam", "0.5")], allow_liquid=False)


def test_the_handout_says_from_your_current_supply_and_until_when(nitrazepam_plan):
    """The morning nitrazepam dose reads 'from your current supply' beside its time and mg, and
    'Please read first' tells the patient the pharmacy gives none and until when it lasts."""
    text = flat(text_of(handout_pdf(nitrazepam_plan)))
    supply = [(s, d) for s in nitrazepam_plan.steps for d in s.doses if d.from_supply]
    assert supply
    for _step, dose in supply:
        assert (f"{dose.time:%H:%M} — nitrazepam {format_mg(dose.mg)}: from your current supply"
                " (the pharmacy does not give you this)") in text
    last = max(step.end for step, _ in supply)
    first_page = pages(handout_pdf(nitrazepam_plan))[0]
    assert "Please read first" in first_page
    assert (f"the pharmacy will not give you more nitrazepam. Make sure you have enough to last"
            f" until {format_day(last)}") in text
    assert "Your medicine changes to diazepam" in text
    assert "own supply" in text  # the day-by-day calendar cell


def test_the_handout_names_a_switch_the_products_forced_and_marks_the_bigger_step(
    alprazolam_plan,
):
    """The plan's forced switch to diazepam is told to the patient with its reason and that
    alprazolam stops, and the step its warnings name is marked 'bigger step' with what to do;
    each step says its cut."""
    from benzodetox.reports.pdf import patient_notices

    assert any("so the plan switches to diazepam" in w for w in alprazolam_plan.warnings)
    notices = patient_notices(alprazolam_plan)
    assert notices[0].startswith("Your medicine changes to diazepam, starting on ")
    assert "do not take your alprazolam any more: diazepam replaces it" in notices[0]
    assert "alprazolam products available cannot make the small steps" in notices[0]
    text = flat(text_of(handout_pdf(alprazolam_plan)))
    for notice in notices:
        assert notice in text
    warned = [s for s in alprazolam_plan.steps if s.warnings]
    assert warned and text.count("BIGGER STEP") == len(warned)
    assert "This change is bigger than the plan's usual steps" in text
    step = warned[0]
    assert f"Down {step.reduction_percent.normalize():f} % from the step before" in text


def test_the_pharmacy_order_shows_every_plan_warning_and_leaves_supply_doses_out(
    nitrazepam_plan, alprazolam_plan
):
    """The clinician's and pharmacist's document: each plan warning in full, each step's
    warnings in the schedule, and the supply doses listed as not dispensed (no nitrazepam line
    in any period)."""
    def squash(words: str) -> str:  # pdftotext may join a line broken at a hyphen
        return re.sub(r"[\s-]+", "", words)

    text = flat(text_of(pharmacy_order_pdf(alprazolam_plan, 28)))
    assert "Plan warnings" in text
    for warning in alprazolam_plan.warnings:
        assert squash(warning.lstrip("⚠ ")) in squash(text)
    for step in alprazolam_plan.steps:
        for warning in step.warnings:
            assert squash(f"Warning: {warning}") in squash(text)
    text = flat(text_of(pharmacy_order_pdf(nitrazepam_plan, 28)))
    assert "Not dispensed — from the patient's current supply" in text
    first = nitrazepam_plan.steps[0]
    assert (f"nitrazepam 5 mg at 08:00, {format_day(first.start)} to {format_day(first.end)}"
            in text)
    assert "08:00 nitrazepam 5 mg: from the patient's current supply (not dispensed)" in text
    assert all(line.product_id.split("-")[1] != "nitrazepam"
               for period in pharmacy_order(nitrazepam_plan, 28) for line in period.lines)
