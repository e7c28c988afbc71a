"""``benzodetox plan``: a dated, dispensable taper from today's regimen.

Other commands that start from a plan (``simulate``) reuse :func:`plan_options` and
:func:`plan_from_options`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from ..core.catalogue import EQUIVALENCE_TABLES, MARKETS
from ..core.dispensing import describe_take
from ..core.equivalence import DEFAULT_TABLE, Basis
from ..core.errors import InputError
from ..core.plan import CustomStep, Plan, PlanRequest
from ..core.plan import crossover_days as crossover_stage
from ..core.regimen import parse_time
from ..core.supply import SUPPLY_PERIODS as SUPPLY_DAYS
from ..core.tapering import STRATEGY_NAMES, build_plan, departures
from ..core.units import format_mg, parse_amount
from ..interop.json_contract import alternatives_data
from ..interop.plan_json import plan_from_dict, plan_to_dict
from ._common import emit, output_option, write_output

__all__ = ["commands", "parse_interval", "plan_from_options", "plan_options"]

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_SOURCE = DEFAULT_TABLE
#: --supply-days choices: the core's supply periods, or one per step
SUPPLY_PERIODS = (*(str(days) for days in SUPPLY_DAYS), "step")

_INTERVAL = re.compile(r"^\s*(\d+)\s*(d|day|days|w|wk|week|weeks)\s*$", re.IGNORECASE)


def parse_interval(text: str | None) -> int | None:
    """'2w' → 14, '14d' → 14, '3 weeks' → 21."""
    if text is None:
        return None
    match = _INTERVAL.match(text)
    if not match:
        raise InputError("every", text, "an interval such as 14d or 2w")
    n = int(match.group(1))
    return n * 7 if match.group(2).lower().startswith("w") else n


def _custom_step(text: str) -> CustomStep:
    match = re.match(r"^\s*([0-9.,]+)\s*mg\s*(?:x|×|for)\s*(\d+)\s*d(?:ays?)?\s*$", text, re.I)
    if not match:
        raise InputError("step", text, "'MG mg x DAYS d', e.g. '7.5 mg x 14d'")
    mg = Decimal(match.group(1).replace(",", "."))
    if mg < 0:
        raise InputError("step", text, "a daily dose of 0 mg or more")
    return CustomStep(mg, int(match.group(2)))


def plan_options(function: F) -> F:
    """The regimen and plan options shared by ``plan`` and ``simulate``."""
    options = [
        click.option(
            "--take",
            "take",
            multiple=True,
            metavar='"DRUG AMOUNT UNIT at HH:MM"',
            help='A current dose, repeatable: --take "alprazolam 1 mg at 08:00".',
        ),
        click.option(
            "--source",
            type=click.Choice(EQUIVALENCE_TABLES),
            default=None,
            help=f"Equivalence table (default {DEFAULT_SOURCE}, always shown).",
        ),
        click.option(
            "--basis",
            type=click.Choice(["low", "high"]),
            default=None,
            help="Which end of a table's range to use where it gives one.",
        ),
        click.option(
            "--strategy", type=click.Choice(STRATEGY_NAMES), default="asam", show_default=True
        ),
        click.option(
            "--percent",
            type=str,
            default=None,
            help="Reduction per step in % (strategy's default if omitted).",
        ),
        click.option("--every", type=str, default=None, help="Interval between steps: 14d, 2w."),
        click.option(
            "--switch-to",
            "switch_to",
            type=click.Choice(["diazepam", "clonazepam"]),
            default=None,
            help="Cross over to a long-acting drug first.",
        ),
        click.option(
            "--switch-first",
            "switch_first",
            default=None,
            metavar="HH:MM",
            help="Dose time substituted first (default: the latest).",
        ),
        click.option(
            "--crossover-days",
            type=int,
            default=crossover_stage().default,
            show_default=True,
            help=f"Days per crossover stage ({crossover_stage().least}–{crossover_stage().most}).",
        ),
        click.option("--market", type=click.Choice(MARKETS), default="us", show_default=True),
        click.option(
            "--start", default=None, metavar="YYYY-MM-DD", help="First day (default today)."
        ),
        click.option(
            "--final-dose",
            "final_dose",
            default=None,
            metavar="MG",
            help="Stop from this diazepam-eq/day or below.",
        ),
        click.option(
            "--plateau",
            default=None,
            metavar="MG",
            help="End on this maintenance dose (diazepam-eq/day) instead of zero.",
        ),
        click.option(
            "--reduce-order",
            default=None,
            metavar="HH:MM,HH:MM",
            help="Dose times in the order they are reduced (default earliest first).",
        ),
        click.option(
            "--times",
            "dose_times",
            default=None,
            metavar="HH:MM,HH:MM",
            help="Divide the (switched) drug evenly across these times of day.",
        ),
        click.option("--stabilise-days", type=int, default=None, help="Inpatient: 2–7 days."),
        click.option(
            "--discharge",
            default=None,
            metavar="MG",
            help="Inpatient: hand over at this diazepam-eq/day (≤ 20).",
        ),
        click.option(
            "--then",
            "then",
            type=click.Choice(["asam", "ashton", "hyperbolic", "deprescribing"]),
            default="asam",
            show_default=True,
            help="Inpatient: the outpatient strategy after discharge.",
        ),
        click.option(
            "--drug-free-nights",
            type=int,
            default=0,
            show_default=True,
            help="deprescribing: planned drug-free nights a week near the end.",
        ),
        click.option("--no-liquid", is_flag=True, default=False, help="Tablets and capsules only."),
        click.option(
            "--step",
            "steps",
            multiple=True,
            metavar='"MG mg x DAYS d"',
            help="custom: a step of the working drug, repeatable.",
        ),
        click.option(
            "--override-reason",
            default="",
            help="Allow steps beyond the strategy's ceiling, recording why.",
        ),
        click.option(
            "--plan",
            "plan_file",
            default=None,
            type=click.Path(exists=True, dir_okay=False),
            help="Read a plan saved with --format json instead of building one.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _decimal(value: str | None, field: str) -> Decimal | None:
    return None if value is None else parse_amount(value, field)


def plan_from_options(
    *,
    take: tuple[str, ...],
    source: str | None,
    basis: str | None,
    strategy: str,
    percent: str | None,
    every: str | None,
    switch_to: str | None,
    switch_first: str | None,
    crossover_days: int,
    market: str,
    start: str | None,
    final_dose: str | None,
    plateau: str | None,
    reduce_order: str | None,
    stabilise_days: int | None,
    dose_times: str | None = None,
    discharge: str | None,
    then: str,
    drug_free_nights: int,
    no_liquid: bool,
    steps: tuple[str, ...],
    override_reason: str,
    plan_file: str | None,
    **_: Any,
) -> tuple[Plan, bool]:
    """Build (or read) the plan the options describe; returns it and whether the table was
    defaulted (so the output can say so)."""
    from ._common import regimen_from_takes

    if plan_file:
        if take:
            raise InputError("plan", plan_file, "either --plan or --take, not both")
        from ._common import read_json_file

        return plan_from_dict(read_json_file(plan_file, "plan")), False
    regimen = regimen_from_takes(take)
    try:
        first_day = date.fromisoformat(start) if start else date.today()
    except ValueError:
        raise InputError("start", start, "a date as YYYY-MM-DD") from None
    order = (
        tuple(parse_time(t, "reduce_order") for t in reduce_order.split(","))
        if reduce_order
        else ()
    )
    request = PlanRequest(
        regimen=regimen,
        source=source or DEFAULT_SOURCE,
        start=first_day,
        strategy=strategy,
        market=market,
        basis=cast(Basis | None, basis),  # click.Choice allows only low or high
        percent=_decimal(percent, "percent"),
        interval_days=parse_interval(every),
        switch_to=switch_to,
        switch_first=parse_time(switch_first, "switch_first") if switch_first else None,
        crossover_days=crossover_days,
        final_dose_mg=None
        if final_dose is None
        else Decimal(final_dose)
        if final_dose.strip() == "0"
        else _decimal(final_dose, "final_dose"),
        plateau_mg=_decimal(plateau, "plateau"),
        reduce_order=order,
        dose_times=tuple(parse_time(t, "times") for t in dose_times.split(","))
        if dose_times
        else (),
        stabilise_days=stabilise_days,
        discharge_mg=_decimal(discharge, "discharge"),
        then=then,
        drug_free_nights=drug_free_nights,
        allow_liquid=not no_liquid,
        custom_steps=tuple(_custom_step(s) for s in steps),
        override_reason=override_reason.strip(),
    )
    return build_plan(request), source is None


def _take_text(plan: Plan) -> list[dict[str, Any]]:
    rows = []
    for step in plan.steps:
        doses = step.doses or ()
        if not doses:
            rows.append(_row(step, None))
        for dose in doses:
            rows.append(_row(step, dose))
    return rows


def _take_words(dose: Any) -> str:
    if dose.from_supply:
        return "from the patient's current supply (not dispensed)"
    return " + ".join(describe_take(t) for t in dose.takes)


def _row(step: Any, dose: Any) -> dict[str, Any]:
    return {
        "step": step.index,
        "start": step.start.isoformat(),
        "end": step.end.isoformat(),
        "kind": step.kind,
        "diazepam_eq_mg": step.diazepam_eq_mg,
        "reduction_percent": step.reduction_percent,
        "range": step.span,
        "time": dose.time.strftime("%H:%M") if dose else "",
        "drug": dose.drug if dose else "",
        "mg": dose.mg if dose else Decimal(0),
        "take": _take_words(dose) if dose else "nothing",
        "notes": "; ".join(step.notes + step.warnings),
    }


def render_plan(plan: Plan, defaulted: bool, offers: list[dict[str, Any]] | None = None) -> str:
    lo, hi = plan.range_mg_per_day
    lines = [
        f"source: {plan.source}" + (" (default; choose with --source)" if defaulted else ""),
        f"strategy: {plan.strategy}    market: {plan.market}"
        + (f"    switch to: {plan.switch_to}" if plan.switch_to else ""),
        f"diazepam-eq now: {format_mg(plan.diazepam_eq_mg_per_day)}/day under {plan.source} "
        f"(all tables: {format_mg(lo)} to {format_mg(hi)})",
    ]
    lines += [f"  {shown}" for _, shown in plan.parameters]
    last = plan.last_dose_date
    lines.append(f"start {plan.start}; last dose {last or '—'}; {len(plan.steps)} steps")
    if plan.version_note:
        lines.append(f"change: {plan.version_note}")
    for warning in plan.warnings:
        lines.append(f"⚠ {warning}")
    if offers:
        lines.append(
            f"{departures(plan)} step(s) depart from the strategy; alternatives that depart less:"
        )
        for offer in offers:
            lines.append(
                f"  · {offer['label']} ({', '.join(offer['options'])}): {offer['departures']} "
                f"departure(s), {offer['steps']} steps, last dose {offer['last_dose'] or '—'}"
            )
    lines.append("")
    for step in plan.steps:
        head = (
            f"{step.index:>3}  {step.start} → {step.end}  {step.kind:<10} "
            f"{format_mg(step.diazepam_eq_mg):>10} dz-eq/day"
            + (f"  −{step.reduction_percent} %" if step.reduction_percent else "")
            + (f" (range {step.span})" if step.span else "")
        )
        lines.append(head)
        for dose in step.doses:
            takes = " + ".join(describe_take(t) for t in dose.takes)
            if dose.from_supply:
                takes = "from the patient's current supply (not dispensed)"
            lines.append(
                f"       {dose.time.strftime('%H:%M')}  {format_mg(dose.mg)} {dose.drug}: {takes}"
            )
        if not step.doses:
            lines.append("       no doses")
        for note in step.notes:
            lines.append(f"       · {note}")
        for warning in step.warnings:
            lines.append(f"       ⚠ {warning}")
    return "\n".join(lines)


@click.command("plan")
@plan_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "pdf", "ics", "fhir"]),
    default="table",
    show_default=True,
    help="fhir: a FHIR R4 Bundle of the plan's MedicationRequests (docs/api/fhir.md).",
)
@click.option(
    "--fhir-shape",
    type=click.Choice(["sequenced", "per-step"]),
    default="sequenced",
    show_default=True,
    help="With --format fhir: one MedicationRequest per drug with sequenced dosages, or one "
    "per step (one dosage each) linked by groupIdentifier.",
)
@click.option(
    "--supply-days",
    type=click.Choice(SUPPLY_PERIODS),
    default=None,
    help="With --format csv or pdf: the pharmacy order, one supply per 1, 7, 14 or 28 days or "
    "per step (with pdf, the order instead of the handout).",
)
@output_option
def plan_command(
    fmt: str, output: str | None, supply_days: str | None, fhir_shape: str, **options: Any
) -> None:
    """Build a dated taper plan with exact doses from today's regimen."""
    plan, defaulted = plan_from_options(**options)
    if fmt == "fhir":
        _write_fhir(plan, fhir_shape, supply_days, output)
        return
    if supply_days is not None and fmt in ("csv", "pdf"):
        _write_order(plan, fmt, None if supply_days == "step" else int(supply_days), output)
        return
    if fmt in ("pdf", "ics"):
        _write_document(plan, fmt, output)
        return
    data = plan_to_dict(plan)
    data["source_defaulted"] = defaulted
    offers = alternatives_data(plan)
    data["alternatives"] = offers
    emit(data, _take_text(plan), fmt, output, text=render_plan(plan, defaulted, offers))


def _write_order(plan: Plan, fmt: str, period_days: int | None, output: str | None) -> None:
    """The pharmacy order as CSV (to standard output or a file) or PDF (to a file). The CLI
    knows no patient or prescriber: the order's header lines are left to be filled in."""
    if fmt == "csv":
        from ..interop.csv_export import pharmacy_order_csv

        text = pharmacy_order_csv(plan, period_days)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            click.echo(text, nl=False)
        return
    if not output:
        raise InputError("output", None, "a file to write the PDF to (--output FILE)")
    from ..reports.pharmacy_order import pharmacy_order_pdf

    Path(output).write_bytes(pharmacy_order_pdf(plan, period_days))
    click.echo(f"written to {output}", err=True)


def _write_fhir(plan: Plan, shape: str, supply_days: str | None, output: str | None) -> None:
    """The plan as a FHIR R4 Bundle (draft proposals: nobody approved it), its supply every
    ``--supply-days`` (28 by default) as each request's dispenseRequest."""
    from ..interop.fhir import fhir_json, plan_bundle

    period = 28 if supply_days is None else None if supply_days == "step" else int(supply_days)
    body = fhir_json(
        plan_bundle(plan, shape, period_days=period, timestamp=datetime.now(UTC)), indent=2
    )
    if output:
        write_output(output, body + "\n")
    else:
        click.echo(body)


def _write_document(plan: Plan, fmt: str, output: str | None) -> None:
    if not output:
        raise InputError("output", None, f"a file to write the {fmt.upper()} to (--output FILE)")
    if fmt == "pdf":
        from ..reports.pdf import handout_pdf

        body = handout_pdf(plan)
    else:
        from ..interop.ical import plan_to_ics

        body = plan_to_ics(plan, now=datetime.now(UTC))
    Path(output).write_bytes(body)
    click.echo(f"written to {output}", err=True)


commands = [plan_command]
