"""The pharmacy order as HTML and PDF: quantities per product per supply period
(``core.supply.pharmacy_order``), with the schedule they cover and the doses left to the
patient's own supply.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from benzodetox.core.plan import Plan
from benzodetox.core.supply import SupplyPeriod, pharmacy_order
from benzodetox.core.units import format_count, format_mg

from .common import check_page_size, format_day, render, step_view, table_name, to_pdf

__all__ = ["pharmacy_order_html", "pharmacy_order_pdf"]


def _quantity(line: Any) -> str:
    if line.ml is not None:
        bottles = (
            f" ({line.bottles} bottle{'s' if line.bottles != 1 else ''})"
            if (line.bottles is not None)
            else " (bottle size not known)"
        )
        return f"{format(Decimal(line.ml).normalize(), 'f')} mL{bottles}"
    exact = line.exact_count
    taken = f" ({format_count(exact)} taken)" if exact is not None and exact != line.units else ""
    return f"{line.units}{taken}"


def _order_rows(periods: Iterable[SupplyPeriod]) -> list[dict[str, Any]]:
    rows = []
    for period in periods:
        rows.append(
            {
                "start": format_day(period.start),
                "end": format_day(period.end),
                "days": f"{period.days} day{'s' if period.days != 1 else ''}",
                "lines": [
                    {
                        "product": line.product,
                        "product_id": line.product_id,
                        "form": line.form,
                        "strength": format_mg(line.strength_mg),
                        "quantity": _quantity(line),
                        "confirmed": line.confirmed,
                    }
                    for line in period.lines
                ],
            }
        )
    return rows


def pharmacy_order_html(plan: Plan, period_days: int | None = 28, *, page_size: str = "A4") -> str:
    css_size = check_page_size(page_size)
    periods = pharmacy_order(plan, period_days)
    return render(
        "reports/pharmacy_order.html",
        {
            "title": "Pharmacy order",
            "page_size": css_size,
            "table": table_name(plan.source),
            "period_days": "" if period_days is None else str(period_days),
            "periods": _order_rows(periods),
            "steps": tuple(step_view(s, i + 1) for i, s in enumerate(plan.steps)),
            "warnings": tuple(dict.fromkeys(plan.warnings)),
            "supply": _supply_lines(plan),
        },
    )


def _supply_lines(plan: Plan) -> tuple[str, ...]:
    """'nitrazepam 5 mg at 08:00, Mon 1 Dec 2025 to Sun 7 Dec 2025': doses the patient takes
    from their own supply (a drug the market sells no product of), which this order leaves out."""
    spans: dict[tuple[str, str, str], list[date]] = {}
    for step in plan.steps:
        for dose in step.doses:
            if dose.from_supply and dose.mg > 0:
                key = (dose.drug, format_mg(dose.mg), dose.time.strftime("%H:%M"))
                found = spans.setdefault(key, [step.start, step.end])
                found[1] = step.end
    return tuple(
        f"{drug} {amount} at {at}, {format_day(first)} to {format_day(last)}"
        for (drug, amount, at), (first, last) in spans.items()
    )


def pharmacy_order_pdf(plan: Plan, period_days: int | None = 28, *, page_size: str = "A4") -> bytes:
    """Quantities per product per supply period (``core.supply.pharmacy_order``), with the
    schedule they cover."""
    return to_pdf(pharmacy_order_html(plan, period_days, page_size=page_size))
