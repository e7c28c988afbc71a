"""The outcomes summary as a PDF (WeasyPrint), from the same figures and SVG charts as the page."""

from __future__ import annotations

from datetime import date

from django.template.loader import render_to_string

from .report import Figures

__all__ = ["summary_pdf"]


def summary_pdf(programme: str, filters: dict[str, str], f: Figures, today: date) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = render_to_string(
        "outcomes/summary_pdf.html",
        {"programme": programme, "filters": filters, "f": f, "today": today},
    )
    out: bytes = HTML(string=html).write_pdf()
    return out
