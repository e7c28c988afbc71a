"""The pharmacy order of an approved plan version (PDF and CSV, per 1, 7, 14 or 28 days or per
step): the document, made by ``benzodetox.reports`` / ``benzodetox.interop`` from the plan
exactly as saved, with its header (patient, record number, year of birth, prescribers, plan
version and approval date) as plain strings. The plans app serves it (``plans.documents``,
audited like every download); without ``?period=`` it uses the programme's staged-supply
default for the patient (``pharmacy_policy.order_default``).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from benzodetox.core.errors import InputError
from benzodetox.core.supply import DEFAULT_PERIOD_DAYS, SUPPLY_PERIODS, OrderHeader
from benzodetox.interop.csv_export import pharmacy_order_csv
from benzodetox.reports.pharmacy_order import pharmacy_order_pdf as order_pdf
from benzodetox.web.plans.models import PlanApproval, PlanSignature, PlanVersion
from benzodetox.web.plans.services import plan_of

from .exports import Document, stem

__all__ = [
    "PERIODS",
    "order_header",
    "parse_period",
    "pharmacy_order",
]

#: supply period choices: days, or "step" for one period per step of the plan
PERIODS: dict[str, int | None] = {
    **{str(days): days for days in SUPPLY_PERIODS},
    "step": None,
}
ALLOWED = "1, 7, 14 or 28 (days) or step"


def parse_period(value: str | None, default: str = str(DEFAULT_PERIOD_DAYS)) -> int | None:
    """The period asked for (``?period=``), or ``default`` when none is given; anything else
    is refused naming the allowed values."""
    key = default if value is None or value == "" else value
    if key not in PERIODS:
        raise InputError("period", key, ALLOWED)
    return PERIODS[key]


def _period_label(days: int | None) -> str:
    return "per step" if days is None else f"{days} day{'s' if days != 1 else ''}"


def _name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def order_header(version: PlanVersion) -> OrderHeader:
    """Who and what the order is for, from the records: where the programme asks for two
    prescribers, the first signature's prescriber is the prescriber and the approver the
    second; else the approver is the prescriber."""
    patient = version.patient
    approval = (
        PlanApproval.objects.filter(plan_version=version).select_related("approved_by").first()
    )
    first = (
        PlanSignature.objects.filter(plan_version=version)
        .select_related("signed_by")
        .order_by("signed_at", "id")
        .first()
    )
    approver = _name(approval.approved_by) if approval is not None else ""
    if first is not None and approval is not None and first.signed_by_id != approval.approved_by_id:
        prescriber, second = _name(first.signed_by), approver
    else:
        prescriber, second = approver, ""
    return OrderHeader(
        patient_name=patient.display_name,
        record_number=patient.reference,
        year_of_birth=patient.year_of_birth,
        prescriber=prescriber,
        second_approver=second,
        plan_version=version.number,
        approved_on=(
            timezone.localdate(approval.approved_at) if approval is not None else None
        ),
        programme=patient.programme.name,
    )


def pharmacy_order(
    version: PlanVersion, period_days: int | None, fmt: str, period_note: str = ""
) -> Document:
    plan = plan_of(version)
    header = order_header(version)
    suffix = "step" if period_days is None else f"{period_days}d"
    what = f"pharmacy order ({_period_label(period_days)})"
    if fmt == "csv":
        return Document(
            content=pharmacy_order_csv(plan, period_days, header=header).encode("utf-8"),
            content_type="text/csv; charset=utf-8",
            filename=f"{stem(version)}-pharmacy-order-{suffix}.csv",
            kind="CSV",
            what=what,
        )
    return Document(
        content=order_pdf(plan, period_days, header=header, period_note=period_note),
        content_type="application/pdf",
        filename=f"{stem(version)}-pharmacy-order-{suffix}.pdf",
        kind="PDF",
        what=what,
    )
