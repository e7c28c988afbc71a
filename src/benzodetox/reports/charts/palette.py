"""The one palette of every chart: Okabe–Ito colours (colour-blind safe), each paired with its
own dash pattern and marker shape, so lines are told apart in black-and-white print too; the
fills of the score bands; the greys of frames and grids.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "BAND",
    "BAND_FILLS",
    "COLOURS",
    "DASHES",
    "FRAME",
    "GRID",
    "INK",
    "MARKERS",
    "MUTED",
    "THRESHOLD",
    "TICK",
    "dash_attr",
    "style_of",
]

COLOURS: Final = ("#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
#: A stroke-dasharray per colour ("" is a solid line); no two alike.
DASHES: Final = ("", "7 3", "2 3", "9 3 2 3", "1 2", "12 4", "4 2 1 2")
MARKERS: Final = ("circle", "square", "diamond", "triangle")

INK: Final = "#000000"
FRAME: Final = "#888"
GRID: Final = "#ddd"
TICK: Final = "#444"
MUTED: Final = "#555"
THRESHOLD: Final = "#a11a1a"
#: The light blue of an interquartile (or 5–95 %) band behind its median line.
BAND: Final = "#cfe3f1"

#: Background fills of named score bands (the band's name is written on it as well).
BAND_FILLS: Final = {
    "mild": "#eef6ee",
    "minimal": "#f6f6f6",
    "moderate": "#fff1c9",
    "moderately severe": "#fde2cf",
    "severe": "#fbd3c2",
    "very severe": "#f4b9b9",
}


def style_of(n: int) -> tuple[str, str]:
    """The colour and dash pattern of the ``n``-th line of a chart."""
    return COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)]


def dash_attr(dash: str) -> str:
    """`` stroke-dasharray="…"`` or nothing for a solid line (a presentation attribute: the
    pages' CSP forbids style attributes)."""
    return f' stroke-dasharray="{dash}"' if dash else ""
