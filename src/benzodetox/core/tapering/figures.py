"""The strategies' figures, read from ``core/data/tapering.toml`` with their source keys."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from ..errors import DataError

__all__ = ["Band", "Figure", "ashton_bands", "figure"]


@dataclass(frozen=True)
class Figure:
    """A default (or fixed) value with where it comes from and what a clinician may choose."""

    value: Decimal
    source: str
    confirmed: bool
    note: str = ""
    min: Decimal | None = None
    max: Decimal | None = None
    window_days: int | None = None

    @property
    def days(self) -> int:
        return int(self.value)


@dataclass(frozen=True)
class Band:
    """An Ashton/CKS band: above ``down_to`` mg, cut ``small`` (up to ``large``) a step."""

    down_to: Decimal
    small: Decimal
    large: Decimal


@cache
def _data() -> dict[str, Any]:
    text = resources.files("benzodetox.core").joinpath("data", "tapering.toml").read_text("utf-8")
    return tomllib.loads(text, parse_float=Decimal)


def _dec(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@cache
def figure(section: str, name: str) -> Figure:
    try:
        row = _data()[section][name]
    except KeyError:
        raise DataError(f"tapering.toml has no {section}.{name}") from None
    return Figure(
        value=_dec(row["value"]),
        source=row["source"],
        confirmed=bool(row.get("confirmed", False)),
        note=row.get("note", ""),
        min=_dec(row["min"]) if "min" in row else None,
        max=_dec(row["max"]) if "max" in row else None,
        window_days=int(row["window_days"]) if "window_days" in row else None,
    )


@cache
def ashton_bands() -> tuple[Band, ...]:
    """The bands, highest first."""
    rows = _data()["ashton"]["bands"]
    return tuple(
        Band(_dec(r["down_to"]), _dec(r["small"]), _dec(r["large"]))
        for r in sorted(rows, key=lambda r: -_dec(r["down_to"]))
    )
