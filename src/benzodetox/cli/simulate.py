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
from decimal import Decimal
from typing import Any

import click
import numpy as np

from ..core.equivalence import diazepam_eq
from ..core.errors import InputError
from ..core.kinetics import MAX_DAYS, Simulation, simulate
from ..core.kinetics.events import DoseEvents, events_from_regimen
from ..core.kinetics.flumazenil import FlumazenilProtocol, parse_rate
from ..core.kinetics.occupancy import Ed50, parse_ed50
from ..core.kinetics.parameters import LIVER_STATES
from ..core.kinetics.plan_run import RUN_IN_DAYS, WASHOUT_DAYS, plan_days, simulate_plan
from ..interop.json_contract import significant, simulation_to_dict
from ..reports.charts import simulation_png, simulation_svg
from ._common import jsonable, output_option, regimen_from_takes, render_table, write_output
from .planning import DEFAULT_SOURCE, plan_from_options, plan_options

__all__ = ["commands", "simulation_png", "simulation_svg", "simulation_to_dict"]

FORMATS = ("table", "json", "csv", "svg", "png")
STEADY_DAYS = 28


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
    rows = zip(*(significant(v, 6) for v in columns.values()), strict=True)
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


# --- the command -------------------------------------------------------------------------------


def _regimen_steps(take: tuple[str, ...], source: str, days: int) -> tuple[Any, list[Any]]:
    regimen = regimen_from_takes(take)
    eq = sum((diazepam_eq(d.drug, d.mg, source) for d in regimen.doses), Decimal(0))
    return regimen, [(0, 1, days, float(eq))]


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
@click.option(
    "--no-run-in", is_flag=True,
    help=f"Start a plan from an empty body (default: a {RUN_IN_DAYS}-day run-in on the starting "
    "regimen, so day 1 is at steady state, as on the web's Pharmacology page).",
)  # fmt: skip
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
@output_option
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
    steady = options["no_taper"] or (not options["take"] and not options["plan_file"])
    if steady:
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
    ed50s: list[Ed50] = [parse_ed50(text) for text in options["ed50"]]
    model: dict[str, Any] = {
        "age": options["age"],
        "liver": options["liver"],
        "weight_kg": options["weight"],
        "metabolite_fraction": options["metabolite_fraction"],
        "population": options["population"],
        "seed": options["seed"],
        "cv_clearance": options["cv_clearance"],
        "cv_volume": options["cv_volume"],
        "occupancy": options["occupancy"],
        "ed50s": ed50s,
        "flumazenil": flumazenil,
    }
    if steady:
        sim = simulate(events, days=days, steps=steps, **model)
    else:
        plan, _defaulted = plan_from_options(**options)
        run = simulate_plan(
            plan, days=days, run_in=not options["no_run_in"], stop_after_days=stop, **model
        )
        sim, days = run.sim, run.days
        header.append(
            f"plan: {plan.strategy}, {len(plan.steps)} steps, {plan_days(plan)} days from "
            f"{plan.start} (day 1); source {plan.source}; "
            + (
                f"from a steady state ({run.run_in_days}-day run-in on the starting regimen)"
                if run.run_in_days
                else "from an empty body (no run-in)"
            )
        )
        plan_summary = {
            "plan": {
                "start": plan.start.isoformat(),
                "strategy": plan.strategy,
                "source": plan.source,
                "days": plan_days(plan),
                "run_in_days": run.run_in_days,
            }
        }
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
        write_output(output, body)
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
