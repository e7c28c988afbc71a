"""What the handout and the pharmacy order share: dates and table names as printed, the view of
a plan step (doses, tablets and their pictures), page sizes, and rendering a template to HTML
and to PDF (WeasyPrint). Every dose is formatted from the plan's exact values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from benzodetox.core.catalogue import catalogue
from benzodetox.core.dispensing import describe_take
from benzodetox.core.errors import InputError
from benzodetox.core.plan import Plan, ScheduledDose, Step, Take
from benzodetox.core.units import format_count, format_mg

from .svg_tablets import tablet_svg

__all__ = [
    "DAYS",
    "MONTHS",
    "PAGE_SIZES",
    "TEMPLATE_DIR",
    "DoseView",
    "StepView",
    "TakeView",
    "check_page_size",
    "dose_view",
    "format_day",
    "render",
    "step_view",
    "table_name",
    "take_view",
    "to_pdf",
    "warned_days",
]

TEMPLATE_DIR = Path(__file__).parent / "templates"
PAGE_SIZES = {"A4": "A4", "Letter": "letter"}

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_day(day: date, *, weekday: bool = True) -> str:
    """'Mon 17 Mar 2025': the same in every locale."""
    text = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{DAYS[day.weekday()]} {text}" if weekday else text


def table_name(key: str) -> str:
    """'ashton-2002 (Ashton CH. Benzodiazepines: How They Work and How to Withdraw …)'."""
    entry = catalogue().sources.get(key)
    if entry is None:
        return key
    citation = entry.citation
    short = ". ".join(citation.split(". ")[:2])
    if len(short) > 110:
        short = short[:107].rstrip() + "…"
    return f"{key} ({short})" if short else key


@dataclass(frozen=True)
class TakeView:
    text: str  # '½ × Diazepam 5 mg tablets'
    short: str  # '½ × 5 mg' (calendar cells)
    picture: str


@dataclass(frozen=True)
class DoseView:
    time: str
    drug: str
    mg: str
    takes: tuple[TakeView, ...]
    supply: bool = False  # taken from the patient's current supply: nothing is dispensed


@dataclass(frozen=True)
class StepView:
    number: int
    kind: str
    start: str
    end: str
    days: str
    doses: tuple[DoseView, ...]
    totals: tuple[str, ...]
    change: str
    notes: tuple[str, ...]
    warnings: tuple[str, ...] = ()  # as the plan states them (clinician words)
    cut: str = ""  # 'Down 10 % from the step before' (patient words)
    bigger: bool = False  # a step the plan warns about (beyond the strategy's range or ceiling)


def take_view(take: Take) -> TakeView:
    picture = (
        tablet_svg(take.count if take.count is not None else Fraction(1))
        if (take.ml is None)
        else ""
    )
    return TakeView(text=describe_take(take), short=_short(take), picture=picture)


def _short(take: Take) -> str:
    if take.ml is not None:
        return f"{format(take.ml.normalize(), 'f')} mL"
    count = take.count if take.count is not None else Fraction(1)
    return f"{format_count(count)} × {format_mg(take.strength_mg)}"


def dose_view(dose: ScheduledDose) -> DoseView:
    return DoseView(
        time=dose.time.strftime("%H:%M"),
        drug=dose.drug,
        mg=format_mg(dose.mg),
        takes=tuple(take_view(t) for t in dose.takes if t.mg > 0),
        supply=dose.from_supply,
    )


_ISO_DAY = re.compile(r"\((\d{4}-\d{2}-\d{2})\)")


def warned_days(plan: Plan) -> frozenset[date]:
    """First days of the steps a plan warning names ('step 17 (2025-09-11) cuts 50 % …')."""
    days = set()
    for warning in plan.warnings:
        for found in _ISO_DAY.findall(warning):
            try:
                days.add(date.fromisoformat(found))
            except ValueError:
                continue
    return frozenset(days)


def step_view(step: Step, number: int, warned: frozenset[date] = frozenset()) -> StepView:
    doses = tuple(dose_view(d) for d in sorted(step.doses, key=lambda d: d.time) if d.mg > 0)
    totals = tuple(f"{format_mg(step.daily_mg(drug))} {drug}" for drug in step.drugs)
    if step.kind == "stop" or not doses:
        change = "No more doses"
    elif number == 1:
        change = "Starting dose"
    elif step.kind == "hold":
        change = "Same dose (hold)"
    else:
        change = "New dose"
    cut = ""
    if doses and step.reduction_percent > 0:
        since = "your current dose" if number == 1 else "the step before"
        cut = f"Down {format(step.reduction_percent.normalize(), 'f')} % from {since}"
    return StepView(
        number=number,
        kind=step.kind,
        start=format_day(step.start),
        end=format_day(step.end),
        days=f"{step.days} day{'s' if step.days != 1 else ''}",
        doses=doses,
        totals=totals,
        change=change,
        notes=step.notes,
        warnings=step.warnings,
        cut=cut,
        bigger=bool(step.warnings) or step.start in warned,
    )


def check_page_size(page_size: str) -> str:
    if page_size not in PAGE_SIZES:
        raise InputError("page_size", page_size, " or ".join(PAGE_SIZES))
    return PAGE_SIZES[page_size]


@cache
def _engine() -> Any:
    from django.template import Engine

    return Engine(dirs=[str(TEMPLATE_DIR)], autoescape=True)


def render(template: str, context: dict[str, Any]) -> str:
    from django.template import Context

    return str(_engine().get_template(template).render(Context(context)))


def to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    out: bytes = HTML(string=html, base_url=str(TEMPLATE_DIR)).write_pdf()
    return out
