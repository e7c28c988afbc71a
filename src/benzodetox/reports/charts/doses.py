"""The dose chart of a plan: diazepam-equivalent mg/day over the plan's dates, one stepped line
per drug and one for the total. The caller builds the ``Steps`` (from a ``core.plan.Plan``);
this module only draws them. Pixel positions are floats; every number a person reads is written
from the exact Decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from . import svg
from .palette import style_of
from .scales import axis_label, nice_ceiling, ticks

__all__ = ["Steps", "date_ticks", "dose_chart"]

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 150, 16, 40


@dataclass(frozen=True)
class Steps:
    """A stepped series: (from, to inclusive, diazepam-eq mg/day) per step."""

    name: str
    points: tuple[tuple[date, date, Decimal], ...]


def date_ticks(start: date, days: int, count: int = 6) -> list[date]:
    """``count + 1`` dates spread evenly over ``days`` days from ``start`` (both ends kept)."""
    return [start + timedelta(days=round(days * i / count)) for i in range(count + 1)]


def dose_chart(
    series: Sequence[Steps],
    *,
    title: str,
    desc: str,
    chart_id: str = "chart",
    unit: str = "mg/day diazepam-eq",
) -> str:
    """The first series is the total (drawn thicker); the legend is right of the plot; ``desc``
    should name the first and last dose and where every figure is written."""
    drawn = [s for s in series if s.points]
    if not drawn:
        return ""
    start = min(p[0] for s in drawn for p in s.points)
    end = max(p[1] for s in drawn for p in s.points) + timedelta(days=1)
    days = max((end - start).days, 1)
    top = nice_ceiling(max(p[2] for s in drawn for p in s.points))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return LEFT + plot_w * (day - start).days / days

    def y(mg: Decimal) -> float:
        return TOP + plot_h * (1 - float(mg / top))

    parts = svg.open_svg(WIDTH, HEIGHT, chart_id, title, desc)
    parts.append(svg.frame(LEFT, TOP, plot_w, plot_h))
    for mg in ticks(top):
        parts.append(svg.grid_line(LEFT, LEFT + plot_w, y(mg), axis_label(mg)))
    parts.append(svg.y_title(unit, 14, TOP + plot_h / 2))
    for day in date_ticks(start, days):
        parts.append(svg.x_tick(x(day), TOP + plot_h, f"{day:%d %b}"))
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 4}" text-anchor="middle">'
        f"{start:%Y} – {(end - timedelta(days=1)):%Y}</text>"
    )
    for n, s in enumerate(series):
        if not s.points:
            continue
        colour, dash = style_of(n)
        corners = []
        for frm, to, mg in s.points:
            corners += [(x(frm), y(mg)), (x(to + timedelta(days=1)), y(mg))]
        width = 3 if n == 0 else 2
        parts.append(svg.polyline(svg.points_attr(corners), colour, width, dash, title=s.name))
        parts.append(
            svg.legend_entry(LEFT + plot_w + 12, TOP + 14 + 20 * n, colour, dash, s.name, width)
        )
    parts.append("</svg>")
    return "".join(parts)
