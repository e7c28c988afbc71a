"""The Pharmacology view of a saved plan version: plasma concentration of each drug and active
metabolite over the plan, receptor occupancy under an ED50/EC50 the user states, the same for a
second strategy built from the same request, and flumazenil in research mode.

Everything is computed by ``core.kinetics`` (one-compartment model; see docs/kinetics.md) with
the patient's age (from the year of birth, at the plan's start) and liver impairment (from the
latest intake's conditions). Charts are server-side SVG (``reports.charts.line_chart``) with a
per-step table as their text alternative. The page is a GET form, so a comparison can be
bookmarked and printed; htmx swaps only the results. Every request is audited as a read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from benzodetox.core.errors import InputError
from benzodetox.core.kinetics import MAX_DAYS, Simulation, plan_run, simulate
from benzodetox.core.kinetics.flumazenil import REC_14, FlumazenilProtocol
from benzodetox.core.kinetics.model import FloatArray
from benzodetox.core.kinetics.occupancy import DISCREPANCY, Ed50, occupancy_of
from benzodetox.core.kinetics.plan_run import (
    RUN_IN_DAYS,
    WASHOUT_DAYS,
    model_age,
    plan_days,
    plan_steps,
)
from benzodetox.core.plan import Plan
from benzodetox.core.tapering import build_plan
from benzodetox.core.units import format_mg
from benzodetox.reports.charts import Line, line_chart
from benzodetox.web.audit.services import record
from benzodetox.web.patients.models import Patient
from benzodetox.web.patients.services import get_patient, latest_intake

from . import services
from .forms import PlanForm
from .models import PlanVersion
from .pharmacology_form import PharmacologyForm, core_message

__all__ = ["PharmacologyForm", "pharmacology", "preview_pharmacology"]

#: Longer simulations draw each concentration as its daily mean.
HOURLY_UP_TO_DAYS = 60
#: The intake's condition key for liver impairment (core/data/risk.toml).
LIVER_CONDITION = "liver_impairment"
# --- computing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Covariates:
    age: float | None
    liver: str
    notes: tuple[str, ...]


def covariates(patient: Patient, plan: Plan) -> Covariates:
    """Age at the plan's start (year of birth, birthday taken as 1 July) and liver impairment
    as recorded in the latest intake's conditions."""
    notes = []
    years = patient.age_on(plan.start)
    age, note = model_age(years)
    if age is None:
        notes.append(note.replace(f"Age {years}", f"Age {years} at the plan's start", 1))
    else:
        notes.append(
            f"Age {years} at the plan's start (from the year of birth {patient.year_of_birth})."
        )
    intake = latest_intake(patient)
    if intake is None:
        liver = "none"
        notes.append("No intake recorded: liver impairment unknown, modelled as none.")
    elif LIVER_CONDITION in (intake.conditions or []):
        liver = "impaired"
        notes.append(f"Liver impairment: recorded in the intake of {intake.created_at:%Y-%m-%d}.")
    else:
        liver = "none"
        notes.append(
            f"Liver impairment: not recorded in the intake of {intake.created_at:%Y-%m-%d}; "
            "modelled as none."
        )
    return Covariates(age, liver, tuple(notes))


def simulate_plan(
    plan: Plan, days: int, cov: Covariates, ed50s: tuple[Ed50, ...]
) -> tuple[Simulation, Mapping[str, FloatArray]]:
    """The plan simulated by the core from a steady state on its starting regimen
    (``core.kinetics.plan_run``), and the last run-in day's level of each series."""
    run = plan_run.simulate_plan(
        plan, days=days, age=cov.age, liver=cov.liver, occupancy=True, ed50s=ed50s
    )
    return run.sim, run.before


def _sig(value: float, digits: int = 3) -> str:
    if not math.isfinite(value):
        return "—"
    if value == 0:
        return "0"
    return f"{value:.{digits}g}" if abs(value) < 10**digits else f"{value:,.0f}"


def _points(value: float) -> str:
    text = f"{value:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text.replace("-", "−")


@dataclass
class PlanResult:
    """One plan's simulation, ready for the template."""

    key: str
    label: str
    plan: Plan
    sim: Simulation
    before: Mapping[str, FloatArray] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    largest_drop: list[tuple[str, str, int]] = field(default_factory=list)


def _step_rows(result: PlanResult) -> None:
    """Per step (after a row for the starting regimen): days, dose, mean concentration of each
    series and occupancy with its change from the row before — the charts' text alternative."""
    sim, plan = result.sim, result.plan
    occ = sim.occupancy
    previous: dict[str, float] = {}
    drops: dict[str, tuple[float, int]] = {}

    def occupancy_cells(index: int, part: slice | None) -> dict[str, tuple[str, str]]:
        cells: dict[str, tuple[str, str]] = {}
        for ed50 in occ.ed50s if occ is not None else ():
            per_step = occ.steps.get(ed50.name) if occ is not None else None
            if per_step is not None:
                value = next((s.occupancy_percent for s in per_step if s.step == index), None)
                if value is None:  # no run-in: the starting dose by the same formula
                    value = 100.0 * float(occupancy_of(float(plan.diazepam_eq_mg_per_day), ed50))
            elif part is None:
                source = result.before.get(ed50.series or "")
                if source is None:
                    continue
                value = 100.0 * float(occupancy_of(source, ed50).mean())
            else:
                assert occ is not None
                value = float(occ.series[ed50.name][part].mean())
            change = 0.0 if ed50.name not in previous else value - previous[ed50.name]
            previous[ed50.name] = value
            cells[ed50.name] = (f"{value:.1f}", _points(change) if index else "")
            if change < drops.get(ed50.name, (0.0, 0))[0]:
                drops[ed50.name] = (change, index)
        return cells

    result.rows.append(
        {
            "index": "before",
            "days": "before day 1",
            "dose": format_mg(plan.diazepam_eq_mg_per_day),
            "concentration": {
                name: _sig(float(result.before[name].mean())) if name in result.before else "—"
                for name in sim.concentration
            },
            "occupancy": occupancy_cells(0, None),
        }
    )
    for step, (index, first, last, _dose) in zip(plan.steps, plan_steps(plan), strict=True):
        part = slice((first - 1) * 24, last * 24 + 1)
        result.rows.append(
            {
                "index": index,
                "days": f"{first}–{last}",
                "dose": format_mg(step.diazepam_eq_mg),
                "concentration": {
                    name: _sig(float(values[part].mean()))
                    for name, values in sim.concentration.items()
                },
                "occupancy": occupancy_cells(index, part),
            }
        )
    result.largest_drop = [(name, _points(value), step) for name, (value, step) in drops.items()]


def _daily_mean(values: FloatArray) -> FloatArray:
    whole = (values.size - 1) // 24
    return np.asarray(values[: whole * 24].reshape(whole, 24).mean(axis=1))


def _chart_lines(results: list[PlanResult], what: str) -> list[Line]:
    """One line per series and plan; over more than ``HOURLY_UP_TO_DAYS`` days a
    concentration is drawn as its daily mean (the hourly swing would fill the line in)."""
    lines = []
    for result in results:
        sim = result.sim
        days = sim.time_h / 24.0
        daily = what == "concentration" and days[-1] > HOURLY_UP_TO_DAYS
        series = (
            sim.concentration
            if what == "concentration"
            else (sim.occupancy.series if sim.occupancy is not None else {})
        )
        for name, values in series.items():
            label = name if what == "concentration" else f"ED50 {name}"
            if len(results) > 1:
                label = f"{result.key}: {label}"
            if daily:
                mean = _daily_mean(values)
                lines.append(Line(label, np.arange(mean.size) + 0.5, mean))
            else:
                lines.append(Line(label, days, values))
    return lines


def _describe(results: list[PlanResult], what: str) -> str:
    parts = []
    for result in results:
        sim = result.sim
        series = (
            sim.concentration
            if what == "concentration"
            else (sim.occupancy.series if sim.occupancy is not None else {})
        )
        for name, values in series.items():
            peak = int(np.argmax(values))
            unit = "ng/mL" if what == "concentration" else "%"
            label = name if what == "concentration" else f"occupancy at ED50 {name}"
            parts.append(
                f"{result.key} {label}: highest {_sig(float(values[peak]))} {unit} on day "
                f"{sim.time_h[peak] / 24:.0f}, {_sig(float(values[-1]))} {unit} on the last day"
            )
    return "; ".join(parts) + ". The per-step table below gives the figures."


def charts(results: list[PlanResult]) -> dict[str, str]:
    names = " and ".join(r.label for r in results)
    return {
        "concentration": line_chart(
            _chart_lines(results, "concentration"),
            title=f"Plasma concentration over {names}"
            + (" (daily mean)" if results[0].sim.time_h[-1] > HOURLY_UP_TO_DAYS * 24 else ""),
            desc=_describe(results, "concentration"),
            unit="ng/mL",
            chart_id="pk-concentration",
        ),
        "occupancy": line_chart(
            _chart_lines(results, "occupancy"),
            title=f"Receptor occupancy (assumed ED50/EC50) over {names}",
            desc=_describe(results, "occupancy"),
            unit="% occupied",
            chart_id="pk-occupancy",
            ymax=100.0,
        ),
    }


def _comparison_plan(plan: Plan, form: PharmacologyForm) -> Plan | None:
    d = form.cleaned_data
    strategy = d.get("compare_strategy")
    if not strategy:
        return None
    if plan.request is None:
        form.add_error(
            "compare_strategy",
            "This version was saved without the request it was built from; it cannot be "
            "rebuilt with another strategy.",
        )
        return None
    request = replace(
        plan.request,
        strategy=strategy,
        percent=d.get("compare_percent"),
        interval_days=d.get("compare_interval_days"),
        custom_steps=(),
    )
    try:
        return build_plan(request)
    except InputError as error:
        form.add_core_error(error, default="compare_strategy")
        return None


def _strategy_label(plan: Plan) -> str:
    request = plan.request
    bits = [plan.strategy]
    if request is not None and request.percent is not None:
        bits.append(f"{request.percent.normalize():f} %")
    if request is not None and request.interval_days is not None:
        bits.append(f"every {request.interval_days} days")
    return " ".join(bits)


def flumazenil_result(form: PharmacologyForm, cov: Covariates) -> dict[str, Any] | None:
    """Research mode: the infusion's plasma level and occupancy estimate, with Rec 14."""
    rate = form.cleaned_data.get("flumazenil_rate")
    if rate is None:
        return None
    days = form.cleaned_data.get("flumazenil_days") or 7
    route = form.cleaned_data.get("flumazenil_route") or "sc"
    try:
        protocol = FlumazenilProtocol(rate, days, kind="infusion", route=route)
        sim = simulate({}, days=days + 2, liver=cov.liver, flumazenil=protocol)
    except InputError as error:
        form.add_core_error(error)
        return None
    flu = sim.flumazenil
    assert flu is not None
    day = sim.time_h / 24.0
    lo, hi = flu.steady_state_range
    chart = line_chart(
        [
            Line("flumazenil (typical clearance)", day, flu.concentration),
            Line("highest clearance of the range", day, flu.low),
            Line("lowest clearance of the range", day, flu.high),
        ],
        title=f"Flumazenil {rate:g} mg/24h for {days} days ({route}), research mode",
        desc=(
            f"Plasma flumazenil rises to a steady state of {_sig(flu.steady_state_ng_ml)} ng/mL "
            f"(clearance range {_sig(lo)}–{_sig(hi)}) and falls within hours after the infusion "
            "ends. Not a treatment: see Recommendation 14 above the chart."
        ),
        unit="ng/mL",
        chart_id="pk-flumazenil",
        x_label="day of the infusion",
    )
    return {
        "chart": chart,
        "rate": f"{rate:g}",
        "days": days,
        "route": route,
        "steady_state": _sig(flu.steady_state_ng_ml),
        "range": (_sig(lo), _sig(hi)),
        "occupancy": f"{float(flu.occupancy_percent.max()):.1f}",
        "warnings": [w for w in sim.warnings if w != REC_14],
        "assumptions": list(sim.assumptions),
    }


def pharmacology_context(
    patient: Patient, version: PlanVersion, form: PharmacologyForm
) -> dict[str, Any]:
    """Simulate the version's plan (and the comparison, and flumazenil) for the form as it
    stands; any problem lands on the form field it concerns."""
    plan = services.plan_of(version)
    cov = covariates(patient, plan)
    context: dict[str, Any] = {
        "patient": patient,
        "version": version,
        "plan": plan,
        "form": form,
        "covariates": cov,
        "results": [],
        "rec_14": REC_14,
        "discrepancy": DISCREPANCY,
        "washout": WASHOUT_DAYS,
        "run_in": RUN_IN_DAYS,
        "hourly_up_to": HOURLY_UP_TO_DAYS,
    }
    if not form.is_valid():
        return context
    ed50s: tuple[Ed50, ...] = form.cleaned_data["ed50"]
    context["illustration"] = not ed50s
    other = _comparison_plan(plan, form)
    plans = [(f"v{version.number}", f"version {version.number} ({_strategy_label(plan)})", plan)]
    if other is not None:
        plans.append(("alternative", f"the alternative ({_strategy_label(other)})", other))
    days = min(max(plan_days(p) for _k, _l, p in plans) + WASHOUT_DAYS, MAX_DAYS)
    results: list[PlanResult] = []
    for key, label, p in plans:
        try:
            sim, before = simulate_plan(p, days, cov, ed50s)
        except InputError as error:
            form.add_core_error(error)
            return context
        result = PlanResult(key, label, p, sim, before)
        _step_rows(result)
        results.append(result)
    warnings: dict[str, None] = {}
    assumptions: dict[str, None] = {}
    for result in results:
        warnings.update(dict.fromkeys(result.sim.warnings))
        assumptions.update(dict.fromkeys(result.sim.assumptions))
        warnings.update(dict.fromkeys(result.plan.warnings))
    if any(d.drug == "flumazenil" for p in plans for s in p[2].steps for d in s.doses):
        warnings[REC_14] = None
    warnings.pop(DISCREPANCY, None)  # shown on its own beside the occupancy chart
    context.update(
        results=results,
        days=days,
        charts=charts(results),
        ed50_names=[
            e.name for e in (results[0].sim.occupancy.ed50s if results[0].sim.occupancy else ())
        ],
        ed50_labels=sorted(
            {e.label for r in results if r.sim.occupancy for e in r.sim.occupancy.ed50s}
        ),
        series_names=list(results[0].sim.concentration),
        warnings=list(warnings),
        assumptions=list(assumptions),
        flumazenil=flumazenil_result(form, cov),
    )
    return context


# --- the view ----------------------------------------------------------------------------------


def pharmacology(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """GET: the page (or, for htmx, only the results) for the parameters in the query."""
    patient = get_patient(request, pk, "plan.view")
    version = services.get_version(patient, number)
    data = request.GET.copy()
    for name, value in (("flumazenil_days", "7"), ("flumazenil_route", "sc")):
        data.setdefault(name, value)
    form = PharmacologyForm(data)
    context = pharmacology_context(patient, version, form)
    summary = f"v{number} pharmacology"
    compared = form.cleaned_data.get("compare_strategy") if form.is_valid() else None
    if compared:  # only a strategy the form accepted, never the raw query text
        summary += f", compared with {compared}"
    record(request, "plan.pharmacology_viewed", obj=version, patient=patient, summary=summary)
    if request.headers.get("HX-Request"):
        return render(request, "plans/_fragment_pharmacology.html", context)
    return render(request, "plans/pharmacology.html", context)


@require_POST
def preview_pharmacology(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan builder's collapsed Pharmacology section, asked for only when opened (so the
    live preview itself stays fast): the plan as the form stands, simulated from a steady state
    with the illustration ED50s, labelled. Like the preview, a draft: not audited as a read of
    a saved version. A stated ED50 and a second strategy are on the saved version's page."""
    patient = get_patient(request, pk, "plan.draft")
    form = PlanForm(request.POST)
    context: dict[str, Any] = {
        "patient": patient,
        "result": None,
        "problem": "",
        "discrepancy": DISCREPANCY,
        "run_in": RUN_IN_DAYS,
        "washout": WASHOUT_DAYS,
        "hourly_up_to": HOURLY_UP_TO_DAYS,
    }
    regimen = services.current_regimen(patient)
    if regimen is None:
        context["problem"] = "Record the patient's current regimen before building a plan."
    elif not form.is_valid():
        context["problem"] = "Correct the problems in the form first (shown beside each field)."
    else:
        try:
            plan = build_plan(form.plan_request(regimen))
            cov = covariates(patient, plan)
            days = min(plan_days(plan) + WASHOUT_DAYS, MAX_DAYS)
            sim, before = simulate_plan(plan, days, cov, ())
        except InputError as error:
            context["problem"] = f"Not simulated: {core_message(error)}"
        else:
            result = PlanResult("plan", "this plan", plan, sim, before)
            context.update(
                result=result,
                covariates=cov,
                days=days,
                charts=charts([result]),
                ed50_names=[e.name for e in (sim.occupancy.ed50s if sim.occupancy else ())],
                warnings=list(dict.fromkeys(w for w in sim.warnings if w != DISCREPANCY)),
            )
    return render(request, "plans/_fragment_preview_pharmacology.html", context)
