"""The dose chart as hand-written SVG: diazepam-equivalent mg/day over the plan, one stepped
line per drug and one for the total. Server-side, so it works offline and prints.

Pixel positions are floats; every number a person reads (axis labels, titles) is formatted from
the plan's exact Decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html import escape

from benzodetox.core.equivalence import diazepam_eq
from benzodetox.core.plan import Plan
from benzodetox.core.units import format_mg, plain_decimal

__all__ = ["Series", "dose_chart", "series_of"]

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 150, 16, 40
# Colour-blind-safe palette (Okabe–Ito) and a dash pattern per series, so lines differ
# without colour too.
COLOURS = ("#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[tuple[date, date, Decimal], ...]  # (from, to inclusive, diazepam-eq mg/day)


def _basis(plan: Plan) -> str | None:
    return plan.request.basis if plan.request is not None else None


def series_of(plan: Plan) -> list[Series]:
    """The total and, when there is more than one drug, each drug's diazepam-eq per step."""
    total = Series("Total", tuple((s.start, s.end, Decimal(s.diazepam_eq_mg)) for s in plan.steps))
    drugs: dict[str, None] = {}
    for step in plan.steps:
        for dose in step.doses:
            drugs.setdefault(dose.drug, None)
    if len(drugs) <= 1:
        return [total]
    out = [total]
    for drug in drugs:
        points = []
        for step in plan.steps:
            mg = step.daily_mg(drug)
            eq = diazepam_eq(drug, mg, plan.source, _basis(plan)) if mg > 0 else Decimal(0)  # type: ignore[arg-type]
            points.append((step.start, step.end, eq))
        # Draw a drug until the step after its last dose (its drop to zero), not along the axis.
        last = max((i for i, p in enumerate(points) if p[2] > 0), default=-1)
        first = min((i for i, p in enumerate(points) if p[2] > 0), default=0)
        out.append(Series(drug.replace("_", " "), tuple(points[first : last + 2])))
    return out


def _nice_max(value: Decimal) -> Decimal:
    for candidate in (1, 2, 5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200, 300, 500, 1000):
        if value <= candidate:
            return Decimal(candidate)
    return (value / 100).to_integral_value() * 100 + 100


def dose_chart(plan: Plan, title: str = "Diazepam-equivalent dose over the plan") -> str:
    if not plan.steps:
        return ""
    series = series_of(plan)
    start = plan.steps[0].start
    end = plan.steps[-1].end + timedelta(days=1)
    days = max((end - start).days, 1)
    top = _nice_max(max((p[2] for s in series for p in s.points), default=Decimal(1)) or Decimal(1))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return LEFT + plot_w * (day - start).days / days

    def y(mg: Decimal) -> float:
        return TOP + plot_h * (1 - float(mg / top))

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">From {format_mg(plan.steps[0].diazepam_eq_mg)} on '
        f"{start:%Y-%m-%d} to {format_mg(plan.steps[-1].diazepam_eq_mg)} on "
        f"{plan.steps[-1].end:%Y-%m-%d}; the step table gives every figure.</desc>",
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fff" '
        'stroke="#888"/>',
    ]
    for i in range(5):
        mg = top * i / 4
        yy = y(mg)
        parts.append(
            f'<line x1="{LEFT}" y1="{yy:.1f}" x2="{LEFT + plot_w}" y2="{yy:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{yy + 4:.1f}" text-anchor="end">{plain_decimal(mg)}</text>'
        )
    parts.append(
        f'<text x="14" y="{TOP + plot_h / 2:.0f}" transform="rotate(-90 14 {TOP + plot_h / 2:.0f})"'
        ' text-anchor="middle">mg/day diazepam-eq</text>'
    )
    ticks = 6
    for i in range(ticks + 1):
        day = start + timedelta(days=round(days * i / ticks))
        xx = x(day)
        parts.append(
            f'<line x1="{xx:.1f}" y1="{TOP + plot_h}" x2="{xx:.1f}" y2="{TOP + plot_h + 4}" '
            'stroke="#444"/>'
            f'<text x="{xx:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{day:%d %b}</text>'
        )
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 4}" text-anchor="middle">'
        f"{start:%Y} – {(end - timedelta(days=1)):%Y}</text>"
    )
    for n, s in enumerate(series):
        colour, dash = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)]
        coords: list[str] = []
        if not s.points:
            continue
        for frm, to, mg in s.points:
            yy = y(mg)
            coords.append(f"{x(frm):.1f},{yy:.1f}")
            coords.append(f"{x(to + timedelta(days=1)):.1f},{yy:.1f}")
        width = 3 if n == 0 else 2
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="{width}"{dash_attr} '
            f'points="{" ".join(coords)}"/>'
        )
        ly = TOP + 14 + 20 * n
        lx = LEFT + plot_w + 12
        parts.append(
            f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 26}" y2="{ly - 4}" stroke="{colour}" '
            f'stroke-width="{width}"{dash_attr}/>'
            f'<text x="{lx + 32}" y="{ly}">{escape(s.name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


