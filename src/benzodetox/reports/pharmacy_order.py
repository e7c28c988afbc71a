"""The pharmacy order as HTML and PDF: who it is for and who prescribed it (an ``OrderHeader``
of plain strings from the adapter), per supply period each product's directions and its total
in words and figures (``core.supply.pharmacy_order``), the schedule the order covers, the doses
left to the patient's own supply, and signature lines for the prescriber and the dispensing
pharmacist.

What it carries follows what a controlled-drug prescription must say, the stricter of:
UK Misuse of Drugs Regulations 2001, reg. 15 (Schedule 2 and 3: signed and dated by the
prescriber, the patient's name and address, dose, form, strength, total quantity in words and
figures; most benzodiazepines are Schedule 4 Part 1, which reg. 15 exempts, but temazepam and
midazolam are Schedule 3) and US 21 CFR 1306.05(a) (Schedule II–V, benzodiazepines being IV:
dated and signed on the day issued, the patient's full name and address, drug name, strength,
dosage form, quantity, directions for use, the prescriber's name, address and DEA registration
number). benzodetox keeps neither the patient's address nor the prescriber's registration
number, so the order leaves a line for each to be written in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from benzodetox.core.plan import Plan
from benzodetox.core.supply import OrderHeader, OrderLine, SupplyPeriod, pharmacy_order
from benzodetox.core.units import format_count, format_mg

from .common import check_page_size, format_day, render, step_view, table_name, to_pdf

__all__ = ["OrderHeader", "header_rows", "pharmacy_order_html", "pharmacy_order_pdf"]


def _dispensed(line: OrderLine) -> str:
    """What the total is made of, beside it in words and figures: bottles of a liquid, or the
    part of the last tablet that is rounded up."""
    if line.ml is not None:
        if line.bottles is None:
            return "bottle size not known: dispense the volume"
        return f"{line.bottles} bottle{'s' if line.bottles != 1 else ''}"
    exact = line.exact_count
    if exact is not None and exact != line.units:
        return f"{format_count(exact)} taken; rounded up to whole units"
    return ""


def _same_each_time(period: SupplyPeriod) -> tuple[Any, ...] | None:
    """What a period dispenses, without its dates, when every direction covers the whole
    period (so consecutive equal periods can be printed once as a run of supplies)."""
    key = []
    for line in period.lines:
        if any(d.start != period.start or d.end != period.end for d in line.directions):
            return None
        key.append(
            (
                line.product_id,
                line.units,
                line.ml,
                line.bottles,
                line.exact_count,
                tuple((d.doses, d.drug_free_nights) for d in line.directions),
            )
        )
    return (period.days, tuple(key))


def _runs(periods: Iterable[SupplyPeriod]) -> list[list[SupplyPeriod]]:
    """Consecutive periods that dispense the same, each directions covering its period, as one
    run (a daily supply over a two-week step is one run of 14); others alone."""
    runs: list[list[SupplyPeriod]] = []
    last: tuple[Any, ...] | None = None
    for period in periods:
        key = _same_each_time(period)
        if runs and key is not None and key == last:
            runs[-1].append(period)
        else:
            runs.append([period])
        last = key
    return runs


def _line_row(line: OrderLine, run: list[SupplyPeriod]) -> dict[str, Any]:
    count = len(run)
    directions = line.directions
    if count > 1:
        directions = tuple(replace(d, start=run[0].start, end=run[-1].end) for d in directions)
        whole = replace(
            line,
            units=None if line.units is None else line.units * count,
            ml=None if line.ml is None else line.ml * count,
        )
        total = f"each supply {line.total_text}; in all {whole.total_text}"
    else:
        total = line.total_text
    dispensed = _dispensed(line)
    return {
        "product": line.product,
        "product_id": line.product_id,
        "form": line.form,
        "strength": (
            f"{format_mg(line.strength_mg)} per mL"
            if line.ml is not None
            else format_mg(line.strength_mg)
        ),
        "directions": [d.text for d in directions],
        "total": total,
        "dispensed": f"{dispensed} each supply" if dispensed and count > 1 else dispensed,
        "confirmed": line.confirmed,
    }


def _order_rows(periods: Iterable[SupplyPeriod]) -> list[dict[str, Any]]:
    """One block per period, or per run of equal consecutive periods ('14 supplies of 1 day
    each, the same each time'): a daily or weekly supply of a long plan stays a few pages."""
    rows = []
    for run in _runs(periods):
        first, last = run[0], run[-1]
        days = f"{first.days} day{'s' if first.days != 1 else ''}"
        rows.append(
            {
                "start": format_day(first.start),
                "end": format_day(last.end),
                "days": days if len(run) == 1 else (
                    f"{len(run)} supplies of {days} each, the same each time"
                ),
                "lines": [_line_row(line, run) for line in first.lines],
            }
        )
    return rows


def header_rows(header: OrderHeader | None) -> list[tuple[str, str]]:
    """The header as (label, value) rows, every field present; what is not recorded says so
    instead of being left out."""
    if header is None:
        return []
    born = (
        f"{header.year_of_birth} (only the year of birth is recorded)"
        if header.year_of_birth
        else "not recorded"
    )
    approved = (
        format_day(header.approved_on) if header.approved_on is not None else "not approved"
    )
    rows = [
        ("Patient", header.patient_name or "not recorded"),
        ("Record number", header.record_number or "not recorded"),
        ("Year of birth", born),
        ("Prescriber", header.prescriber or "not recorded"),
    ]
    if header.second_approver:
        rows.append(("Second approving prescriber", header.second_approver))
    rows += [
        ("Plan", f"version {header.plan_version}" if header.plan_version else "not recorded"),
        ("Approved on", approved),
    ]
    if header.programme:
        rows.append(("Programme", header.programme))
    return rows


def pharmacy_order_html(
    plan: Plan,
    period_days: int | None = 28,
    *,
    page_size: str = "A4",
    header: OrderHeader | None = None,
    period_note: str = "",
) -> str:
    """The order as HTML. ``period_note`` says why this period was chosen (e.g. the
    programme's staged supply for a high-risk patient)."""
    css_size = check_page_size(page_size)
    periods = pharmacy_order(plan, period_days)
    return render(
        "reports/pharmacy_order.html",
        {
            "title": "Pharmacy order",
            "page_size": css_size,
            "table": table_name(plan.source),
            "period_days": "" if period_days is None else str(period_days),
            "period_note": period_note,
            "header": header,
            "header_rows": header_rows(header),
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


def pharmacy_order_pdf(
    plan: Plan,
    period_days: int | None = 28,
    *,
    page_size: str = "A4",
    header: OrderHeader | None = None,
    period_note: str = "",
) -> bytes:
    """The order (``pharmacy_order_html``) as a PDF."""
    return to_pdf(
        pharmacy_order_html(
            plan, period_days, page_size=page_size, header=header, period_note=period_note
        )
    )

