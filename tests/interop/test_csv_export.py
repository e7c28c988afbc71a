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
