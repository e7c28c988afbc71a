"""``benzodetox simulate``: plasma levels and receptor occupancy of a plan (or a steady regimen),
and flumazenil protocols in research mode.

Takes the same regimen and plan options as ``benzodetox plan`` (or ``--plan FILE``); ``--no-taper``
simulates today's regimen unchanged. Output: a daily table (default), JSON, CSV, a hand-written
SVG chart, or PNG drawn with Pillow (already installed with WeasyPrint; refused with exit 2 if it
is missing).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import click
import numpy as np

from ..core.equivalence import diazepam_eq
from ..core.errors import InputError
from ..core.kinetics import MAX_DAYS, Simulation, simulate
from ..core.kinetics.events import DoseEvents, events_from_plan, events_from_regimen
from ..core.kinetics.flumazenil import FlumazenilProtocol, parse_rate
from ..core.kinetics.occupancy import Ed50, parse_ed50
from ..core.kinetics.parameters import LIVER_STATES
from ..core.plan import Plan
from ._common import jsonable, regimen_from_takes, render_table
from .planning import DEFAULT_SOURCE, plan_from_options, plan_options

__all__ = ["commands", "simulation_png", "simulation_svg", "simulation_to_dict"]

FORMATS = ("table", "json", "csv", "svg", "png")
WASHOUT_DAYS = 14
STEADY_DAYS = 28


def _sig(values: np.ndarray, digits: int = 5) -> list[float]:
    return [float(f"{v:.{digits}g}") for v in values.tolist()]


def simulation_to_dict(sim: Simulation, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON document: time_h, concentration_ng_ml, population, occupancy, flumazenil,
    assumptions and warnings (concentrations to 5 significant digits)."""
    data: dict[str, Any] = {
        "time_h": _sig(sim.time_h, 8),
        "concentration_ng_ml": {k: _sig(v) for k, v in sim.concentration.items()},
    }
    if sim.bands:
        data["population"] = {
            "patients": next(iter(sim.bands.values())).patients,
            "seed": sim.seed,
            "percentiles": [5, 50, 95],
            "series": {
                k: {"p5": _sig(b.p5), "median": _sig(b.median), "p95": _sig(b.p95)}
                for k, b in sim.bands.items()
            },
        }
    if sim.occupancy is not None:
        occ = sim.occupancy
        data["occupancy"] = {
            "unit": "percent",
            "ed50": [
                {
                    "name": e.name,
                    "value": e.value,
                    "unit": e.unit,
                    "series": e.series,
                    "label": e.label,
                    "basis": occ.basis[e.name],
                }
                for e in occ.ed50s
            ],
            "series": {k: _sig(v, 4) for k, v in occ.series.items()},
            "steps": {
                k: [
                    {
                        "step": s.step,
                        "first_day": s.first_day,
                        "last_day": s.last_day,
                        "diazepam_eq_mg": s.diazepam_eq_mg,
                        "occupancy_percent": round(s.occupancy_percent, 2),
                        "change_points": round(s.change_points, 2),
                    }
                    for s in steps
                ]
                for k, steps in occ.steps.items()
            },
        }
    if sim.flumazenil is not None:
        flu = sim.flumazenil
        data["flumazenil"] = {
            "steady_state_ng_ml": round(flu.steady_state_ng_ml, 4),
            "steady_state_range_ng_ml": [round(x, 4) for x in flu.steady_state_range],
            "low_ng_ml": _sig(flu.low),
            "high_ng_ml": _sig(flu.high),
            "occupancy_estimate_percent": _sig(flu.occupancy_percent, 4),
        }
    if extra:
        data.update(extra)
    data["assumptions"] = list(sim.assumptions)
    data["warnings"] = list(sim.warnings)
    return data


def _csv(sim: Simulation) -> str:
    columns: dict[str, np.ndarray] = {"time_h": sim.time_h}
    for name, values in sim.concentration.items():
        columns[f"{name}_ng_ml"] = values
    for name, band in sim.bands.items():
        columns[f"{name}_p5_ng_ml"] = band.p5
        columns[f"{name}_median_ng_ml"] = band.median
        columns[f"{name}_p95_ng_ml"] = band.p95
    if sim.occupancy is not None:
        for name, values in sim.occupancy.series.items():
            columns[f"occupancy_{name.replace(' ', '')}_percent"] = values
    lines = [",".join(columns)]
    rows = zip(*(_sig(v, 6) for v in columns.values()), strict=True)
    lines.extend(",".join(f"{v:g}" for v in row) for row in rows)
    return "\n".join(lines) + "\n"


def _table(sim: Simulation, header: Sequence[str]) -> str:
    lines = list(header)
    per_day = 24
    step = float(sim.time_h[1] - sim.time_h[0]) if sim.time_h.size > 1 else 1.0
    per_day = max(1, round(24 / step))
    rows = []
    n_days = (sim.time_h.size - 1) // per_day
    for day in range(n_days):
        part = slice(day * per_day, (day + 1) * per_day)
        row: dict[str, Any] = {"day": day + 1}
        for name, values in sim.concentration.items():
            seg = values[part]
            row[f"{name} min–max ng/mL"] = f"{seg.min():.3g}–{seg.max():.3g}"
        for name, band in sim.bands.items():
            row[f"{name} median (5–95 %)"] = (
                f"{band.median[part].mean():.3g} ({band.p5[part].mean():.3g}–"
                f"{band.p95[part].mean():.3g})"
            )
        if sim.occupancy is not None:
            for name, values in sim.occupancy.series.items():
                row[f"occ {name} %"] = f"{values[part].mean():.1f}"
        rows.append(row)
    lines.append(render_table(rows))
    if sim.occupancy is not None:
        for name, steps in sim.occupancy.steps.items():
            lines.append("")
            lines.append(f"occupancy per step, ED50 {name} ({sim.occupancy.ed50s[0].label}):")
            lines.append(
                render_table(
                    [
                        {
                            "step": s.step,
                            "days": f"{s.first_day}–{s.last_day}",
                            "dz-eq mg/day": f"{s.diazepam_eq_mg:g}",
                            "occupancy %": f"{s.occupancy_percent:.1f}",
                            "change (points)": f"{s.change_points:+.1f}",
                        }
                        for s in steps
                    ]
                )
            )
    if sim.flumazenil is not None:
        lo, hi = sim.flumazenil.steady_state_range
        lines.append("")
        lines.append(
            f"flumazenil steady state {sim.flumazenil.steady_state_ng_ml:.2f} ng/mL "
            f"(clearance range {lo:.2f}–{hi:.2f}; Benini 2021 measured 0.54 ± 0.33 at 1 mg/24h)"
        )
    lines.append("")
    lines.extend(f"⚠ {w}" for w in sim.warnings)
    lines.append("assumptions:")
    lines.extend(f"  · {a}" for a in sim.assumptions)
    return "\n".join(lines) + "\n"


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
    power = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if value <= m * power:
            return m * power
    return 10 * power


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
            return top + height - np.clip(v, 0, ymax) / ymax * height

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
        'font-size="12">',
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


# --- the command -------------------------------------------------------------------------------


def _regimen_steps(take: tuple[str, ...], source: str, days: int) -> tuple[Any, list[Any]]:
    regimen = regimen_from_takes(take)
    eq = sum((diazepam_eq(d.drug, d.mg, source) for d in regimen.doses), Decimal(0))
    return regimen, [(0, 1, days, float(eq))]


def _plan_steps(plan: Plan) -> list[tuple[int, int, int, float]]:
    return [
        (
            s.index,
            (s.start - plan.start).days + 1,
            (s.end - plan.start).days + 1,
            float(s.diazepam_eq_mg),
        )
        for s in plan.steps
    ]


def _positive_int(value: int | None, field: str, low: int, high: int) -> int | None:
    if value is not None and not low <= value <= high:
        raise InputError(field, value, f"a whole number from {low} to {high}")
    return value


@click.command("simulate")
@plan_options
@click.option("--no-taper", is_flag=True, help="Simulate today's regimen unchanged (no plan).")
@click.option(
    "--days", type=int, default=None,
    help=f"Days to simulate (default: plan + {WASHOUT_DAYS}, or {STEADY_DAYS} with --no-taper).",
)  # fmt: skip
@click.option("--stop-after-days", type=int, default=None, help="Last dose on day N.")
@click.option("--age", type=float, default=None, help="Age in years (covariate).")
@click.option("--liver", type=click.Choice(LIVER_STATES), default="none", show_default=True)
@click.option("--weight", type=float, default=None, help="Body weight in kg (default 70, shown).")
@click.option(
    "--metabolite-fraction", type=float, default=None,
    help="Diazepam → desmethyldiazepam fraction (default 1.0, an assumption).",
)  # fmt: skip
@click.option("--occupancy", is_flag=True, help="Add receptor occupancy (illustration ED50s).")
@click.option(
    "--ed50", "ed50", multiple=True, metavar='"N mg/day" | "SERIES=N ng/mL"',
    help="Your assumed ED50/EC50 for occupancy, repeatable.",
)  # fmt: skip
@click.option("--flumazenil-infusion", default=None, metavar='"1 mg/24h"')
@click.option("--flumazenil-days", type=int, default=None, help="Infusion days (default 7).")
@click.option("--flumazenil-route", type=click.Choice(["sc", "iv"]), default="sc")
@click.option("--flumazenil-depot", default=None, metavar='"RATE mg/24h"')
@click.option("--flumazenil-depot-weeks", type=int, default=None)
@click.option("--population", type=int, default=0, help="Virtual patients for a 5–95 % band.")
@click.option("--seed", type=int, default=None, help="Random seed for --population.")
@click.option("--cv-clearance", type=float, default=None, help="Population CV of clearance.")
@click.option("--cv-volume", type=float, default=None, help="Population CV of volume.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None)
def simulate_command(**options: Any) -> None:
    """Plasma concentrations (and occupancy) of a plan, a steady regimen, or flumazenil."""
    fmt, output = options.pop("fmt"), options.pop("output")
    if fmt == "png" and not output:
        raise InputError("output", None, "a file to write the PNG to (--output FILE)")
    _positive_int(options["days"], "days", 1, MAX_DAYS)
    _positive_int(options["stop_after_days"], "stop-after-days", 0, MAX_DAYS)
    _positive_int(options["population"], "population", 0, 100_000)
    flumazenil = _flumazenil(options)
    header: list[str] = []
    events: Mapping[str, DoseEvents] = {}
    steps: list[tuple[int, int, int, float]] = []
    plan_summary: dict[str, Any] = {}
    days = options["days"]
    stop = options["stop_after_days"]
    if options["no_taper"] or (not options["take"] and not options["plan_file"]):
        if options["take"]:
            source = options["source"] or DEFAULT_SOURCE
            days = days or STEADY_DAYS
            regimen, steps = _regimen_steps(
                options["take"], source, min(days, stop) if stop is not None else days
            )
            events = events_from_regimen(regimen, min(days, stop) if stop is not None else days)
            header.append(f"regimen unchanged for {days} days; diazepam-eq under {source}")
            plan_summary = {"regimen": [jsonable(d) for d in regimen.doses], "source": source}
        elif flumazenil is None:
            raise InputError("take", "nothing", "--take, --plan or a flumazenil protocol")
        else:
            days = days or math.ceil(flumazenil.duration_days) + 2
    else:
        plan, _defaulted = plan_from_options(**options)
        events = events_from_plan(plan, stop)
        steps = _plan_steps(plan)
        plan_days = (plan.end - plan.start).days + 1
        days = days or min(plan_days + WASHOUT_DAYS, MAX_DAYS)
        header.append(
            f"plan: {plan.strategy}, {len(plan.steps)} steps, {plan_days} days from {plan.start} "
            f"(day 1); source {plan.source}"
        )
        plan_summary = {
            "plan": {
                "start": plan.start.isoformat(),
                "strategy": plan.strategy,
                "source": plan.source,
                "days": plan_days,
            }
        }
    ed50s: list[Ed50] = [parse_ed50(text) for text in options["ed50"]]
    sim = simulate(
        events,
        days=days,
        age=options["age"],
        liver=options["liver"],
        weight_kg=options["weight"],
        metabolite_fraction=options["metabolite_fraction"],
        population=options["population"],
        seed=options["seed"],
        cv_clearance=options["cv_clearance"],
        cv_volume=options["cv_volume"],
        occupancy=options["occupancy"],
        ed50s=ed50s,
        steps=steps,
        flumazenil=flumazenil,
    )
    if fmt == "json":
        body: str | bytes = (
            json.dumps(simulation_to_dict(sim, {"days": days, **plan_summary}), ensure_ascii=False)
            + "\n"
        )
    elif fmt == "csv":
        body = _csv(sim)
    elif fmt == "svg":
        body = simulation_svg(sim)
    elif fmt == "png":
        body = simulation_png(sim)
    else:
        body = _table(sim, header)
    if output:
        if isinstance(body, bytes):
            Path(output).write_bytes(body)
        else:
            Path(output).write_text(body, encoding="utf-8")
        click.echo(f"written to {output}", err=True)
    else:
        assert isinstance(body, str)
        click.echo(body, nl=False)


def _flumazenil(options: dict[str, Any]) -> FlumazenilProtocol | None:
    infusion, depot = options["flumazenil_infusion"], options["flumazenil_depot"]
    if infusion and depot:
        raise InputError("flumazenil-depot", depot, "either an infusion or a depot, not both")
    if options["flumazenil_days"] is not None and not infusion:
        raise InputError("flumazenil-days", options["flumazenil_days"], "--flumazenil-infusion too")
    if options["flumazenil_depot_weeks"] is not None and not depot:
        raise InputError(
            "flumazenil-depot-weeks", options["flumazenil_depot_weeks"], "--flumazenil-depot too"
        )
    if infusion:
        days = options["flumazenil_days"] if options["flumazenil_days"] is not None else 7
        return FlumazenilProtocol(
            parse_rate(infusion), days, kind="infusion", route=options["flumazenil_route"]
        )
    if depot:
        weeks = options["flumazenil_depot_weeks"]
        if weeks is None:
            raise InputError("flumazenil-depot-weeks", None, "the depot's duration in weeks")
        return FlumazenilProtocol(
            parse_rate(depot, "flumazenil-depot"), weeks * 7, kind="depot", route="sc"
        )
    return None


commands = [simulate_command]
