"""Hand-written SVG charts of a pharmacology simulation, shared by the CLI and the web.

``simulation_svg`` / ``simulation_png`` draw a ``core.kinetics.Simulation`` as one panel per
quantity (plasma concentration, flumazenil, occupancy) — the ``benzodetox simulate --format
svg|png`` output. Geometry is floats (drawing only); every number a person reads is formatted
from the simulation with few significant digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

from benzodetox.core.errors import InputError
from benzodetox.core.kinetics import Simulation

__all__ = ["Line", "line_chart", "simulation_png", "simulation_svg"]

# --- chart (one geometry, drawn as SVG text or with Pillow) -------------------------------------

PALETTE = ("#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#16a085", "#7f8c8d")


@dataclass(frozen=True)
class _Panel:
    title: str
    unit: str
    top: float
    height: float
    ymax: float
    lines: tuple[tuple[str, str, list[tuple[float, float]]], ...]  # label, colour, points
    bands: tuple[tuple[str, list[tuple[float, float]]], ...]  # colour, polygon


WIDTH, LEFT, RIGHT = 900.0, 70.0, 20.0


def _nice_max(value: float) -> float:
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= m * power:
            return m * power
    return 10.0 * power


def _thin(x: np.ndarray, y: np.ndarray, limit: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    """Keep at most ~limit points, preserving each bucket's min and max (peaks stay visible)."""
    if x.size <= limit:
        return x, y
    bucket = math.ceil(x.size / (limit / 2))
    n = x.size // bucket * bucket
    xs = x[:n].reshape(-1, bucket)
    ys = y[:n].reshape(-1, bucket)
    lo, hi = ys.argmin(axis=1), ys.argmax(axis=1)
    rows = np.arange(xs.shape[0])
    first = np.minimum(lo, hi)
    second = np.maximum(lo, hi)
    px = np.stack([xs[rows, first], xs[rows, second]], axis=1).reshape(-1)
    py = np.stack([ys[rows, first], ys[rows, second]], axis=1).reshape(-1)
    return np.r_[px, x[n:]], np.r_[py, y[n:]]


def _panels(sim: Simulation) -> tuple[list[_Panel], float]:
    days = sim.time_h / 24.0
    xmax = float(days[-1]) if days.size else 1.0
    plot_w = WIDTH - LEFT - RIGHT

    def px(d: np.ndarray) -> np.ndarray:
        return LEFT + d / (xmax or 1.0) * plot_w

    groups: list[tuple[str, str, dict[str, np.ndarray], dict[str, Any]]] = []
    benzo = {k: v for k, v in sim.concentration.items() if k != "flumazenil"}
    if benzo:
        groups.append(("Plasma concentration", "ng/mL", benzo, dict(sim.bands)))
    if sim.flumazenil is not None:
        groups.append(
            (
                "Flumazenil (research mode)",
                "ng/mL",
                {"flumazenil": sim.flumazenil.concentration},
                {},
            )
        )
    if sim.occupancy is not None:
        groups.append(
            ("Receptor occupancy (assumed ED50/EC50)", "%", dict(sim.occupancy.series), {})
        )
    panels: list[_Panel] = []
    top, height, gap = 50.0, 230.0, 70.0
    colour = 0
    for title, unit, series, bands in groups:
        peak = max([float(v.max()) for v in series.values()] + [0.0])
        peak = max([peak] + [float(b.p95.max()) for b in bands.values()])
        ymax = 100.0 if unit == "%" and peak > 50 else _nice_max(peak)

        def py(v: np.ndarray, top: float = top, ymax: float = ymax) -> np.ndarray:
            return np.asarray(top + height - np.clip(v, 0, ymax) / ymax * height)

        lines = []
        band_polys = []
        for name, values in series.items():
            col = PALETTE[colour % len(PALETTE)]
            colour += 1
            if name in bands:
                b = bands[name]
                xs, hi = _thin(days, b.p95)
                xl, lo = _thin(days, b.p5)
                poly = list(zip(px(xs).tolist(), py(hi).tolist(), strict=True)) + list(
                    zip(px(xl)[::-1].tolist(), py(lo)[::-1].tolist(), strict=True)
                )
                band_polys.append((col, poly))
                xm, med = _thin(days, b.median)
                lines.append(
                    (f"{name} median (5–95 %)", col,
                     list(zip(px(xm).tolist(), py(med).tolist(), strict=True)))
                )  # fmt: skip
            xs, ys = _thin(days, values)
            lines.append((name, col, list(zip(px(xs).tolist(), py(ys).tolist(), strict=True))))
        panels.append(_Panel(title, unit, top, height, ymax, tuple(lines), tuple(band_polys)))
        top += height + gap
    return panels, xmax


def simulation_svg(sim: Simulation, title: str = "benzodetox simulation") -> str:
    """A self-contained SVG: one panel per quantity, axes in days, legend, and a footnote that
    the curves are a model resting on the listed assumptions."""
    panels, xmax = _panels(sim)
    total_h = (panels[-1].top + panels[-1].height + 70) if panels else 120
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:g}" height="{total_h:g}" '
        f'viewBox="0 0 {WIDTH:g} {total_h:g}" font-family="DejaVu Sans, sans-serif" '
        'font-size="12" role="img">',
        f"<title>{escape(title)}</title>",
        "<desc>" + escape(", ".join(f"{p.title} ({p.unit})" for p in panels)) + "</desc>",
        f'<rect width="{WIDTH:g}" height="{total_h:g}" fill="#ffffff"/>',
        f'<text x="{LEFT:g}" y="24" font-size="16" font-weight="bold">{escape(title)}</text>',
    ]
    plot_w = WIDTH - LEFT - RIGHT
    for panel in panels:
        base = panel.top + panel.height
        out.append(
            f'<text x="{LEFT:g}" y="{panel.top - 8:g}" font-weight="bold">'
            f"{escape(panel.title)} ({escape(panel.unit)})</text>"
        )
        out.append(
            f'<rect x="{LEFT:g}" y="{panel.top:g}" width="{plot_w:g}" height="{panel.height:g}" '
            'fill="none" stroke="#999"/>'
        )
        for i in range(5):
            frac = i / 4
            y = base - frac * panel.height
            out.append(
                f'<line x1="{LEFT:g}" y1="{y:.1f}" x2="{LEFT + plot_w:g}" y2="{y:.1f}" '
                'stroke="#eee"/>'
            )
            out.append(
                f'<text x="{LEFT - 6:g}" y="{y + 4:.1f}" text-anchor="end">'
                f"{panel.ymax * frac:g}</text>"
            )
        for i in range(6):
            d = xmax * i / 5
            x = LEFT + plot_w * i / 5
            out.append(f'<text x="{x:.1f}" y="{base + 16:g}" text-anchor="middle">{d:.0f}</text>')
        out.append(
            f'<text x="{LEFT + plot_w / 2:g}" y="{base + 32:g}" text-anchor="middle">day</text>'
        )
        for colour, poly in panel.bands:
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in poly)
            out.append(
                f'<polygon points="{pts}" fill="{colour}" fill-opacity="0.18" stroke="none"/>'
            )
        for i, (label, colour, points) in enumerate(panel.lines):
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            dash = ' stroke-dasharray="5,3"' if "median" in label else ""
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.5"{dash}/>'
            )
            ly = panel.top + 16 + 16 * i
            out.append(
                f'<line x1="{WIDTH - RIGHT - 230:g}" y1="{ly - 4:g}" x2="{WIDTH - RIGHT - 210:g}" '
                f'y2="{ly - 4:g}" stroke="{colour}" stroke-width="2"{dash}/>'
            )
            out.append(f'<text x="{WIDTH - RIGHT - 204:g}" y="{ly:g}">{escape(label)}</text>')
    note = (
        "Model illustration, not a measurement: one-compartment kinetics with the figures and "
        f"assumptions listed in the JSON output ({len(sim.assumptions)} assumptions, "
        f"{len(sim.warnings)} warnings)."
    )
    out.append(
        f'<text x="{LEFT:g}" y="{total_h - 20:g}" font-size="11" fill="#555">{escape(note)}</text>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def simulation_png(sim: Simulation, title: str = "benzodetox simulation") -> bytes:
    """The same chart as ``simulation_svg`` drawn with Pillow (installed with WeasyPrint)."""
    try:
        from PIL import Image, ImageDraw
    except ImportError:
        raise InputError(
            "format", "png", "json, csv or svg", hint="Pillow is not installed; use --format svg"
        ) from None
    import io

    panels, xmax = _panels(sim)
    total_h = int((panels[-1].top + panels[-1].height + 70) if panels else 120)
    img = Image.new("RGB", (int(WIDTH), total_h), "white")
    draw = ImageDraw.Draw(img, "RGBA")
    draw.text((LEFT, 10), title, fill="black")
    plot_w = WIDTH - LEFT - RIGHT
    for panel in panels:
        base = panel.top + panel.height
        draw.text((LEFT, panel.top - 20), f"{panel.title} ({panel.unit})", fill="black")
        draw.rectangle((LEFT, panel.top, LEFT + plot_w, base), outline="#999999")
        for i in range(5):
            y = base - i / 4 * panel.height
            draw.line((LEFT, y, LEFT + plot_w, y), fill="#eeeeee")
            draw.text((4, y - 6), f"{panel.ymax * i / 4:g}", fill="black")
        for i in range(6):
            draw.text((LEFT + plot_w * i / 5 - 6, base + 6), f"{xmax * i / 5:.0f}", fill="black")
        for colour, poly in panel.bands:
            rgb = tuple(int(colour[k : k + 2], 16) for k in (1, 3, 5))
            draw.polygon(poly, fill=(*rgb, 46))
        for i, (label, colour, points) in enumerate(panel.lines):
            draw.line(points, fill=colour, width=2)
            ly = panel.top + 10 + 16 * i
            draw.line((WIDTH - RIGHT - 230, ly, WIDTH - RIGHT - 210, ly), fill=colour, width=2)
            draw.text((WIDTH - RIGHT - 204, ly - 6), label.replace("–", "-"), fill="black")
    draw.text((LEFT, total_h - 24), "Model illustration, not a measurement.", fill="#555555")
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()


# --- accessible line charts for the web plan page ----------------------------------------------

#: Okabe–Ito colours (colour-blind safe) with a dash pattern per line, so every line is told
#: apart in black and white too.
SAFE_COLOURS = ("#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
SAFE_DASHES = ("", "7 3", "2 3", "9 3 2 3", "1 2", "12 4", "4 2 1 2")


@dataclass(frozen=True)
class Line:
    """One curve: ``values`` at ``days`` (days from the plan's first midnight)."""

    label: str
    days: np.ndarray
    values: np.ndarray


def _fmt_axis(value: float) -> str:
    return f"{value:.3g}" if value < 1000 else f"{value:,.0f}"


def _compact(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pixel points rounded to 0.1, dropping the middle of every run of equal y (a stepped
    occupancy line keeps only its corners)."""
    xs, ys = np.round(xs, 1), np.round(ys, 1)
    if xs.size <= 2:
        return xs, ys
    keep = np.ones(xs.size, dtype=bool)
    keep[1:-1] = ~((ys[1:-1] == ys[:-2]) & (ys[1:-1] == ys[2:]))
    return xs[keep], ys[keep]


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
    legend_rows = math.ceil(len(lines) / 2)
    height = top + plot_height + 44 + 18 * legend_rows
    xmax = max((float(line.days[-1]) for line in lines if line.days.size), default=1.0) or 1.0
    peak = max((float(np.nanmax(line.values)) for line in lines if line.values.size), default=0.0)
    top_value = ymax if ymax is not None else _nice_max(peak)
    base = top + plot_height
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height:g}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<rect x="{left:g}" y="{top:g}" width="{plot_w:g}" height="{plot_height}" fill="#fff" '
        'stroke="#888"/>',
    ]
    for i in range(5):
        value = top_value * i / 4
        y = base - plot_height * i / 4
        parts.append(
            f'<line x1="{left:g}" y1="{y:.1f}" x2="{left + plot_w:g}" y2="{y:.1f}" '
            f'stroke="#ddd"/><text x="{left - 6:g}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_fmt_axis(value)}</text>"
        )
    mid = top + plot_height / 2
    parts.append(
        f'<text x="14" y="{mid:.0f}" transform="rotate(-90 14 {mid:.0f})" '
        f'text-anchor="middle">{escape(unit)}</text>'
    )
    step = next((d for d in (1, 2, 5, 7, 14, 28, 56, 91, 182, 365) if xmax / d <= 8), 730)
    for i in range(int(xmax // step) + 1):
        day = i * step
        x = left + plot_w * day / xmax
        parts.append(
            f'<line x1="{x:.1f}" y1="{base:g}" x2="{x:.1f}" y2="{base + 4:g}" stroke="#444"/>'
            f'<text x="{x:.1f}" y="{base + 17:g}" text-anchor="middle">{day:.0f}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{base + 33:g}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
    )
    scale_x = plot_w / xmax
    scale_y = plot_height / (top_value or 1.0)
    for n, line in enumerate(lines):
        colour = SAFE_COLOURS[n % len(SAFE_COLOURS)]
        dash = SAFE_DASHES[n % len(SAFE_DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        xs, ys = _thin(line.days, line.values, limit=2 * int(plot_w))
        px = left + xs * scale_x
        py = base - np.clip(ys, 0.0, top_value) * scale_y
        px, py = _compact(px, py)
        points = " ".join(f"{x:g},{y:g}" for x, y in zip(px.tolist(), py.tolist(), strict=True))
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash_attr} '
            f'points="{points}"><title>{escape(line.label)}</title></polyline>'
        )
        lx = left + (n % 2) * plot_w / 2
        ly = base + 52 + 18 * (n // 2)
        parts.append(
            f'<line x1="{lx:g}" y1="{ly - 4:g}" x2="{lx + 30:g}" y2="{ly - 4:g}" '
            f'stroke="{colour}" stroke-width="2"{dash_attr}/>'
            f'<text x="{lx + 36:g}" y="{ly:g}">{escape(line.label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
