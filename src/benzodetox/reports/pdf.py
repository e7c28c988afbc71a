"""The patient handout as HTML and PDF (WeasyPrint), from templates the web app can render too
(``templates/reports/``); the pharmacy order is in ``pharmacy_order``.

The handout is written for the patient (plain words, a reading age of about 11–12): what to take
week by week with pictures of the tablets and the oral syringe, when the dose changes, what
withdrawal may feel like and when to call, the safety advice the intake calls for
(``core.careplan.patient_advice``), contacts and the relapse-prevention plan. Clinician notes
(crossover stages, equivalence, targets, internal warnings) stay on the printable plan and the
pharmacy order. Every dose is formatted from the plan's exact values. Black-and-white printable
on A4 or US Letter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from benzodetox.core.careplan.patient_advice import PatientAdvice, patient_advice
from benzodetox.core.careplan.relapse import RelapsePlan, SupportContact
from benzodetox.core.plan import Plan

from .common import (
    PAGE_SIZES,
    TEMPLATE_DIR,
    check_page_size,
    format_day,
    render,
    table_name,
    warned_days,
)
from .patient_words import change_list, dose_times, product_list, week_rows
from .pharmacy_order import pharmacy_order_html, pharmacy_order_pdf

__all__ = [
    "PAGE_SIZES",
    "TEMPLATE_DIR",
    "ContactView",
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


@dataclass(frozen=True)
class ContactView:
    """A row of the contacts table; ``write_in`` leaves a marked space for a number the
    programme has not recorded (never an invented one)."""

    who: str
    name: str
    phone: str = ""
    note: str = ""

    @property
    def write_in(self) -> bool:
        return not self.phone


def _contacts(
    programme: str,
    programme_phone: str,
    prescriber: str,
    contacts: Sequence[SupportContact],
    relapse: RelapsePlan | None,
) -> tuple[ContactView, ...]:
    rows: list[ContactView] = []
    if programme:
        rows.append(ContactView("Your care team", programme, programme_phone))
    if prescriber:
        rows.append(ContactView("Your prescriber", prescriber))
    given = list(contacts)
    if relapse is not None:
        given += [c for c in relapse.contacts if c not in given]
    rows += [ContactView(c.role_title, c.name, c.phone, c.note) for c in given]
    if not rows:
        rows = [ContactView("Your care team", ""), ContactView("Your prescriber", ""),
                ContactView("Support person", "")]
    return tuple(rows)


def handout_context(
    plan: Plan,
    *,
    patient_name: str = "",
    contacts: Sequence[SupportContact] = (),
    relapse_plan: RelapsePlan | None = None,
    page_size: str = "A4",
    programme: str = "",
    programme_phone: str = "",
    prescriber: str = "",
    advice: Sequence[PatientAdvice] | None = None,
) -> dict[str, Any]:
    """Everything the handout template shows, already formatted (strings and small views).
    ``advice`` is what ``core.careplan.patient_advice`` gives for the patient's intake; without
    it, the advice given to everyone (driving)."""
    css_size = check_page_size(page_size)
    last = plan.last_dose_date
    times = dose_times(plan)
    return {
        "title": "Your taper plan",
        "patient_name": patient_name,
        "page_size": css_size,
        "start": format_day(plan.start),
        "last_dose": format_day(last) if last else "",
        "notices": patient_notices(plan),
        "products": product_list(plan),
        "changes": change_list(plan),
        "times": tuple(t.strftime("%H:%M") for t in times),
        "span": str(len(times) + 1),
        "weeks": week_rows(plan),
        "liquid": any(t.ml is not None for s in plan.steps for d in s.doses for t in d.takes),
        "advice": tuple(patient_advice() if advice is None else advice),
        "contacts": _contacts(programme, programme_phone, prescriber, contacts, relapse_plan),
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


#: Images (tablet and syringe pictures) WeasyPrint has loaded, kept across documents: they
#: never change, so each is parsed once per process.
_IMAGES: dict[str, Any] = {}


def _to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    out: bytes = HTML(string=html, base_url=str(TEMPLATE_DIR)).write_pdf(cache=_IMAGES)
    return out


def handout_pdf(
    plan: Plan,
    *,
    patient_name: str = "",
    contacts: Sequence[SupportContact] = (),
    relapse_plan: RelapsePlan | None = None,
    page_size: str = "A4",
    programme: str = "",
    programme_phone: str = "",
    prescriber: str = "",
    advice: Sequence[PatientAdvice] | None = None,
) -> bytes:
    """The patient handout: what to take week by week, when it changes, what withdrawal may
    feel like and when to call, safety advice, contacts and the relapse-prevention plan."""
    return _to_pdf(
        handout_html(
            plan,
            patient_name=patient_name,
            contacts=contacts,
            relapse_plan=relapse_plan,
            page_size=page_size,
            programme=programme,
            programme_phone=programme_phone,
            prescriber=prescriber,
            advice=advice,
        )
    )
