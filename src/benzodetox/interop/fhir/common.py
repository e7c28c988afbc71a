"""Small pieces every FHIR builder shares: references, quantities, dates and the JSON text.

FHIR decimals are JSON numbers. Doses are exact ``Decimal`` values with at most 15 significant
digits (1 µg resolution, under 10^12 mg), which a JSON number carries exactly; :func:`fhir_json`
checks that and refuses anything that would not come back as the same digits.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from ...core.units import plain_decimal
from .codes import UCUM

__all__ = [
    "Subject",
    "day",
    "fhir_json",
    "instant",
    "jsonable",
    "mg_quantity",
    "plain",
    "reference",
    "safe_id",
    "time_of_day",
]


@dataclass(frozen=True)
class Subject:
    """Who resources are about: ``Patient/12`` with a display, or only a display (the CLI's
    plans name no patient)."""

    display: str
    reference: str | None = None

    def as_reference(self) -> dict[str, Any]:
        out: dict[str, Any] = {"display": self.display}
        if self.reference:
            out["reference"] = self.reference
        return out


def reference(kind: str, ident: str, display: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"reference": f"{kind}/{ident}"}
    if display:
        out["display"] = display
    return out


_NOT_ID = re.compile(r"[^A-Za-z0-9.\-]")


def safe_id(text: str) -> str:
    """A FHIR id ([A-Za-z0-9-.]{1,64}) made from ``text`` (other characters become '-').

    >>> safe_id("qr-12 ciwa_b")
    'qr-12-ciwa-b'
    """
    return _NOT_ID.sub("-", text)[:64] or "x"


def mg_quantity(mg: Decimal) -> dict[str, Any]:
    """A dose in UCUM milligrams."""
    return {"value": mg, "unit": "mg", "system": UCUM, "code": "mg"}


def day(value: date) -> str:
    return value.isoformat()


def time_of_day(value: time) -> str:
    return value.strftime("%H:%M:%S")


def instant(value: datetime) -> str:
    return value.isoformat()


def _number(value: Decimal) -> int | float:
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) != value:
        raise ValueError(f"{value} cannot be written exactly as a JSON number")
    return as_float


def jsonable(data: Any) -> Any:
    """``data`` with every Decimal as a JSON number carrying exactly its digits."""
    if isinstance(data, Decimal):
        return _number(data)
    if isinstance(data, dict):
        return {k: jsonable(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [jsonable(v) for v in data]
    return data


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _number(value)
    raise TypeError(f"{type(value).__name__} is not JSON data")


def fhir_json(data: Any, indent: int | None = None) -> str:
    """A resource (plain data with Decimals) as FHIR JSON text."""
    return json.dumps(data, indent=indent, ensure_ascii=False, default=_encode)


def plain(value: Decimal) -> str:
    return plain_decimal(value)
