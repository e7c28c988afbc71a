"""Trend charts as hand-written SVG (like ``plans/chart.py``): scores over time drawn over the
plan's dose steps, vital signs against the programme's thresholds, mood and anxiety scores.
Server-side, so they work offline and print; band and threshold names are written on the chart,
so colour is never the only cue. Pixel positions are floats; numbers a person reads are
formatted from the stored integers and Decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from html import escape

from benzodetox.core.units import plain_decimal

__all__ = ["Band", "Line", "Steps", "trend_chart"]

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 14, 36
COLOURS = ("#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
MARKERS = ("circle", "square", "diamond", "triangle")
BAND_FILLS = {
    "mild": "#eef6ee",
    "minimal": "#f6f6f6",
    "moderate": "#fff1c9",
    "moderately severe": "#fde2cf",
    "severe": "#fbd3c2",
    "very severe": "#f4b9b9",
}


@dataclass(frozen=True)
class Band:
    name: str
    lo: int
    hi: int


@dataclass(frozen=True)
class Line:
    name: str
    points: tuple[tuple[datetime, Decimal], ...]
    #: band name of each point (marker fill), same length as points or empty
    bands: tuple[str, ...] = ()


@dataclass(frozen=True)
class Steps:
    """The plan's dose: (from, to inclusive, diazepam-eq mg/day) — drawn on a second axis."""

    name: str
    points: tuple[tuple[date, date, Decimal], ...]


@dataclass(frozen=True)
class Threshold:
    label: str
    value: Decimal


@dataclass
class _Frame:
    start: datetime
    end: datetime
    y_max: Decimal
    plot_w: float = field(init=False)
    plot_h: float = field(init=False)

    def __post_init__(self) -> None:
        self.plot_w = WIDTH - LEFT - RIGHT
        self.plot_h = HEIGHT - TOP - BOTTOM

    def x(self, moment: datetime) -> float:
        span = (self.end - self.start).total_seconds() or 1.0
        return LEFT + self.plot_w * (moment - self.start).total_seconds() / span

    def y(self, value: Decimal, top: Decimal | None = None) -> float:
        scale = top if top is not None else self.y_max
        return TOP + self.plot_h * (1 - float(value / scale if scale else 0))


def _nice(value: Decimal) -> Decimal:
    for candidate in (1, 2, 5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200, 250, 300):
        if value <= candidate:
            return Decimal(candidate)
    return (value / 100).to_integral_value() * 100 + 100


def _marker(kind: str, cx: float, cy: float, fill: str, colour: str, title: str) -> str:
    t = f"<title>{escape(title)}</title>"
    if kind == "square":
        return (
            f'<rect x="{cx - 4:.1f}" y="{cy - 4:.1f}" width="8" height="8" fill="{fill}" '
            f'stroke="{colour}" stroke-width="1.5">{t}</rect>'
        )
    if kind == "diamond":
        return (
            f'<polygon points="{cx:.1f},{cy - 5:.1f} {cx + 5:.1f},{cy:.1f} {cx:.1f},{cy + 5:.1f} '
            f'{cx - 5:.1f},{cy:.1f}" fill="{fill}" stroke="{colour}" stroke-width="1.5">{t}'
            "</polygon>"
        )
    if kind == "triangle":
        return (
            f'<polygon points="{cx:.1f},{cy - 5:.1f} {cx + 5:.1f},{cy + 4:.1f} '
            f'{cx - 5:.1f},{cy + 4:.1f}" fill="{fill}" stroke="{colour}" stroke-width="1.5">'
            f"{t}</polygon>"
        )
    return (
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" fill="{fill}" stroke="{colour}" '
        f'stroke-width="1.5">{t}</circle>'
    )


def trend_chart(
    chart_id: str,
    title: str,
    start: date,
    end: date,
    lines: Sequence[Line],
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
    top = y_max if y_max is not None else _nice(max(values, default=Decimal(1)) or Decimal(1))
    f = _Frame(frame_start, frame_end, top)
    count = sum(len(line.points) for line in lines)
    desc = f"{count} reading{'s' if count != 1 else ''} from {start:%Y-%m-%d} to {end:%Y-%m-%d}"
    parts = [
        f'<svg class="chart trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}; the table below the charts lists every '
        "reading.</desc>",
        f'<rect x="{LEFT}" y="{TOP}" width="{f.plot_w}" height="{f.plot_h}" fill="#fff" '
        'stroke="#888"/>',
    ]
    for band in bands:
        lo, hi = Decimal(band.lo), min(Decimal(band.hi) + 1, top)
        if lo >= top:
            continue
        y_top, y_bottom = f.y(hi), f.y(lo)
        parts.append(
            f'<rect x="{LEFT}" y="{y_top:.1f}" width="{f.plot_w}" height="{y_bottom - y_top:.1f}" '
            f'fill="{BAND_FILLS.get(band.name, "#f4f4f4")}"/>'
            f'<text x="{LEFT + 4}" y="{y_top + 12:.1f}" class="band small">'
            f"{escape(band.name)} {band.lo}–{band.hi}</text>"
        )
    for i in range(5):
        value = top * i / 4
        yy = f.y(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{yy:.1f}" x2="{LEFT + f.plot_w}" y2="{yy:.1f}" '
            'stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{yy + 4:.1f}" text-anchor="end">{plain_decimal(value)}</text>'
        )
    mid = TOP + f.plot_h / 2
    parts.append(
        f'<text x="12" y="{mid:.0f}" transform="rotate(-90 12 {mid:.0f})" '
        f'text-anchor="middle">{escape(y_label)}</text>'
    )
    days = max((end - start).days + 1, 1)
    for i in range(7):
        day = start + timedelta(days=round((days - 1) * i / 6))
        xx = f.x(datetime.combine(day, time(0)))
        parts.append(
            f'<line x1="{xx:.1f}" y1="{TOP + f.plot_h}" x2="{xx:.1f}" y2="{TOP + f.plot_h + 4}" '
            'stroke="#444"/>'
            f'<text x="{xx:.1f}" y="{TOP + f.plot_h + 17}" text-anchor="middle">{day:%d %b}</text>'
        )
    if today is not None and start <= today <= end:
        xx = f.x(datetime.combine(today, time(12)))
        parts.append(
            f'<line x1="{xx:.1f}" y1="{TOP}" x2="{xx:.1f}" y2="{TOP + f.plot_h}" stroke="#666" '
            f'stroke-dasharray="1 3"/><text x="{xx + 3:.1f}" y="{TOP + 10}" class="small">today'
            "</text>"
        )
    legend_y = TOP + 12
    lx = LEFT + f.plot_w + 12
    if steps is not None and steps.points:
        dose_top = _nice(max(p[2] for p in steps.points) or Decimal(1))
        coords = []
        for frm, to, mg in steps.points:
            a = max(datetime.combine(frm, time(0)), frame_start)
            b = min(datetime.combine(to + timedelta(days=1), time(0)), frame_end)
            if a >= b:
                continue
            yy = f.y(mg, dose_top)
            coords.append(f"{f.x(a):.1f},{yy:.1f} {f.x(b):.1f},{yy:.1f}")
        if coords:
            parts.append(
                f'<polyline fill="none" stroke="#7a7a7a" stroke-width="6" stroke-opacity=".45" '
                f'points="{" ".join(coords)}"/>'
            )
        for i in range(5):
            value = dose_top * i / 4
            parts.append(
                f'<text x="{LEFT + f.plot_w - 4}" y="{f.y(value, dose_top) + 4:.1f}" '
                f'text-anchor="end" class="small dose">{plain_decimal(value)}</text>'
            )
        parts.append(
            f'<line x1="{lx}" y1="{legend_y + 40 * len(lines) - 4}" x2="{lx + 26}" '
            f'y2="{legend_y + 40 * len(lines) - 4}" stroke="#7a7a7a" stroke-width="6" '
            f'stroke-opacity=".45"/><text x="{lx + 32}" y="{legend_y + 40 * len(lines)}">'
            f'{escape(steps.name)}</text><text x="{lx + 32}" y="{legend_y + 40 * len(lines) + 14}" '
            'class="small">diazepam-eq mg/day (right)</text>'
        )
    for threshold in thresholds:
        yy = f.y(threshold.value)
        parts.append(
            f'<line x1="{LEFT}" y1="{yy:.1f}" x2="{LEFT + f.plot_w}" y2="{yy:.1f}" '
            'stroke="#a11a1a" stroke-dasharray="5 4"/>'
            f'<text x="{LEFT + 4}" y="{yy - 3:.1f}" class="small threshold">'
            f"{escape(threshold.label)}</text>"
        )
    for n, line in enumerate(lines):
        colour, dash = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)]
        marker = MARKERS[n % len(MARKERS)]
        pts = [(f.x(at), f.y(min(v, top)), at, v) for at, v in line.points]
        if len(pts) > 1:
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in pts)
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash_attr} '
                f'points="{coords}"/>'
            )
        for i, (x, y, at, v) in enumerate(pts):
            band = line.bands[i] if i < len(line.bands) else ""
            fill = BAND_FILLS.get(band, "#ffffff") if band else "#ffffff"
            label = f"{line.name} {plain_decimal(v)}" + (f" ({band})" if band else "")
            parts.append(_marker(marker, x, y, fill, colour, f"{label}, {at:%Y-%m-%d %H:%M}"))
        ly = legend_y + 40 * n
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 26}" y2="{ly - 4}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>'
            + _marker(marker, lx + 13, ly - 4, "#fff", colour, line.name)
            + f'<text x="{lx + 32}" y="{ly}">{escape(line.name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
