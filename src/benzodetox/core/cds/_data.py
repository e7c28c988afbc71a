"""Reading cds.toml and turning its source keys into a card's source (the core's only I/O)."""

from __future__ import annotations

from functools import cache
from typing import Any

from ..careplan._data import load
from ..catalogue import catalogue
from .cards import CardSource

__all__ = ["card_source", "data", "label_of", "shorten"]


@cache
def data() -> dict[str, Any]:
    return load("cds.toml")


def label_of(key: str) -> str:
    """The short label of a source key (its citation's first words where none is set)."""
    labels: dict[str, str] = data()["labels"]
    if key in labels:
        return labels[key]
    return catalogue().source(key).citation.split(".")[0][:100]


def card_source(row: dict[str, Any], extra: tuple[str, ...] = ()) -> CardSource:
    """The card source of a cds.toml card table: its ``source`` key first, then ``sources``."""
    key = str(row["source"])
    keys = tuple(dict.fromkeys((key, *row.get("sources", ()), *extra)))
    for k in keys:
        catalogue().source(k)  # an unknown key is a DataError, never a card without a source
    label = label_of(key)
    rec = row.get("rec", "")
    return CardSource(
        label=f"{label}, {rec}" if rec else label,
        url=catalogue().source(key).url,
        source_key=key,
        source_keys=keys,
    )


def shorten(text: str, limit: int = 139) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (a card summary's bound)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
