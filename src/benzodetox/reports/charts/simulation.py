"""The chart of a pharmacology simulation (``benzodetox simulate --format svg|png``): one panel
per quantity (plasma concentration, flumazenil, occupancy) over days, one geometry drawn as SVG
text or with Pillow. Geometry is floats (drawing only); every number a person reads is written
from an exact tick value.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

import numpy as np

from benzodetox.core.errors import InputError
from benzodetox.core.kinetics import Simulation

from . import svg
from .palette import MUTED, style_of
from .scales import axis_label, day_step, nice_ceiling, thin, ticks

__all__ = ["simulation_png", "simulation_svg"]

WIDTH, LEFT, RIGHT = 900.0, 70.0, 20.0
PLOT_W = WIDTH - LEFT - RIGHT


@dataclass(frozen=True)
class _Trace:
    label: str
    colour: str
    dash: str
    points: list[tuple[float, float]]


@dataclass(frozen=True)
class _Panel:
    title: str
    unit: str
    top: float
    height: float
    ymax: Decimal
    lines: tuple[_Trace, ...]
    bands: tuple[tuple[str, list[tuple[float, float]]], ...]  # colour, polygon


def _groups(sim: Simulation) -> list[tuple[str, str, dict[str, np.ndarray], dict[str, Any]]]:
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
    return groups


def _panels(sim: Simulation) -> tuple[list[_Panel], float]:
    days = sim.time_h / 24.0
    xmax = float(days[-1]) if days.size else 1.0

    def px(d: np.ndarray) -> list[float]:
        return list((LEFT + d / (xmax or 1.0) * PLOT_W).tolist())

    panels: list[_Panel] = []
    top, height, gap = 50.0, 230.0, 70.0
    n = 0
    for title, unit, series, bands in _groups(sim):
        peak = max([float(v.max()) for v in series.values()] + [0.0])
        peak = max([peak] + [float(b.p95.max()) for b in bands.values()])
        ymax = Decimal(100) if unit == "%" and peak > 50 else nice_ceiling(peak)

        def py(v: np.ndarray, top: float = top, ymax: float = float(ymax)) -> list[float]:
            return list((top + height - np.clip(v, 0, ymax) / ymax * height).tolist())

        lines: list[_Trace] = []
        band_polys = []
        for name, values in series.items():
            if name in bands:
                b = bands[name]
                colour, dash = style_of(n)
                n += 1
                xs, hi = thin(days, b.p95)
                xl, lo = thin(days, b.p5)
                poly = list(zip(px(xs), py(hi), strict=True))
                poly += list(zip(px(xl)[::-1], py(lo)[::-1], strict=True))
                band_polys.append((colour, poly))
                xm, med = thin(days, b.median)
                points = list(zip(px(xm), py(med), strict=True))
                lines.append(_Trace(f"{name} median (5–95 %)", colour, dash, points))
            colour, dash = style_of(n)
            n += 1
            xs, ys = thin(days, values)
            lines.append(_Trace(name, colour, dash, list(zip(px(xs), py(ys), strict=True))))
        panels.append(_Panel(title, unit, top, height, ymax, tuple(lines), tuple(band_polys)))
        top += height + gap
    return panels, xmax


def _day_ticks(xmax: float) -> list[tuple[float, str]]:
    step = day_step(xmax)
    return [(LEFT + PLOT_W * i * step / (xmax or 1.0), str(i * step)) for i in
            range(int(xmax // step) + 1)]  # fmt: skip


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
    for panel in panels:
        base = panel.top + panel.height
        out.append(
            f'<text x="{LEFT:g}" y="{panel.top - 8:g}" font-weight="bold">'
            f"{escape(panel.title)} ({escape(panel.unit)})</text>"
        )
        out.append(svg.frame(LEFT, panel.top, PLOT_W, panel.height))
        for value in ticks(panel.ymax):
            y = base - float(value / panel.ymax) * panel.height
            out.append(svg.grid_line(LEFT, LEFT + PLOT_W, y, axis_label(value)))
        for x, label in _day_ticks(xmax):
            out.append(svg.x_tick(x, base, label))
        out.append(
            f'<text x="{LEFT + PLOT_W / 2:g}" y="{base + 32:g}" text-anchor="middle">day</text>'
        )
        for colour, poly in panel.bands:
            out.append(
                f'<polygon points="{svg.points_attr(poly)}" fill="{colour}" fill-opacity="0.18" '
                'stroke="none"/>'
            )
        for i, line in enumerate(panel.lines):
            out.append(svg.polyline(svg.points_attr(line.points), line.colour, 1.5, line.dash,
                                    title=line.label))  # fmt: skip
            out.append(svg.legend_entry(WIDTH - RIGHT - 230, panel.top + 16 + 16 * i,
                                        line.colour, line.dash, line.label, length=20))  # fmt: skip
    note = (
        "Model illustration, not a measurement: one-compartment kinetics with the figures and "
        f"assumptions listed in the JSON output ({len(sim.assumptions)} assumptions, "
        f"{len(sim.warnings)} warnings)."
    )
    out.append(
        f'<text x="{LEFT:g}" y="{total_h - 20:g}" font-size="11" fill="{MUTED}">'
        f"{escape(note)}</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def simulation_png(sim: Simulation, title: str = "benzodetox simulation") -> bytes:
    """The same chart as ``simulation_svg`` drawn with Pillow (installed with WeasyPrint);
    Pillow draws no dash patterns, so each legend line is also named."""
    try:
        from PIL import Image, ImageDraw
    except ImportError:
        raise InputError(
            "format", "png", "json, csv or svg", hint="Pillow is not installed; use --format svg"
        ) from None

    panels, xmax = _panels(sim)
    total_h = int((panels[-1].top + panels[-1].height + 70) if panels else 120)
    img = Image.new("RGB", (int(WIDTH), total_h), "white")
    draw = ImageDraw.Draw(img, "RGBA")
    draw.text((LEFT, 10), title, fill="black")
    for panel in panels:
        base = panel.top + panel.height
        draw.text((LEFT, panel.top - 20), f"{panel.title} ({panel.unit})", fill="black")
        draw.rectangle((LEFT, panel.top, LEFT + PLOT_W, base), outline="#999999")
        for value in ticks(panel.ymax):
            y = base - float(value / panel.ymax) * panel.height
            draw.line((LEFT, y, LEFT + PLOT_W, y), fill="#eeeeee")
            draw.text((4, y - 6), axis_label(value), fill="black")
        for x, label in _day_ticks(xmax):
            draw.text((x - 6, base + 6), label, fill="black")
        for colour, poly in panel.bands:
            rgb = tuple(int(colour[k : k + 2], 16) for k in (1, 3, 5))
            draw.polygon(poly, fill=(*rgb, 46))
        for i, line in enumerate(panel.lines):
            draw.line(line.points, fill=line.colour, width=2)
            ly = panel.top + 10 + 16 * i
            draw.line((WIDTH - RIGHT - 230, ly, WIDTH - RIGHT - 210, ly), fill=line.colour, width=2)
            draw.text((WIDTH - RIGHT - 204, ly - 6), line.label.replace("–", "-"), fill="black")
    draw.text((LEFT, total_h - 24), "Model illustration, not a measurement.", fill="#555555")
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()
