"""The outcomes page's charts as hand-written SVG (the house style of plans/chart.py and
monitoring/charts.py): server-side, so they work offline and in the PDF; every chart has a
table beside it as its text alternative, and names and values are written on the chart so
colour is never the only cue. Pixel positions are floats; the numbers a person reads are
formatted from the core's integers and Decimals. No style attributes (the page's CSP).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from benzodetox.core.outcomes import FunnelStage, KMPoint, Quartiles

__all__ = ["funnel_svg", "km_svg", "trajectory_svg"]

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 24, 16, 44
INK, BLUE, ORANGE, BAND, GRID = "#000000", "#0072B2", "#D55E00", "#cfe3f1", "#dddddd"


def _open(title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="t d" class="outcome-chart" font-family="sans-serif" '
        f'font-size="12"><title id="t">{escape(title)}</title><desc id="d">{escape(desc)}</desc>'
    ]


def _empty(title: str, why: str) -> str:
    parts = _open(title, why)
    parts.append(
        f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="{INK}">'
        f"{escape(why)}</text></svg>"
    )
    return "".join(parts)


def _nice(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= step * 5:
            return step
    return 10 ** len(str(value))


def _axes(
    parts: list[str], x_max: int, y_max: int, x_label: str, y_label: str, y_pct: bool
) -> None:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    y_step = 20 if y_pct else _nice(y_max)
    for y in range(0, y_max + 1, y_step):
        py = TOP + plot_h * (1 - y / y_max)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{py:.1f}" y2="{py:.1f}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 6}" y="{py + 4:.1f}" text-anchor="end">'
            f"{y}{'%' if y_pct else ''}</text>"
        )
    x_step = _nice(x_max)
    for x in range(0, x_max + 1, x_step):
        px = LEFT + plot_w * x / x_max
        parts.append(
            f'<text x="{px:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{x}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" '
        f'y2="{HEIGHT - BOTTOM}" stroke="{INK}"/>'
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="{INK}"/>'
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 8}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
        f'<text x="14" y="{TOP + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {TOP + plot_h / 2})">{escape(y_label)}</text>'
    )


def km_svg(points: Sequence[KMPoint], last_day: int) -> str:
    """The share still tapering against days since the start (a step curve)."""
    title = "Still tapering (Kaplan–Meier)"
    if not points:
        return _empty(title, "Too few patients to draw the curve.")
    x_max = max(last_day, points[-1].day, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = _open(title, "Share of patients still tapering by days since the start of the taper.")
    _axes(parts, x_max, 100, "days since the start", "still tapering", True)

    def xy(day: int, share: Decimal) -> tuple[float, float]:
        return LEFT + plot_w * day / x_max, TOP + plot_h * (1 - float(share))

    path = []
    previous: Decimal | None = None
    for p in points:
        x, y = xy(p.day, p.still_tapering)
        if previous is not None:
            path.append(f"L{x:.1f},{xy(p.day, previous)[1]:.1f}")
        path.append(f"{'M' if previous is None else 'L'}{x:.1f},{y:.1f}")
        previous = p.still_tapering
    end_x, end_y = xy(
        last_day if last_day > points[-1].day else points[-1].day, points[-1].still_tapering
    )
    path.append(f"L{end_x:.1f},{end_y:.1f}")
    parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>')
    last = points[-1]
    parts.append(
        f'<text x="{min(end_x, WIDTH - RIGHT - 4):.1f}" y="{end_y - 6:.1f}" text-anchor="end" '
        f'fill="{INK}">{last.percent}% still tapering</text></svg>'
    )
    return "".join(parts)


def trajectory_svg(weeks: Sequence[tuple[int, Quartiles]], n_weeks: int) -> str:
    """The weekly median CIWA-B with its interquartile band (weeks with too few patients are
    left out)."""
    title = "CIWA-B by week: median and interquartile range"
    shown = [(w, q) for w, q in weeks if q.median is not None]
    if not shown:
        return _empty(title, "Too few CIWA-B scores to draw the trajectory.")
    y_top = max(10, *(int(q.q3 or 0) + 1 for _w, q in shown))
    y_top = ((y_top + 9) // 10) * 10
    x_max = max(min(n_weeks - 1, shown[-1][0] + 1), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = _open(
        title,
        "Median CIWA-B score by week since the start, with the band from the first to the "
        "third quartile.",
    )
    _axes(parts, x_max, y_top, "weeks since the start", "CIWA-B", False)

    def x(week: int) -> float:
        return LEFT + plot_w * week / x_max

    def y(value: Decimal | None) -> float:
        return TOP + plot_h * (1 - float(value or 0) / y_top)

    upper = [f"{x(w):.1f},{y(q.q3):.1f}" for w, q in shown]
    lower = [f"{x(w):.1f},{y(q.q1):.1f}" for w, q in reversed(shown)]
    parts.append(f'<polygon points="{" ".join(upper + lower)}" fill="{BAND}" stroke="none"/>')
    line = " ".join(f"{x(w):.1f},{y(q.median):.1f}" for w, q in shown)
    parts.append(f'<polyline points="{line}" fill="none" stroke="{ORANGE}" stroke-width="2"/>')
    parts.append(
        f'<text x="{WIDTH - RIGHT - 4}" y="{TOP + 12}" text-anchor="end">'
        "line: median · band: interquartile range</text></svg>"
    )
    return "".join(parts)


def funnel_svg(stages: Sequence[FunnelStage]) -> str:
    """Horizontal bars: patients at each stage (a hidden small count is written as such)."""
    title = "Completion funnel"
    total = stages[0].count if stages else None
    if not stages or not total:
        return _empty(title, "Too few patients to draw the funnel.")
    bar_h, gap, label_w = 30, 12, 200
    height = TOP + len(stages) * (bar_h + gap) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="ft fd" class="outcome-chart" font-family="sans-serif" font-size="12">'
        f'<title id="ft">{title}</title><desc id="fd">Patients reaching each stage, from the start '
        "to staying off after the last dose.</desc>"
    ]
    width = WIDTH - LEFT - RIGHT - label_w
    for i, stage in enumerate(stages):
        top = TOP + i * (bar_h + gap)
        parts.append(f'<text x="{LEFT}" y="{top + bar_h / 2 + 4}">{escape(stage.label)}</text>')
        if stage.count is None:
            parts.append(
                f'<text x="{LEFT + label_w}" y="{top + bar_h / 2 + 4}" fill="{INK}">'
                "not shown (small numbers)</text>"
            )
            continue
        w = width * stage.count / total
        parts.append(
            f'<rect x="{LEFT + label_w}" y="{top}" width="{w:.1f}" height="{bar_h}" fill="{BLUE}"/>'
            f'<text x="{LEFT + label_w + w + 6:.1f}" y="{top + bar_h / 2 + 4}">{stage.count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
