"""Trend charts: readings over time drawn over named score bands, threshold lines and the
plan's dose steps on a second (right-hand) axis. Band and threshold names are written on the
chart and every line has its own dash and marker shape, so colour is never the only cue.
Pixel positions are floats; numbers a person reads are written from the stored integers and
Decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from html import escape

from benzodetox.core.assessment.instruments import Band  # an instrument's named score range
from benzodetox.core.units import plain_decimal

from . import svg
from .doses import Steps, date_ticks
from .palette import BAND_FILLS, MARKERS, THRESHOLD, style_of
from .scales import axis_label, nice_ceiling, tick_count, ticks

__all__ = ["Band", "Reading", "Steps", "Threshold", "TrendLine", "trend_chart"]

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 14, 36
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
DOSE = "#7a7a7a"

Reading = tuple[datetime, Decimal]


@dataclass(frozen=True)
class TrendLine:
    name: str
    points: tuple[Reading, ...]
    #: band name of each point (marker fill), same length as points or empty
    bands: tuple[str, ...] = ()


@dataclass(frozen=True)
class Threshold:
    label: str
    value: Decimal


class _Frame:
    def __init__(self, start: datetime, end: datetime, top: Decimal) -> None:
        self.start, self.top = start, top
        self.span = (end - start).total_seconds() or 1.0

    def x(self, moment: datetime) -> float:
        return LEFT + PLOT_W * (moment - self.start).total_seconds() / self.span

    def y(self, value: Decimal, top: Decimal | None = None) -> float:
        scale = top if top is not None else self.top
        return TOP + PLOT_H * (1 - float(value / scale if scale else 0))


def _dose(f: _Frame, steps: Steps, end: datetime, legend_y: float, count: int) -> list[str]:
    # The right axis shares the left one's grid lines: a nice step times the left count.
    dose_top = nice_ceiling(max(p[2] for p in steps.points) / count) * count
    coords = []
    for frm, to, mg in steps.points:
        a = max(datetime.combine(frm, time(0)), f.start)
        b = min(datetime.combine(to + timedelta(days=1), time(0)), end)
        if a < b:
            coords += [(f.x(a), f.y(mg, dose_top)), (f.x(b), f.y(mg, dose_top))]
    faint = ' stroke-opacity=".45"'
    parts = [svg.polyline(svg.points_attr(coords), DOSE, 6, extra=faint)] if coords else []
    for value in ticks(dose_top, count):  # on the left axis's grid lines
        parts.append(
            f'<text x="{LEFT + PLOT_W - 4}" y="{f.y(value, dose_top) + 4:.1f}" '
            f'text-anchor="end" class="small dose">{axis_label(value)}</text>'
        )
    lx = LEFT + PLOT_W + 12
    parts.append(
        svg.legend_entry(lx, legend_y, DOSE, "", steps.name, 6, extra=faint)
        + f'<text x="{lx + 32}" y="{legend_y + 14:g}" class="small">diazepam-eq mg/day (right)'
        "</text>"
    )
    return parts


def trend_chart(
    chart_id: str,
    title: str,
    start: date,
    end: date,
    lines: Sequence[TrendLine],
    y_label: str,
    y_max: Decimal | None = None,
    bands: Sequence[Band] = (),
    thresholds: Sequence[Threshold] = (),
    steps: Steps | None = None,
    today: date | None = None,
) -> str:
    """One chart: lines of points over [start, end], optional score bands (background, named),
    threshold lines and the plan's dose steps on a right-hand axis."""
    frame_start = datetime.combine(start, time(0))
    frame_end = datetime.combine(end + timedelta(days=1), time(0))
    values = [v for line in lines for _, v in line.points] + [t.value for t in thresholds]
    top = y_max if y_max is not None else nice_ceiling(max(values, default=Decimal(1)))
    f = _Frame(frame_start, frame_end, top)
    count = sum(len(line.points) for line in lines)
    desc = (
        f"{count} reading{'s' if count != 1 else ''} from {start:%Y-%m-%d} to {end:%Y-%m-%d}; "
        "the table below the charts lists every reading."
    )
    parts = svg.open_svg(WIDTH, HEIGHT, chart_id, title, desc, "chart trend")
    parts.append(svg.frame(LEFT, TOP, PLOT_W, PLOT_H))
    for band in bands:
        lo, hi = Decimal(band.lo), min(Decimal(band.hi) + 1, top)
        if lo >= top:
            continue
        y_top, y_bottom = f.y(hi), f.y(lo)
        parts.append(
            f'<rect x="{LEFT}" y="{y_top:.1f}" width="{PLOT_W}" height="{y_bottom - y_top:.1f}" '
            f'fill="{BAND_FILLS.get(band.name, "#f4f4f4")}"/>'
            f'<text x="{LEFT + 4}" y="{y_top + 12:.1f}" class="band small">'
            f"{escape(band.name)} {band.lo}–{band.hi}</text>"
        )
    for value in ticks(top):
        parts.append(svg.grid_line(LEFT, LEFT + PLOT_W, f.y(value), axis_label(value)))
    parts.append(svg.y_title(y_label, 12, TOP + PLOT_H / 2))
    for day in date_ticks(start, max((end - start).days, 0)):
        parts.append(svg.x_tick(f.x(datetime.combine(day, time(0))), TOP + PLOT_H, f"{day:%d %b}"))
    if today is not None and start <= today <= end:
        xx = f.x(datetime.combine(today, time(12)))
        parts.append(
            f'<line x1="{xx:.1f}" y1="{TOP}" x2="{xx:.1f}" y2="{TOP + PLOT_H}" stroke="#666" '
            f'stroke-dasharray="1 3"/><text x="{xx + 3:.1f}" y="{TOP + 10}" class="small">today'
            "</text>"
        )
    legend_y, lx = TOP + 12, LEFT + PLOT_W + 12
    if steps is not None and steps.points:
        parts += _dose(f, steps, frame_end, legend_y + 40 * len(lines), tick_count(top))
    for threshold in thresholds:
        yy = f.y(threshold.value)
        parts.append(
            f'<line x1="{LEFT}" y1="{yy:.1f}" x2="{LEFT + PLOT_W}" y2="{yy:.1f}" '
            f'stroke="{THRESHOLD}" stroke-dasharray="5 4"/>'
            f'<text x="{LEFT + 4}" y="{yy - 3:.1f}" class="small threshold">'
            f"{escape(threshold.label)}</text>"
        )
    for n, line in enumerate(lines):
        colour, dash = style_of(n)
        shape = MARKERS[n % len(MARKERS)]
        pts = [(f.x(at), f.y(min(v, top)), at, v) for at, v in line.points]
        if len(pts) > 1:
            parts.append(svg.polyline(svg.points_attr((x, y) for x, y, _, _ in pts), colour, 2,
                                      dash))  # fmt: skip
        for i, (x, y, at, v) in enumerate(pts):
            named = line.bands[i] if i < len(line.bands) else ""
            fill = BAND_FILLS.get(named, "#ffffff")
            label = f"{line.name} {plain_decimal(v)}" + (f" ({named})" if named else "")
            parts.append(svg.marker(shape, x, y, fill, colour, f"{label}, {at:%Y-%m-%d %H:%M}"))
        ly = legend_y + 40 * n
        symbol = svg.marker(shape, lx + 13, ly - 4, "#fff", colour, line.name)
        parts.append(svg.legend_entry(lx, ly, colour, dash, line.name, symbol=symbol))
    parts.append("</svg>")
    return "".join(parts)
