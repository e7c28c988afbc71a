"""The pharmacy order as CSV: exact quantities per product per supply period."""

import csv
import io
from fractions import Fraction

from benzodetox.core.supply import pharmacy_order
from benzodetox.interop.csv_export import pharmacy_order_csv

from ..core.careplan.example_plans import diazepam_plan


def test_the_pharmacy_csv_has_one_row_per_product_per_period_with_exact_values():
    """Rows match core.supply; counts are exact fractions; the table is on every row."""
    plan = diazepam_plan("ashton-2002")
    rows = list(csv.DictReader(io.StringIO(pharmacy_order_csv(plan, 28))))
    periods = pharmacy_order(plan, 28)
    assert len(rows) == sum(len(p.lines) for p in periods)
    quarter = next(r for r in rows if r["product_id"] == "diazepam-2mg-tab")
    assert (quarter["units"], quarter["units_taken"]) == ("4", "7/2")
    assert Fraction(quarter["units_taken"]) == Fraction(7, 2)
    liquid = next(r for r in rows if r["form"] == "oral solution")
    assert liquid["ml"] == "87.5"
    assert {r["equivalence_table"] for r in rows} == {"ashton-2002"}


def test_every_row_carries_the_header_fields_the_total_in_words_and_the_directions():
    """With an OrderHeader: patient, record number, year of birth, prescribers, version and
    approval date on every row (so each row stands alone); the total in words and figures and
    the directions as core.supply words them."""
    from datetime import date

    from benzodetox.core.supply import OrderHeader

    header = OrderHeader(patient_name="A. Patient", record_number="A-001", year_of_birth=1961,
                         prescriber="Dr Asha Rao", second_approver="Dr Ben Lee",
                         plan_version=3, approved_on=date(2025, 3, 1))
    plan = diazepam_plan("ashton-2002")
    rows = list(csv.DictReader(io.StringIO(pharmacy_order_csv(plan, 7, header=header))))
    lines = [line for period in pharmacy_order(plan, 7) for line in period.lines]
    assert len(rows) == len(lines) > 3
    for row, line in zip(rows, lines, strict=True):
        assert (row["patient_name"], row["record_number"], row["year_of_birth"]) == (
            "A. Patient", "A-001", "1961")
        assert (row["prescriber"], row["second_approver"]) == ("Dr Asha Rao", "Dr Ben Lee")
        assert (row["plan_version"], row["approved_on"]) == ("3", "2025-03-01")
        assert row["total_in_words"] == line.total_text
        assert row["directions"] == line.directions_text
    assert rows[0]["total_in_words"] == "fourteen (14) tablets"
    assert rows[0]["directions"].startswith("Take 1 × 5 mg tablet at 08:00 and 1 × 5 mg at 22:00")


def test_without_a_header_the_columns_are_there_and_empty_and_periods_of_1_day_work():
    """The CLI's order has no person data: the header columns are empty, never made up; a
    1-day period gives one row per product per day."""
    plan = diazepam_plan("ashton-2002")
    rows = list(csv.DictReader(io.StringIO(pharmacy_order_csv(plan, 1))))
    assert {r["patient_name"] for r in rows} == {""}
    assert {r["days"] for r in rows} == {"1"}
    assert len({r["period_start"] for r in rows}) == (plan.end - plan.start).days + 1 - sum(
        1 for p in pharmacy_order(plan, 1) if not p.lines)


def test_a_period_outside_the_four_is_refused_naming_them():
    """pharmacy_order_csv(plan, 10): an InputError naming 1, 7, 14 or 28 days or per step."""
    import pytest

    from benzodetox.core.errors import InputError

    with pytest.raises(InputError, match="period_days: 10 is not allowed; expected 1, 7, 14"):
        pharmacy_order_csv(diazepam_plan("ashton-2002"), 10)
