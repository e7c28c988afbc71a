"""Patient handout and pharmacy order as PDF (WeasyPrint), from HTML templates the web app can
render too (``templates/reports/``).

Every dose printed is formatted from the plan's exact values (``format_mg``, ``format_count``,
``describe_take``); the equivalence table the plan was computed with is named on every page.
Pages are black-and-white printable on A4 or US Letter.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from benzodetox.core.careplan.relapse import RelapsePlan, SupportContact
from benzodetox.core.dispensing import describe_take
from benzodetox.core.errors import InputError
from benzodetox.core.plan import Plan, ScheduledDose, Step, Take
from benzodetox.core.supply import SupplyPeriod, pharmacy_order
from benzodetox.core.units import format_count, format_mg

from .svg_tablets import tablet_svg

__all__ = [
    "PAGE_SIZES",
    "TEMPLATE_DIR",
    "format_day",
    "handout_context",
    "handout_html",
    "handout_pdf",
    "patient_notices",
    "pharmacy_order_html",
    "pharmacy_order_pdf",
    "table_name",
]

TEMPLATE_DIR = Path(__file__).parent / "templates"
PAGE_SIZES = {"A4": "A4", "Letter": "letter"}

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_day(day: date, *, weekday: bool = True) -> str:
    """'Mon 17 Mar 2025': the same in every locale."""
    text = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f"{_DAYS[day.weekday()]} {text}" if weekday else text


@cache
def _sources() -> dict[str, Any]:
    text = resources.files("benzodetox.core").joinpath("data", "sources.toml").read_text("utf-8")
    return tomllib.loads(text)


def table_name(key: str) -> str:
    """'ashton-2002 (Ashton CH. Benzodiazepines: How They Work and How to Withdraw …)'."""
    entry = _sources().get(key)
    if not isinstance(entry, dict):
        return key
    citation = str(entry.get("citation", ""))
    short = ". ".join(citation.split(". ")[:2])
    if len(short) > 110:
        short = short[:107].rstrip() + "…"
    return f"{key} ({short})" if short else key


# --- Context -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TakeView:
    text: str  # '½ × Diazepam 5 mg tablets'
    short: str  # '½ × 5 mg' (calendar cells)
    picture: str


@dataclass(frozen=True)
class _DoseView:
    time: str
    drug: str
    mg: str
    takes: tuple[_TakeView, ...]
    supply: bool = False  # taken from the patient's current supply: nothing is dispensed


@dataclass(frozen=True)
class _StepView:
    number: int
    kind: str
    start: str
    end: str
    days: str
    doses: tuple[_DoseView, ...]
    totals: tuple[str, ...]
    change: str
    notes: tuple[str, ...]
    warnings: tuple[str, ...] = ()  # as the plan states them (clinician words)
    cut: str = ""  # 'Down 10 % from the step before' (patient words)
    bigger: bool = False  # a step the plan warns about (beyond the strategy's range or ceiling)


@dataclass(frozen=True)
class _DayView:
    label: str
    in_plan: bool
    new_dose: bool
    doses: tuple[_DoseView, ...]
    none: bool


def _take_view(take: Take) -> _TakeView:
    picture = tablet_svg(take.count if take.count is not None else Fraction(1)) if (
        take.ml is None
    ) else ""
    return _TakeView(text=describe_take(take), short=_short(take), picture=picture)


def _short(take: Take) -> str:
    if take.ml is not None:
        return f"{format(take.ml.normalize(), 'f')} mL"
    count = take.count if take.count is not None else Fraction(1)
    return f"{format_count(count)} × {format_mg(take.strength_mg)}"


def _dose_view(dose: ScheduledDose) -> _DoseView:
    return _DoseView(
        time=dose.time.strftime("%H:%M"),
        drug=dose.drug,
        mg=format_mg(dose.mg),
        takes=tuple(_take_view(t) for t in dose.takes if t.mg > 0),
        supply=dose.from_supply,
    )


_ISO_DAY = re.compile(r"\((\d{4}-\d{2}-\d{2})\)")


def _warned_days(plan: Plan) -> frozenset[date]:
    """First days of the steps a plan warning names ('step 17 (2025-09-11) cuts 50 % …')."""
    days = set()
    for warning in plan.warnings:
        for found in _ISO_DAY.findall(warning):
            try:
                days.add(date.fromisoformat(found))
            except ValueError:
                continue
    return frozenset(days)


def _step_view(step: Step, number: int, warned: frozenset[date] = frozenset()) -> _StepView:
    doses = tuple(_dose_view(d) for d in sorted(step.doses, key=lambda d: d.time) if d.mg > 0)
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
    return _StepView(
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


def _drug_list(drugs: Iterable[str]) -> str:
    names = list(drugs)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def patient_notices(plan: Plan) -> tuple[str, ...]:
    """What the patient must know beyond the dose table, in their words: a change of medicine
    (and why, where the products forced it), doses taken from their own supply, and bigger
    steps. Every plan warning that changes what the patient takes is here; the others (tables
    that disagree, label maxima, unconfirmed product details) are for the clinician and the
    pharmacist, on the printable plan and the pharmacy order."""
    notices: list[str] = []
    dosing = [s for s in plan.steps if any(d.mg > 0 for d in s.doses)]
    if not dosing:
        return ()
    if plan.request is not None:
        before = [d.drug for d in plan.request.regimen.doses]
    else:
        before = [d.drug for d in dosing[0].doses if d.mg > 0]
    old = list(dict.fromkeys(before))
    first_day: dict[str, date] = {}
    last_day: dict[str, date] = {}
    supply_until: dict[str, date] = {}
    for step in dosing:
        for dose in step.doses:
            if dose.mg <= 0:
                continue
            first_day.setdefault(dose.drug, step.start)
            last_day[dose.drug] = step.end
            if dose.from_supply:
                supply_until[dose.drug] = step.end
    new = [d for d in first_day if d not in old]
    replaced = [d for d in old if d not in last_day]  # not taken at all in the plan
    ended = [d for d in old if d in last_day and last_day[d] < dosing[-1].end]
    if new:
        start = min(first_day[d] for d in new)
        text = f"Your medicine changes to {_drug_list(new)}, starting on {format_day(start)}."
        if replaced:
            text += (
                f" From that day do not take your {_drug_list(replaced)} any more:"
                f" {_drug_list(new)} replaces {'it' if len(replaced) == 1 else 'them'}."
            )
        if ended:
            stop = max(last_day[d] for d in ended)
            text += (
                f" Your last dose of {_drug_list(ended)} is on {format_day(stop)}. Until then,"
                " on days the plan lists both medicines, take each at its own time — never"
                " more than the plan says."
            )
        if any("the plan switches to" in w for w in plan.warnings):
            forced = _drug_list(replaced + ended or old)
            text += (
                f" This is because the {forced} products available cannot make the small steps"
                " your plan needs."
            )
        notices.append(text)
    for drug, until in supply_until.items():
        notices.append(
            f"Doses marked “from your current supply” are {drug} you already have at home: the"
            f" pharmacy will not give you more {drug}. Make sure you have enough to last until"
            f" {format_day(until)}, and tell your care team now if you do not."
        )
    warned = _warned_days(plan)
    if any(s.warnings or s.start in warned for s in plan.steps) or any(
        "ceiling" in w for w in plan.warnings
    ):
        notices.append(
            "Some dose changes in this plan are bigger than usual (marked “bigger step”)."
            " If a step feels too hard, call your care team: the plan can be slowed or paused."
        )
    return tuple(notices)


def _weeks(plan: Plan) -> list[list[_DayView]]:
    if not plan.steps:
        return []
    first = plan.start - timedelta(days=plan.start.weekday())
    last = plan.end + timedelta(days=6 - plan.end.weekday())
    starts = {s.start for s in plan.steps[1:]}
    views: dict[int, tuple[_DoseView, ...]] = {}
    weeks: list[list[_DayView]] = []
    day = first
    while day <= last:
        step = plan.step_on(day)
        if step is not None and step.index not in views:
            views[step.index] = tuple(
                _dose_view(d) for d in sorted(step.doses, key=lambda d: d.time) if d.mg > 0
            )
        doses = views[step.index] if step is not None else ()
        label = f"{day.day} {_MONTHS[day.month - 1]}"
        if day == plan.start or (day.day == 1 and day.month == 1):
            label = f"{label} {day.year}"
        view = _DayView(
            label=label,
            in_plan=step is not None,
            new_dose=day in starts,
            doses=doses,
            none=step is not None and not doses,
        )
        if day.weekday() == 0:
            weeks.append([])
        weeks[-1].append(view)
        day += timedelta(days=1)
    return weeks


def _check_page_size(page_size: str) -> str:
    if page_size not in PAGE_SIZES:
        raise InputError("page_size", page_size, " or ".join(PAGE_SIZES))
    return PAGE_SIZES[page_size]


def handout_context(
    plan: Plan,
    *,
    patient_name: str = "",
    contacts: Sequence[SupportContact] = (),
    relapse_plan: RelapsePlan | None = None,
    page_size: str = "A4",
) -> dict[str, Any]:
    """Everything the handout template shows, already formatted (strings and small views)."""
    css_size = _check_page_size(page_size)
    warned = _warned_days(plan)
    steps = tuple(_step_view(s, i + 1, warned) for i, s in enumerate(plan.steps))
    last = plan.last_dose_date
    all_contacts = list(contacts)
    if relapse_plan is not None:
        all_contacts += [c for c in relapse_plan.contacts if c not in all_contacts]
    return {
        "title": "Your taper plan",
        "patient_name": patient_name,
        "page_size": css_size,
        "table": table_name(plan.source),
        "start": format_day(plan.start),
        "last_dose": format_day(last) if last else "",
        "steps": steps,
        "notices": patient_notices(plan),
        "changes": tuple(s for s in steps if s.number > 1),
        "weekdays": _DAYS,
        "weeks": _weeks(plan),
        "contacts": tuple(all_contacts),
        "relapse": relapse_plan,
        "relapse_version": _relapse_version(relapse_plan),
    }


def _relapse_version(relapse: RelapsePlan | None) -> str:
    """'Version 2, updated Mon 3 Feb 2025 (reviewed at visit)' — pre-formatted (no settings)."""
    if relapse is None:
        return ""
    text = f"Version {relapse.version}"
    if relapse.updated_on is not None:
        text += f", updated {format_day(relapse.updated_on)}"
    if relapse.reason:
        text += f" ({relapse.reason})"
    return text + "."


@cache
def _engine() -> Any:
    from django.template import Engine

    return Engine(dirs=[str(TEMPLATE_DIR)], autoescape=True)


def _render(template: str, context: dict[str, Any]) -> str:
    from django.template import Context

    return str(_engine().get_template(template).render(Context(context)))


def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    out: bytes = HTML(string=html, base_url=str(TEMPLATE_DIR)).write_pdf()
    return out


def handout_html(plan: Plan, **kwargs: Any) -> str:
    """The handout as HTML (the web app can show the same page)."""
    return _render("reports/handout.html", handout_context(plan, **kwargs))


def handout_pdf(
    plan: Plan,
    *,
    patient_name: str = "",
    contacts: Sequence[SupportContact] = (),
    relapse_plan: RelapsePlan | None = None,
    page_size: str = "A4",
) -> bytes:
    """The patient handout: dose changes, a day-by-day calendar with tablet pictures, what
    withdrawal may feel like and when to call, contacts and the relapse-prevention plan."""
    return _pdf(
        handout_html(
            plan,
            patient_name=patient_name,
            contacts=contacts,
            relapse_plan=relapse_plan,
            page_size=page_size,
        )
    )


# --- Pharmacy order ----------------------------------------------------------------------------


def _quantity(line: Any) -> str:
    if line.ml is not None:
        bottles = f" ({line.bottles} bottle{'s' if line.bottles != 1 else ''})" if (
            line.bottles is not None
        ) else " (bottle size not known)"
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
    css_size = _check_page_size(page_size)
    periods = pharmacy_order(plan, period_days)
    return _render(
        "reports/pharmacy_order.html",
        {
            "title": "Pharmacy order",
            "page_size": css_size,
            "table": table_name(plan.source),
            "period_days": "" if period_days is None else str(period_days),
            "periods": _order_rows(periods),
            "steps": tuple(_step_view(s, i + 1) for i, s in enumerate(plan.steps)),
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
    return _pdf(pharmacy_order_html(plan, period_days, page_size=page_size))
