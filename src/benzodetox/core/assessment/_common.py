"""Pieces shared by the assessment modules: the sourced ``Reason`` and reading data files."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from ..errors import DataError

__all__ = ["Reason", "read_data"]


@dataclass(frozen=True)
class Reason:
    """Why the core concluded something: a short code, words for people, the source key
    (resolving in sources.toml) and whether the reference confirms the rule (``False`` for
    rules the reference marks [R]; they are shown as unconfirmed)."""

    code: str
    text: str
    source: str
    confirmed: bool
    rec: str = ""  # the guideline recommendation or table title, where there is one

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "text": self.text,
            "source": self.source,
            "rec": self.rec,
            "confirmed": self.confirmed,
        }


@cache
def read_data(name: str) -> dict[str, Any]:
    """A TOML file of ``core/data`` with floats read as Decimal (never as binary floats)."""
    text = resources.files("benzodetox.core").joinpath("data", name).read_text("utf-8")
    return tomllib.loads(text, parse_float=Decimal)


def require(row: dict[str, Any], key: str, where: str) -> Any:
    """A mandatory key of a data-file row, or a DataError naming the file position."""
    try:
        return row[key]
    except KeyError:
        raise DataError(f"{where}: missing {key!r}") from None
