"""The patient handout as HTML and PDF (WeasyPrint), from templates the web app can render too
(``templates/reports/``); the pharmacy order is in ``pharmacy_order``.

Every dose printed is formatted from the plan's exact values (``format_mg``, ``format_count``,
``describe_take``); the equivalence table the plan was computed with is named on every page.
Pages are black-and-white printable on A4 or US Letter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from benzodetox.core.careplan.relapse import RelapsePlan, SupportContact
from benzodetox.core.plan import Plan

from .common import (
    DAYS,
    MONTHS,
    PAGE_SIZES,
    TEMPLATE_DIR,
    DoseView,
    check_page_size,
    dose_view,
    format_day,
    render,
    step_view,
    table_name,
    to_pdf,
    warned_days,
)
from .pharmacy_order import pharmacy_order_html, pharmacy_order_pdf

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

# --- Context -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _DayView:
    label: str
    in_plan: bool
    new_dose: bool
    doses: tuple[DoseView, ...]
    none: bool


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
    warned = warned_days(plan)
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
    views: dict[int, tuple[DoseView, ...]] = {}
    weeks: list[list[_DayView]] = []
    day = first
    while day <= last:
        step = plan.step_on(day)
        if step is not None and step.index not in views:
            views[step.index] = tuple(
                dose_view(d) for d in sorted(step.doses, key=lambda d: d.time) if d.mg > 0
            )
        doses = views[step.index] if step is not None else ()
        label = f"{day.day} {MONTHS[day.month - 1]}"
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


def handout_context(
    plan: Plan,
    *,
    patient_name: str = "",
    contacts: Sequence[SupportContact] = (),
    relapse_plan: RelapsePlan | None = None,
    page_size: str = "A4",
) -> dict[str, Any]:
    """Everything the handout template shows, already formatted (strings and small views)."""
    css_size = check_page_size(page_size)
    warned = warned_days(plan)
    steps = tuple(step_view(s, i + 1, warned) for i, s in enumerate(plan.steps))
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
        "weekdays": DAYS,
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


def handout_html(plan: Plan, **kwargs: Any) -> str:
    """The handout as HTML (the web app can show the same page)."""
    return render("reports/handout.html", handout_context(plan, **kwargs))


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
    return to_pdf(
        handout_html(
            plan,
            patient_name=patient_name,
            contacts=contacts,
            relapse_plan=relapse_plan,
            page_size=page_size,
        )
    )
