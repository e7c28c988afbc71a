"""The pharmacy order PDF, read back with pdftotext: who it is for and who prescribed it, each
product's directions and its total in words and figures per supply period (1, 7, 14 or 28 days
or per step), and the signature lines — what a controlled-drug prescription must carry (UK
Misuse of Drugs Regulations 2001 reg. 15; US 21 CFR 1306.05(a))."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest

from benzodetox.core.errors import InputError
from benzodetox.core.supply import OrderHeader, pharmacy_order
from benzodetox.reports.common import format_day
from benzodetox.reports.pharmacy_order import header_rows, pharmacy_order_pdf

from ..core.careplan.example_plans import diazepam_plan

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

HEADER = OrderHeader(
    patient_name="A. Patient",
    record_number="A-001",
    year_of_birth=1961,
    prescriber="Dr Asha Rao",
    second_approver="Dr Ben Lee",
    plan_version=3,
    approved_on=date(2025, 3, 1),
    programme="North clinic",
)


def text_of(pdf: bytes) -> str:
    """pdftotext of the PDF with every run of white space one space."""
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return re.sub(r"\s+", " ", out.stdout.decode("utf-8"))


def squash(words: str) -> str:
    """Without spaces and hyphens (pdftotext breaks table cells and hyphenated words)."""
    return re.sub(r"[\s-]+", "", words)


@pytest.fixture(scope="module")
def weekly() -> str:
    return text_of(pharmacy_order_pdf(diazepam_plan("ashton-2002"), 7, header=HEADER))


def test_the_order_names_the_patient_record_year_of_birth_prescribers_version_and_approval(
    weekly,
):
    """Each header field appears with its label; the year of birth is labelled as a year."""
    for label, value in (
        ("Patient", "A. Patient"),
        ("Record number", "A-001"),
        ("Year of birth", "1961 (only the year of birth is recorded)"),
        ("Prescriber", "Dr Asha Rao"),
        ("Second approving prescriber", "Dr Ben Lee"),
        ("Plan", "version 3"),
        ("Approved on", "Sat 1 Mar 2025"),
        ("Programme", "North clinic"),
    ):
        assert f"{label} {value}" in weekly
    assert "Patient's address" in weekly


def test_each_products_directions_and_total_in_words_and_figures_appear_per_period(weekly):
    """For every 7-day period each line's total as core.supply words it (e.g. 'fourteen (14)
    tablets'), alone or as 'each supply' of a run of equal weeks; the order runs from the plan's
    first day to its last; the first run's directions in plain words."""
    plan = diazepam_plan("ashton-2002")
    order = pharmacy_order(plan, 7)
    assert len(order) > 2
    assert f"{format_day(plan.start)} to " in weekly
    for period in order:
        for line in period.lines:
            assert squash(line.total_text) in squash(weekly), line
    assert f"to {format_day(plan.end)}" in weekly
    assert squash(
        "Take 1 × 5 mg tablet at 08:00 and 1 × 5 mg at 22:00 daily, Mon 3 Mar – Sun 16 Mar 2025"
    ) in squash(weekly)
    assert "each supply fourteen (14) tablets; in all twenty-eight (28) tablets" in weekly


def test_a_liquid_total_reads_in_ml_words_and_figures_with_the_oral_syringe():
    """The example plan's liquid step: 87.5 mL over 28 days reads 'eighty-seven point five
    (87.5) mL', with its bottles, and its direction names the oral syringe."""
    text = text_of(pharmacy_order_pdf(diazepam_plan("ashton-2002"), 28, header=HEADER))
    assert "eighty-seven point five (87.5) mL" in text
    assert squash("measured with an oral syringe (0.4 mg in each mL)") in squash(text)


def test_the_order_has_signature_lines_for_prescriber_and_dispensing_pharmacist(weekly):
    """Prescriber's signature, name, address and registration number, date signed; the
    dispensing pharmacist's name and signature and the date dispensed; the rules it follows."""
    for line in (
        "Prescriber's signature",
        "Prescriber's name Dr Asha Rao",
        "Prescriber's address and registration / DEA number",
        "Date signed",
        "Dispensed by (pharmacist's name and signature)",
        "Date dispensed",
    ):
        assert line in weekly
    assert "Misuse of Drugs Regulations 2001, reg. 15" in weekly
    assert "21 CFR 1306.05(a)" in weekly


@pytest.mark.parametrize(("period", "said"), [(1, "every 1 day"), (14, "every 14 days"),
                                              (28, "every 28 days"), (None, "per plan step")])
def test_every_allowed_period_makes_an_order_that_says_its_period(period, said):
    """1, 14 and 28 days and per step each give a PDF naming its period; the figures are
    the plan's (the first period's dates appear)."""
    plan = diazepam_plan("ashton-2002")
    text = text_of(pharmacy_order_pdf(plan, period, header=HEADER))
    assert f"Supply {said}" in text
    first = pharmacy_order(plan, period)[0]
    assert f"{format_day(first.start)} to " in text


def test_a_period_outside_the_four_is_refused_naming_them():
    """period_days=10: an InputError naming 1, 7, 14 or 28 days or per step, no PDF."""
    with pytest.raises(InputError, match="1, 7, 14 or 28 days, or one period per plan step"):
        pharmacy_order_pdf(diazepam_plan("ashton-2002"), 10)


def test_what_is_not_recorded_says_so_and_a_single_approver_has_no_second_line():
    """No year of birth, one prescriber: 'not recorded', and no second-approver row."""
    rows = dict(header_rows(OrderHeader(patient_name="B", record_number="B-2",
                                        prescriber="Dr X", plan_version=1)))
    assert rows["Year of birth"] == "not recorded"
    assert rows["Approved on"] == "not approved"
    assert "Second approving prescriber" not in rows


def test_the_staged_supply_reason_is_printed_beside_the_period():
    """period_note (why this period) follows the period on the order."""
    text = text_of(pharmacy_order_pdf(diazepam_plan("ashton-2002"), 7, header=HEADER,
                                      period_note="staged supply: high withdrawal risk"))
    assert "Supply every 7 days — staged supply: high withdrawal risk." in text


def test_the_quantities_and_equivalence_table_are_still_those_of_core_supply():
    """Replaces the quantities check of test_pdf.py: each period's dates and products as
    core.supply computes them, the rounded-up part named, 87.5 mL and the table's key."""
    plan = diazepam_plan("ashton-2002")
    text = text_of(pharmacy_order_pdf(plan, 28))
    for period in pharmacy_order(plan, 28):
        assert f"{format_day(period.start)} to {format_day(period.end)}" in text
        for line in period.lines:
            assert line.product in text
    assert "four (4) tablets" in text and "3½ taken; rounded up to whole units" in text
    assert "87.5" in text
    assert "Equivalence table: ashton-2002" in text


def test_a_daily_supply_prints_each_run_of_equal_days_once_with_each_supply_and_the_total():
    """Daily supply of the example plan: a step's equal days are one block ('7 supplies of 1
    day each, the same each time'), each line giving what each supply holds and the run's
    total in words and figures; the direction spans the whole run."""
    from benzodetox.reports.pharmacy_order import _order_rows

    plan = diazepam_plan("ashton-2002")
    order = pharmacy_order(plan, 1)
    rows = _order_rows(order)
    assert len(rows) < len(order)
    first_step = plan.steps[0]
    block = rows[0]
    assert block["days"] == f"{first_step.days} supplies of 1 day each, the same each time"
    assert (block["start"], block["end"]) == (format_day(first_step.start),
                                              format_day(first_step.end))
    (line,) = block["lines"]
    per_day = order[0].lines[0]
    assert line["total"].startswith(f"each supply {per_day.total_text}; in all ")
    assert f"({per_day.units * first_step.days})" in line["total"]
    text = text_of(pharmacy_order_pdf(plan, 1, header=HEADER))
    assert "supplies of 1 day each, the same each time" in text
