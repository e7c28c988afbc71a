"""SVG primitives shared by every chart: the accessible root (``role="img"``, a ``<title>`` and
a ``<desc>`` it is labelled by), frame, grid lines with their labels, ticks, a rotated axis
title, lines with their legend swatches and point markers.

Only presentation attributes, never ``style=`` or ``<style>``: the pages' Content-Security-Policy
refuses inline styles. Text is escaped here, so callers pass plain strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from .palette import FRAME, GRID, TICK, dash_attr

__all__ = [
    "frame",
    "grid_line",
    "legend_entry",
    "marker",
    "open_svg",
    "points_attr",
    "polyline",
    "x_tick",
    "y_title",
]


def open_svg(
    width: float,
    height: float,
    chart_id: str,
    title: str,
    desc: str,
    css_class: str = "chart",
    extra: str = "",
) -> list[str]:
    """The root element with its title and description: a screen reader announces the chart
    by ``title`` and reads ``desc`` (which should say where the figures are given as text)."""
    return [
        f'<svg class="{css_class}" viewBox="0 0 {width:g} {height:g}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg"{extra}>',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def frame(left: float, top: float, width: float, height: float) -> str:
    """The plot area: white, with a grey border."""
    return (
        f'<rect x="{left:g}" y="{top:g}" width="{width:g}" height="{height:g}" fill="#fff" '
        f'stroke="{FRAME}"/>'
    )


def grid_line(left: float, right: float, y: float, label: str, colour: str = GRID) -> str:
    """A horizontal grid line at ``y`` with its value written left of the axis."""
    return (
        f'<line x1="{left:g}" y1="{y:.1f}" x2="{right:g}" y2="{y:.1f}" stroke="{colour}"/>'
        f'<text x="{left - 6:g}" y="{y + 4:.1f}" text-anchor="end">{escape(label)}</text>'
    )


def x_tick(x: float, base: float, label: str, mark: bool = True) -> str:
    """A tick below the plot at ``x`` with its label."""
    line = (
        f'<line x1="{x:.1f}" y1="{base:g}" x2="{x:.1f}" y2="{base + 4:g}" stroke="{TICK}"/>'
        if mark
        else ""
    )
    return line + f'<text x="{x:.1f}" y="{base + 17:g}" text-anchor="middle">{escape(label)}</text>'


def y_title(text: str, x: float, middle: float) -> str:
    """The y axis's title, written upwards along the axis."""
    return (
        f'<text x="{x:g}" y="{middle:.0f}" transform="rotate(-90 {x:g} {middle:.0f})" '
        f'text-anchor="middle">{escape(text)}</text>'
    )


def points_attr(points: Iterable[tuple[float, float]]) -> str:
    """``x,y x,y …`` with one decimal."""
    return " ".join([f"{x:.1f},{y:.1f}" for x, y in points])


def polyline(
    points: str, colour: str, width: float = 2, dash: str = "", title: str = "", extra: str = ""
) -> str:
    """One line; ``title`` (its name) is shown on hover and read by screen readers."""
    head = (
        f'<polyline fill="none" stroke="{colour}" stroke-width="{width:g}"{dash_attr(dash)}'
        f'{extra} points="{points}"'
    )
    return f"{head}><title>{escape(title)}</title></polyline>" if title else f"{head}/>"


def legend_entry(
    x: float, y: float, colour: str, dash: str, label: str, width: float = 2, length: float = 26,
    extra: str = "", symbol: str = "",
) -> str:  # fmt: skip
    """A swatch of the line (same colour, width and dash; ``symbol`` e.g. its marker) and its
    name; ``y`` is the text's baseline."""
    return (
        f'<line x1="{x:g}" y1="{y - 4:g}" x2="{x + length:g}" y2="{y - 4:g}" stroke="{colour}" '
        f'stroke-width="{width:g}"{dash_attr(dash)}{extra}/>'
        f'{symbol}<text x="{x + length + 6:g}" y="{y:g}">{escape(label)}</text>'
    )


def marker(kind: str, cx: float, cy: float, fill: str, colour: str, title: str) -> str:
    """A point drawn as a circle, square, diamond or triangle (a shape per line, so points are
    told apart without colour), with its reading as the title."""
    t = f"<title>{escape(title)}</title>"
    paint = f'fill="{fill}" stroke="{colour}" stroke-width="1.5"'
    if kind == "square":
        return f'<rect x="{cx - 4:.1f}" y="{cy - 4:.1f}" width="8" height="8" {paint}>{t}</rect>'
    if kind == "diamond":
        return (
            f'<polygon points="{cx:.1f},{cy - 5:.1f} {cx + 5:.1f},{cy:.1f} {cx:.1f},{cy + 5:.1f} '
            f'{cx - 5:.1f},{cy:.1f}" {paint}>{t}</polygon>'
        )
    if kind == "triangle":
        return (
            f'<polygon points="{cx:.1f},{cy - 5:.1f} {cx + 5:.1f},{cy + 4:.1f} '
            f'{cx - 5:.1f},{cy + 4:.1f}" {paint}>{t}</polygon>'
        )
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" {paint}>{t}</circle>'
