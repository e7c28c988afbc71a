"""Line charts of float series over days (the Pharmacology page's concentration and occupancy):
one shared y axis, x in days, the legend below the plot, a colour and a dash pattern per line."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from html import escape

import numpy as np

from . import svg
from .palette import style_of
from .scales import axis_label, compact, day_step, nice_ceiling, thin, ticks

__all__ = ["Line", "line_chart"]


@dataclass(frozen=True)
class Line:
    """One curve: ``values`` at ``days`` (days from the plan's first midnight)."""

    label: str
    days: np.ndarray
    values: np.ndarray


def line_chart(
    lines: list[Line],
    *,
    title: str,
    desc: str,
    unit: str,
    chart_id: str,
    ymax: float | None = None,
    x_label: str = "day of the plan",
    width: int = 760,
    plot_height: int = 260,
) -> str:
    """An accessible SVG line chart (``role="img"``, ``<title>``, ``<desc>``) for a web page or
    print: one shared y axis in ``unit``, x in days, the legend below the plot, and a distinct
    colour *and* dash pattern for every line. ``desc`` should say where the figures are given
    as a table.
    """
    left, right, top = 64.0, 16.0, 12.0
    plot_w = width - left - right
    height = top + plot_height + 44 + 18 * math.ceil(len(lines) / 2)
    xmax = max((float(line.days[-1]) for line in lines if line.days.size), default=1.0) or 1.0
    peak = max((float(np.nanmax(line.values)) for line in lines if line.values.size), default=0.0)
    top_value = Decimal(str(ymax)) if ymax is not None and ymax > 0 else nice_ceiling(peak)
    base = top + plot_height
    parts = svg.open_svg(width, height, chart_id, title, desc)
    parts.append(svg.frame(left, top, plot_w, plot_height))
    for value in ticks(top_value):
        y = base - plot_height * float(value / top_value)
        parts.append(svg.grid_line(left, left + plot_w, y, axis_label(value)))
    parts.append(svg.y_title(unit, 14, top + plot_height / 2))
    step = day_step(xmax)
    for i in range(int(xmax // step) + 1):
        parts.append(svg.x_tick(left + plot_w * i * step / xmax, base, str(i * step)))
    parts.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{base + 33:g}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
    )
    scale_x = plot_w / xmax
    scale_y = plot_height / float(top_value)
    for n, line in enumerate(lines):
        colour, dash = style_of(n)
        xs, ys = thin(line.days, line.values, limit=2 * int(plot_w))
        px, py = compact(left + xs * scale_x, base - np.clip(ys, 0.0, float(top_value)) * scale_y)
        points = " ".join(f"{x:g},{y:g}" for x, y in zip(px.tolist(), py.tolist(), strict=True))
        parts.append(svg.polyline(points, colour, 2, dash, title=line.label))
        lx = left + (n % 2) * plot_w / 2
        parts.append(
            svg.legend_entry(lx, base + 52 + 18 * (n // 2), colour, dash, line.label, length=30)
        )
    parts.append("</svg>")
    return "".join(parts)
