"""The programme outcomes charts: the Kaplan–Meier "still tapering" step curve, the weekly
CIWA-B median with its interquartile band (from the start, or one line and band per phase
counted from the week the phase began), and the completion funnel. Each has a table beside it
on the page as its text alternative; names and values are written on the chart so colour is
never the only cue. Numbers a person reads are written from the core's integers and Decimals.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from html import escape

from benzodetox.core.outcomes import FunnelStage, KMPoint, Quartiles

from . import svg
from .palette import BAND, COLOURS, GRID, INK, MARKERS, style_of
from .scales import int_step

__all__ = ["funnel_svg", "km_svg", "phase_trajectory_svg", "trajectory_svg"]

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 24, 16, 44
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
BLUE, ORANGE = COLOURS[1], COLOURS[2]
FONT = ' font-family="sans-serif" font-size="12"'


def _open(chart_id: str, title: str, desc: str, height: int = HEIGHT) -> list[str]:
    return svg.open_svg(WIDTH, height, chart_id, title, desc, "outcome-chart", FONT)


def _empty(chart_id: str, title: str, why: str) -> str:
    parts = _open(chart_id, title, why)
    parts.append(
        f'<text x="{WIDTH / 2:g}" y="{HEIGHT / 2:g}" text-anchor="middle" fill="{INK}">'
        f"{escape(why)}</text></svg>"
    )
    return "".join(parts)


def _axes(
    parts: list[str], x_max: int, y_max: int, x_label: str, y_label: str, y_pct: bool
) -> None:
    base = HEIGHT - BOTTOM
    for y in range(0, y_max + 1, 20 if y_pct else int_step(y_max)):
        py = TOP + PLOT_H * (1 - y / y_max)
        label = f"{y}{'%' if y_pct else ''}"
        parts.append(svg.grid_line(LEFT, WIDTH - RIGHT, py, label, GRID))
    for x in range(0, x_max + 1, int_step(x_max)):
        parts.append(svg.x_tick(LEFT + PLOT_W * x / x_max, base - 1, str(x), mark=False))
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" stroke="{INK}"/>'
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{base}" stroke="{INK}"/>'
        f'<text x="{LEFT + PLOT_W / 2:g}" y="{HEIGHT - 8}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
    )
    parts.append(svg.y_title(y_label, 14, TOP + PLOT_H / 2))


def km_svg(points: Sequence[KMPoint], last_day: int, chart_id: str = "km") -> str:
    """The share still tapering against days since the start (a step curve)."""
    title = "Still tapering (Kaplan–Meier)"
    if not points:
        return _empty(chart_id, title, "Too few patients to draw the curve.")
    x_max = max(last_day, points[-1].day, 1)
    parts = _open(
        chart_id, title, "Share of patients still tapering by days since the start of the taper."
    )
    _axes(parts, x_max, 100, "days since the start", "still tapering", True)

    def xy(day: int, share: Decimal) -> tuple[float, float]:
        return LEFT + PLOT_W * day / x_max, TOP + PLOT_H * (1 - float(share))

    corners = [xy(points[0].day, points[0].still_tapering)]
    for before, p in itertools.pairwise(points):  # along, then the step down
        corners += [xy(p.day, before.still_tapering), xy(p.day, p.still_tapering)]
    end_x, end_y = xy(max(last_day, points[-1].day), points[-1].still_tapering)
    corners.append((end_x, end_y))
    parts.append(svg.polyline(svg.points_attr(corners), BLUE, 2.5, title="still tapering"))
    parts.append(
        f'<text x="{min(end_x, WIDTH - RIGHT - 4):.1f}" y="{end_y - 6:.1f}" text-anchor="end" '
        f'fill="{INK}">{points[-1].percent}% still tapering</text></svg>'
    )
    return "".join(parts)


def trajectory_svg(
    weeks: Sequence[tuple[int, Quartiles]], n_weeks: int, chart_id: str = "trajectory"
) -> str:
    """The weekly median CIWA-B with its interquartile band (weeks with too few patients are
    left out)."""
    title = "CIWA-B by week: median and interquartile range"
    shown = [(w, q) for w, q in weeks if q.median is not None]
    if not shown:
        return _empty(chart_id, title, "Too few CIWA-B scores to draw the trajectory.")
    y_top = max(10, *(int(q.q3 or 0) + 1 for _w, q in shown))
    y_top = ((y_top + 9) // 10) * 10
    x_max = max(min(n_weeks - 1, shown[-1][0] + 1), 1)
    parts = _open(
        chart_id,
        title,
        "Median CIWA-B score by week since the start, with the band from the first to the "
        "third quartile.",
    )
    _axes(parts, x_max, y_top, "weeks since the start", "CIWA-B", False)

    def xy(week: int, value: Decimal | None) -> tuple[float, float]:
        return LEFT + PLOT_W * week / x_max, TOP + PLOT_H * (1 - float(value or 0) / y_top)

    band = [xy(w, q.q3) for w, q in shown] + [xy(w, q.q1) for w, q in reversed(shown)]
    parts.append(f'<polygon points="{svg.points_attr(band)}" fill="{BAND}" stroke="none"/>')
    median = svg.points_attr(xy(w, q.median) for w, q in shown)
    parts.append(svg.polyline(median, ORANGE, 2, title="median CIWA-B"))
    parts.append(
        f'<text x="{WIDTH - RIGHT - 4}" y="{TOP + 12}" text-anchor="end">'
        "line: median · band: interquartile range</text></svg>"
    )
    return "".join(parts)


def phase_trajectory_svg(
    phases: Sequence[tuple[str, Sequence[tuple[int, Quartiles]]]],
    n_weeks: int,
    chart_id: str = "trajectory",
) -> str:
    """One median line (its own colour, dash pattern and marker, named at its end and in the
    legend) and interquartile band per phase, against weeks since the phase began; weeks with
    too few patients are left out. ``phases``: (name, weeks) in the order to draw them; a
    phase's style follows its place in that order."""
    title = "CIWA-B by phase: median and interquartile range"
    shown = [
        (i, name, [(w, q) for w, q in weeks if q.median is not None])
        for i, (name, weeks) in enumerate(phases)
    ]
    shown = [row for row in shown if row[2]]
    if not shown:
        return _empty(chart_id, title, "Too few CIWA-B scores to draw the trajectories.")
    y_top = max(10, *(int(q.q3 or 0) + 1 for _i, _n, rows in shown for _w, q in rows))
    y_top = ((y_top + 9) // 10) * 10
    last_week = max(rows[-1][0] for _i, _n, rows in shown)
    x_max = max(min(n_weeks - 1, last_week + 1), 1)
    parts = _open(
        chart_id,
        title,
        "For each phase, the median CIWA-B score by week since the patient entered the phase, "
        "with the band from the first to the third quartile: "
        + "; ".join(name for _i, name, _r in shown)
        + ". A table per phase gives the same figures.",
        HEIGHT + 30,
    )
    _axes(parts, x_max, y_top, "weeks since the phase began", "CIWA-B", False)

    def xy(week: int, value: Decimal | None) -> tuple[float, float]:
        return LEFT + PLOT_W * week / x_max, TOP + PLOT_H * (1 - float(value or 0) / y_top)

    for i, _name, rows in shown:  # bands first, so no band hides a line
        colour, _dash = style_of(i)
        if len(rows) == 1:
            (x, y1), (_x, y3) = xy(rows[0][0], rows[0][1].q1), xy(rows[0][0], rows[0][1].q3)
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y1:.1f}" y2="{y3:.1f}" stroke="{colour}" '
                'stroke-width="6" stroke-opacity="0.25"/>'
            )
            continue
        band = [xy(w, q.q3) for w, q in rows] + [xy(w, q.q1) for w, q in reversed(rows)]
        parts.append(
            f'<polygon points="{svg.points_attr(band)}" fill="{colour}" fill-opacity="0.12" '
            'stroke="none"/>'
        )
    ends: list[tuple[float, float, str]] = []
    for i, name, rows in shown:
        colour, dash = style_of(i)
        median = [xy(w, q.median) for w, q in rows]
        if len(median) > 1:
            parts.append(
                svg.polyline(svg.points_attr(median), colour, 2, dash, title=f"{name}: median")
            )
        shape = MARKERS[i % len(MARKERS)]
        for (w, q), (x, y) in zip(rows, median, strict=True):
            reading = f"{name}, week {w}: median {q.median} (IQR {q.q1}–{q.q3}, {q.n} patients)"
            parts.append(svg.marker(shape, x, y, "#ffffff", colour, reading))
        ends.append((median[-1][1], median[-1][0], name))
    placed: list[float] = []
    for end_y, x, name in sorted(ends):  # names at the lines' ends, nudged apart
        y = max([end_y - 8, *(p + 14 for p in placed)])
        placed.append(y)
        anchor = "end" if x > WIDTH - RIGHT - 140 else "start"
        tx = x - 8 if anchor == "end" else x + 8
        parts.append(
            f'<text x="{tx:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{INK}">'
            f"{escape(name)}</text>"
        )
    x = float(LEFT)
    for i, name, _rows in shown:
        colour, dash = style_of(i)
        shape = MARKERS[i % len(MARKERS)]
        symbol = svg.marker(shape, x + 13, HEIGHT + 16, "#ffffff", colour, name)
        parts.append(svg.legend_entry(x, HEIGHT + 20, colour, dash, name, symbol=symbol))
        x += 44 + 7 * len(name)
    parts.append(
        f'<text x="{WIDTH - RIGHT - 4}" y="{TOP + 12}" text-anchor="end">'
        "lines: medians · bands: interquartile ranges</text></svg>"
    )
    return "".join(parts)


def funnel_svg(stages: Sequence[FunnelStage], chart_id: str = "funnel") -> str:
    """Horizontal bars: patients at each stage (a hidden small count is written as such)."""
    title = "Completion funnel"
    total = stages[0].count if stages else None
    if not stages or not total:
        return _empty(chart_id, title, "Too few patients to draw the funnel.")
    bar_h, gap, label_w = 30, 12, 200
    parts = _open(
        chart_id,
        title,
        "Patients reaching each stage, from the start to staying off after the last dose.",
        TOP + len(stages) * (bar_h + gap) + 10,
    )
    width = WIDTH - LEFT - RIGHT - label_w
    for i, stage in enumerate(stages):
        top = TOP + i * (bar_h + gap)
        text_y = top + bar_h / 2 + 4
        parts.append(f'<text x="{LEFT}" y="{text_y:g}">{escape(stage.label)}</text>')
        if stage.count is None:
            parts.append(
                f'<text x="{LEFT + label_w}" y="{text_y:g}" fill="{INK}">'
                "not shown (small numbers)</text>"
            )
            continue
        w = width * stage.count / total
        parts.append(
            f'<rect x="{LEFT + label_w}" y="{top}" width="{w:.1f}" height="{bar_h}" fill="{BLUE}"/>'
            f'<text x="{LEFT + label_w + w + 6:.1f}" y="{text_y:g}">{stage.count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
