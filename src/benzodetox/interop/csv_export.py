"""CSV exports on core objects: the pharmacy order, one row per product per supply period."""

from __future__ import annotations

import csv
import io

from benzodetox.core.plan import Plan
from benzodetox.core.supply import pharmacy_order

__all__ = ["CSV_COLUMNS", "pharmacy_order_csv"]

CSV_COLUMNS = (
    "period_start", "period_end", "days", "product_id", "product", "form", "strength_mg",
    "units", "units_taken", "ml", "bottles", "confirmed", "equivalence_table",
)


def pharmacy_order_csv(plan: Plan, period_days: int | None = 28) -> str:
    """One row per product per supply period; exact values (``units_taken`` as a fraction such
    as ``27/2``), ISO dates, and the plan's equivalence table on every row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for period in pharmacy_order(plan, period_days):
        for line in period.lines:
            writer.writerow(
                (
                    period.start.isoformat(),
                    period.end.isoformat(),
                    period.days,
                    line.product_id,
                    line.product,
                    line.form,
                    format(line.strength_mg.normalize(), "f"),
                    "" if line.units is None else line.units,
                    "" if line.exact_count is None else str(line.exact_count),
                    "" if line.ml is None else format(line.ml.normalize(), "f"),
                    "" if line.bottles is None else line.bottles,
                    "yes" if line.confirmed else "no",
                    plan.source,
                )
            )
    return out.getvalue()
