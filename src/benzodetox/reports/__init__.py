"""Printed documents: the patient handout and the pharmacy order (PDF via WeasyPrint), built
from HTML templates the web app can render too, with hand-written SVG pictures."""

from .pdf import handout_pdf, pharmacy_order_pdf

__all__ = ["handout_pdf", "pharmacy_order_pdf"]
