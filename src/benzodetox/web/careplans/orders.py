"""The pharmacy order of an approved plan version (PDF and CSV, per 14 or 28 days or per step):
the document, made by ``benzodetox.reports`` / ``benzodetox.interop`` from the plan exactly as
saved, and its download views (audited like every download).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from benzodetox.core.errors import InputError
from benzodetox.interop.csv_export import pharmacy_order_csv
from benzodetox.reports.pharmacy_order import pharmacy_order_pdf as order_pdf
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.plans.services import plan_of

from .downloads import download
from .exports import Document, stem

__all__ = [
    "PERIODS",
    "parse_period",
    "pharmacy_order",
    "pharmacy_order_csv_view",
    "pharmacy_order_pdf_view",
]

#: supply period choices: days, or "step" for one period per step of the plan
PERIODS = {"28": 28, "14": 14, "step": None}


def parse_period(value: str | None) -> int | None:
    key = value or "28"
    if key not in PERIODS:
        raise InputError("period", key, "28, 14 or step")
    return PERIODS[key]


def _period_label(days: int | None) -> str:
    return "per step" if days is None else f"{days} days"


def pharmacy_order(version: PlanVersion, period_days: int | None, fmt: str) -> Document:
    plan = plan_of(version)
    suffix = "step" if period_days is None else f"{period_days}d"
    what = f"pharmacy order ({_period_label(period_days)})"
    if fmt == "csv":
        return Document(
            content=pharmacy_order_csv(plan, period_days).encode("utf-8"),
            content_type="text/csv; charset=utf-8",
            filename=f"{stem(version)}-pharmacy-order-{suffix}.csv",
            kind="CSV",
            what=what,
        )
    return Document(
        content=order_pdf(plan, period_days),
        content_type="application/pdf",
        filename=f"{stem(version)}-pharmacy-order-{suffix}.pdf",
        kind="PDF",
        what=what,
    )


@require_GET
def pharmacy_order_pdf_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    def make(version: Any) -> Document:
        return pharmacy_order(version, parse_period(request.GET.get("period")), "pdf")

    return download(request, pk, number, make)


@require_GET
def pharmacy_order_csv_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    def make(version: Any) -> Document:
        return pharmacy_order(version, parse_period(request.GET.get("period")), "csv")

    return download(request, pk, number, make)
