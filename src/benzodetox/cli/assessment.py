"""``benzodetox score``, ``assess`` and ``advise``: instruments (with the alerts a result raises,
from the same core rules as the web app), withdrawal risk and level of care, and taper advice
with the plan it proposes (``escalate`` first where the symptoms call for it). Bad input exits
with status 2 and names the field (never a traceback)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from ..core.assessment import Reason
from ..core.assessment.advice import assessments_from_dict
from ..core.assessment.alerts import AlertDecision, alerts_for, facts_from_dict
from ..core.assessment.instruments import INSTRUMENTS
from ..core.assessment.instruments import score as score_answers
from ..core.assessment.intake import intake_from_dict
from ..core.assessment.level_of_care import assess as assess_intake
from ..core.assessment.propose import advise_and_propose
from ..core.errors import InputError
from ..interop.json_contract import score_data
from ._common import emit, format_option, output_option, read_json_file

__all__ = ["advise", "assess", "commands", "score"]

T = TypeVar("T")


def _reason_rows(reasons: tuple[Reason, ...] | list[Reason]) -> list[dict[str, Any]]:
    return [
        {
            "reason": r.text,
            "rec": r.rec,
            "source": r.source,
            "confirmed": "yes" if r.confirmed else "UNCONFIRMED",
        }
        for r in reasons
    ]


def _reason_lines(reasons: tuple[Reason, ...] | list[Reason]) -> list[str]:
    lines = []
    for r in reasons:
        mark = "" if r.confirmed else " [unconfirmed]"
        rec = f"; {r.rec}" if r.rec else ""
        lines.append(f"  - {r.text} ({r.source}{rec}){mark}")
    return lines


def _alert_lines(decisions: tuple[AlertDecision, ...]) -> list[str]:
    lines = []
    for d in decisions:
        lines.append(f"alert ({d.severity}): {d.title}")
        lines += _reason_lines(d.reasons)
        if d.actions:
            lines.append("  actions:")
            lines += ["  " + line for line in _reason_lines(d.actions)]
    return lines or ["alerts: none"]


@click.command()
@click.argument("instrument", type=click.Choice(INSTRUMENTS, case_sensitive=False))
@click.argument("answers", nargs=-1, required=True)
@click.option(
    "--history", multiple=True, help="From the intake, repeatable: --history withdrawal_seizure."
)
@click.option(
    "--substance", multiple=True, help="From the intake, repeatable: --substance opioids."
)
@click.option("--condition", multiple=True, help="From the intake, repeatable: --condition X.")
@format_option
@output_option
def score(
    instrument: str,
    answers: tuple[str, ...],
    history: tuple[str, ...],
    substance: tuple[str, ...],
    condition: tuple[str, ...],
    fmt: str,
    output: str | None,
) -> None:
    """Score an instrument from its answers in item order, with the alerts the result raises,
    e.g. ``benzodetox score gad-7 1 1 2 1 0 1 0``."""
    result = score_answers(instrument, list(answers))
    facts = _facts(history, substance, condition)
    decisions = alerts_for(result, facts=facts)
    data = score_data(result, decisions)
    row = {
        "instrument": result.instrument,
        "total": f"{result.total}/{result.max_total}",
        "band": result.band or "-",
        "flags": ", ".join(result.flags) or "-",
        "alerts": "; ".join(f"{d.severity}: {d.title}" for d in decisions) or "-",
    }
    lines = [
        f"{result.instrument}: {result.total}/{result.max_total}",
        f"band: {result.band or 'none'}"
        + ("" if result.band_confirmed is not False else " [unconfirmed bands]"),
        f"flags: {', '.join(result.flags) or 'none'}",
        "notes:",
        *_reason_lines(result.notes),
        *_alert_lines(decisions),
    ]
    emit(data, [row], fmt, output, text="\n".join(lines))


def _facts(history: tuple[str, ...], substance: tuple[str, ...], condition: tuple[str, ...]) -> Any:
    try:
        return facts_from_dict(
            {"history": list(history), "substances": list(substance), "conditions": list(condition)}
        )
    except InputError as error:
        option = {"conditions": "--condition", "history": "--history", "substances": "--substance"}
        name = error.field.split("[")[0]
        raise InputError(option.get(name, name), error.value, error.allowed) from None


@click.command()
@click.option("--intake", "intake_path", required=True, type=str, help="Intake JSON file.")
@format_option
@output_option
def assess(intake_path: str, fmt: str, output: str | None) -> None:
    """Withdrawal risk and level of care from an intake JSON file (format: docs/assessment.md)."""
    result = assess_intake(intake_from_dict(read_json_file(intake_path, "--intake")))
    data = result.as_dict()
    loc = result.level_of_care
    lines = [
        result.risk.headline,
        loc.headline,
        f"risk: {result.risk.level} ({result.risk.level_text})",
        f"diazepam-equivalent: {result.risk.diazepam_eq_mg_per_day.normalize():f} mg/day "
        f"under {result.risk.source} ({result.risk.dose_band} dose, {result.risk.duration_band})",
        f"level of care: {loc.setting}, {loc.wm_level} ({loc.wm_name})"
        + (", under specialist supervision" if loc.specialist else ""),
        "reasons:",
        *_reason_lines(result.reasons),
    ]
    if result.risk.prompts:
        lines += ["prompts:", *_reason_lines(result.risk.prompts)]
    if result.risk.warnings:
        lines += ["warnings:", *(f"  - {w}" for w in result.risk.warnings)]
    emit(data, _reason_rows(result.reasons), fmt, output, text="\n".join(lines))


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError("--on", value, "a date as YYYY-MM-DD") from None


@click.command()
@click.option("--plan", "plan_path", required=True, type=str, help="Plan JSON file.")
@click.option(
    "--assessments", "assessments_path", required=True, type=str, help="Assessments JSON file."
)
@click.option("--on", "on", default=None, help="Day to advise on (default: the latest assessment).")
@format_option
@output_option
def advise(
    plan_path: str, assessments_path: str, on: str | None, fmt: str, output: str | None
) -> None:
    """Taper advice from a plan and the assessments so far, with the plan it proposes."""
    from ..interop.plan_json import plan_from_dict, plan_to_dict

    # Both files are read before either is interpreted, so a broken file is named first.
    raw_plan = read_json_file(plan_path, "--plan")
    raw_assessments = read_json_file(assessments_path, "--assessments")
    if not isinstance(raw_plan, dict):
        raise InputError("--plan", plan_path, "a JSON object (a plan written by benzodetox)")
    plan = _read(
        plan_from_dict,
        raw_plan,
        "--plan",
        plan_path,
        "a plan written by benzodetox (plan --format json)",
    )
    observations, facts = _read(
        assessments_from_dict,
        raw_assessments,
        "--assessments",
        assessments_path,
        "assessments as docs/assessment.md describes them",
    )
    day = _parse_day(on)
    if day is None:
        if not observations:
            raise InputError("--on", None, "a date (there are no assessments to date the advice)")
        day = max(o.at for o in observations).date()
    advice, proposed = advise_and_propose(plan, observations, day, facts=facts)
    data = {**advice.as_dict(), "proposed_plan": plan_to_dict(proposed)}
    lines = [
        f"advice on {day.isoformat()}: {advice.action}",
        f"adjustment: {advice.adjustment.kind}"
        + (f" ({advice.adjustment.days} days)" if advice.adjustment.days else "")
        + (f" (next reductions {advice.adjustment.percent}%)" if advice.adjustment.percent else ""),
        "reasons:",
        *_reason_lines(advice.reasons),
    ]
    if advice.escalation is not None:
        lines += ["escalation:", *_reason_lines(advice.escalation.actions)]
    if proposed is not plan:
        lines.append(f"proposed plan: {len(proposed.steps)} steps, ends {proposed.end.isoformat()}")
    emit(data, _reason_rows(advice.reasons), fmt, output, text="\n".join(lines))


commands = [score, assess, advise]


def _read(reader: Callable[[Any], T], raw: Any, option: str, path: str, allowed: str) -> T:
    """``reader(raw)``, with a shape the reader does not check yet (e.g. a number where a list
    of answers goes) refused on ``option`` like any other bad file."""
    try:
        return reader(raw)
    except InputError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as error:
        raise InputError(option, path, allowed, hint=f"{type(error).__name__}: {error}") from None
