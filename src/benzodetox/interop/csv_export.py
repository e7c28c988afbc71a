"""CSV exports on core objects: the pharmacy order, one row per product per supply period.

Who the order is for (patient, record number, year of birth, prescribers, plan version and
approval date) is repeated on every row rather than written as a block above the table: each
row then stands alone when the file is filtered, sorted or imported, and the file stays one
plain table that ``csv.DictReader`` and a spreadsheet read without skipping lines.
"""

from __future__ import annotations

import csv
import io

from benzodetox.core.number_words import figures
from benzodetox.core.plan import Plan
from benzodetox.core.supply import OrderHeader, pharmacy_order

__all__ = ["CSV_COLUMNS", "HEADER_COLUMNS", "pharmacy_order_csv"]

#: who and what the order is for, on every row (empty where the caller gave no header)
HEADER_COLUMNS = (
    "patient_name", "record_number", "year_of_birth", "prescriber", "second_approver",
    "plan_version", "approved_on",
)
CSV_COLUMNS = (
    *HEADER_COLUMNS,
    "period_start", "period_end", "days", "product_id", "product", "form", "strength_mg",
    "units", "units_taken", "ml", "bottles", "total_in_words", "directions", "confirmed",
    "equivalence_table",
)


def _header_cells(header: OrderHeader | None) -> tuple[str, ...]:
    if header is None:
        return ("",) * len(HEADER_COLUMNS)
    return (
        header.patient_name,
        header.record_number,
        "" if header.year_of_birth is None else str(header.year_of_birth),
        header.prescriber,
        header.second_approver,
        "" if header.plan_version is None else str(header.plan_version),
        "" if header.approved_on is None else header.approved_on.isoformat(),
    )


def pharmacy_order_csv(
    plan: Plan, period_days: int | None = 28, *, header: OrderHeader | None = None
) -> str:
    """One row per product per supply period (1, 7, 14 or 28 days, or per step); exact values
    (``units_taken`` as a fraction such as ``27/2``), ISO dates, the total in words and figures,
    the directions ('…; then …'), the header fields and the plan's equivalence table on every
    row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    head = _header_cells(header)
    for period in pharmacy_order(plan, period_days):
        for line in period.lines:
            writer.writerow(
                (
                    *head,
                    period.start.isoformat(),
                    period.end.isoformat(),
                    period.days,
                    line.product_id,
                    line.product,
                    line.form,
                    figures(line.strength_mg),
                    "" if line.units is None else line.units,
                    "" if line.exact_count is None else str(line.exact_count),
                    "" if line.ml is None else figures(line.ml),
                    "" if line.bottles is None else line.bottles,
                    line.total_text,
                    line.directions_text,
                    "yes" if line.confirmed else "no",
                    plan.source,
                )
            )
    return out.getvalue()
