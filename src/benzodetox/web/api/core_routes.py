"""Stateless core endpoints: ``convert``, ``plan``, ``score/{instrument}``, ``assess``,
``advise``, ``simulate``. Each answers the CLI's ``--format json`` document, built by the same
functions (``interop.plan_json``, the CLI's data builders); nothing is stored. A token with
``read`` (or a signed-in staff session) is needed; every call is audited.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Body, Router

from benzodetox.core.assessment.advice import assessments_from_dict
from benzodetox.core.assessment.alerts import alerts_for, facts_from_dict
from benzodetox.core.assessment.instruments import INSTRUMENTS
from benzodetox.core.assessment.instruments import score as score_answers
from benzodetox.core.assessment.intake import intake_from_dict
from benzodetox.core.assessment.level_of_care import assess as assess_intake
from benzodetox.core.assessment.propose import advise_and_propose
from benzodetox.core.catalogue import catalogue
from benzodetox.core.equivalence import DEFAULT_TABLE as DEFAULT_SOURCE
from benzodetox.core.equivalence import convert as convert_regimen
from benzodetox.core.errors import InputError
from benzodetox.core.kinetics.plan_run import plan_days, simulate_plan
from benzodetox.core.regimen import Dose, Regimen, parse_time
from benzodetox.core.tapering import build_plan
from benzodetox.interop.json_contract import (
    alternatives_data,
    conversion_data,
    jsonable,
    score_data,
    simulation_to_dict,
)
from benzodetox.interop.plan_json import plan_from_dict, plan_to_dict, request_from_dict

from .access import audit, auth_for
from .schemas import (
    AdviceIn,
    AdviceOut,
    AssessOut,
    ConvertIn,
    ConvertOut,
    DoseIn,
    ErrorOut,
    PlanIn,
    PlanOut,
    ScoreIn,
    ScoreOut,
    SimulateIn,
    SimulationOut,
)

__all__ = ["router"]

router = Router(tags=["core (stateless)"], auth=auth_for("read"))
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _regimen(doses: list[DoseIn]) -> Regimen:
    """Doses with catalogue drug keys (names and brands resolved, unknown ones refused)."""
    cat = catalogue()
    out: list[Dose] = []
    for i, dose in enumerate(doses):
        drug = cat.drug(dose.drug, f"regimen[{i}].drug")
        at: time = parse_time(dose.time, f"regimen[{i}].time")
        mg = Decimal(dose.mg)
        if mg <= 0:
            raise InputError(f"regimen[{i}].mg", dose.mg, "a dose above 0 mg")
        out.append(Dose(time=at, drug=drug.key, mg=mg))
    return Regimen(tuple(out))


def plan_request_data(body: PlanIn) -> tuple[dict[str, Any], bool]:
    """The request as ``request_from_dict`` reads it, with the CLI's defaults; and whether
    the table was defaulted."""
    regimen = _regimen(body.regimen)
    data = body.model_dump(exclude_none=True)
    data["regimen"] = [
        {"drug": d.drug, "mg": str(d.mg), "time": d.time.strftime("%H:%M")} for d in regimen.doses
    ]
    data["source"] = body.source or DEFAULT_SOURCE
    data["start"] = (body.start or date.today()).isoformat()
    return data, body.source is None


def build_plan_document(body: PlanIn) -> dict[str, Any]:
    data, defaulted = plan_request_data(body)
    plan = build_plan(request_from_dict(data))
    document = plan_to_dict(plan)
    document["source_defaulted"] = defaulted
    document["alternatives"] = alternatives_data(plan)
    return document


@router.post("/convert", response={200: ConvertOut, **ERRORS}, summary="Diazepam equivalents")
def convert(request: HttpRequest, body: ConvertIn) -> Any:
    """As `benzodetox convert --format json`: diazepam-eq mg/day under one table, the range
    across all tables and the drugs whose tables disagree."""
    regimen = _regimen(body.regimen)
    conversion = convert_regimen(regimen, body.source or DEFAULT_SOURCE, body.basis)
    audit(request, "api.convert", "convert a regimen")
    return jsonable(conversion_data(conversion, body.source is None))


@router.post("/plan", response={200: PlanOut, **ERRORS}, summary="A dated taper plan")
def plan(request: HttpRequest, body: PlanIn) -> Any:
    """As `benzodetox plan --format json`: the body is the plan JSON's `request` object."""
    document = build_plan_document(body)
    audit(request, "api.plan", f"build a {document['strategy']} plan")
    return document


@router.post(
    "/score/{instrument}", response={200: ScoreOut, **ERRORS}, summary="Score an instrument"
)
def score(request: HttpRequest, instrument: str, body: ScoreIn) -> Any:
    """As `benzodetox score INSTRUMENT ANSWERS… --format json`, with the alerts it raises.
    `instrument` is one of ciwa-b, bwsq, phq-9, gad-7."""
    name = instrument.lower()
    if name not in INSTRUMENTS:
        raise InputError("instrument", instrument, ", ".join(INSTRUMENTS))
    result = score_answers(name, [str(a) for a in body.answers])
    facts = facts_from_dict(
        {"history": body.history, "substances": body.substances, "conditions": body.conditions}
    )
    decisions = alerts_for(result, facts=facts)
    audit(request, "api.score", f"score {name}")
    return jsonable(score_data(result, decisions))


@router.post("/assess", response={200: AssessOut, **ERRORS}, summary="Risk and level of care")
def assess(request: HttpRequest, body: dict[str, Any] = Body(...)) -> Any:  # type: ignore[type-arg]  # noqa: B008
    """As `benzodetox assess --intake FILE --format json`; the body is the intake file
    (docs/assessment.md)."""
    result = assess_intake(_read(intake_from_dict, body, "intake"))
    audit(request, "api.assess", "assess an intake")
    return jsonable(result.as_dict())


@router.post("/advise", response={200: AdviceOut, **ERRORS}, summary="Taper advice")
def advise(request: HttpRequest, body: AdviceIn) -> Any:
    """As `benzodetox advise --plan … --assessments … --format json`."""
    plan = _read(plan_from_dict, body.plan, "plan")
    observations, facts = _read(assessments_from_dict, body.assessments, "assessments")
    day = body.on
    if day is None:
        if not observations:
            raise InputError("on", None, "a date (there are no assessments to date the advice)")
        day = max(o.at for o in observations).date()
    advice, proposed = advise_and_propose(plan, observations, day, facts=facts)
    audit(request, "api.advise", f"advise on {day.isoformat()}")
    return jsonable({**advice.as_dict(), "proposed_plan": plan_to_dict(proposed)})


@router.post("/simulate", response={200: SimulationOut, **ERRORS}, summary="Plasma levels")
def simulate(request: HttpRequest, body: SimulateIn) -> Any:
    """As `benzodetox simulate … --format json` for a plan (no population, no flumazenil)."""
    data, _ = plan_request_data(body.plan)
    plan = build_plan(request_from_dict(data))
    run = simulate_plan(
        plan,
        days=body.days,
        run_in=not body.no_run_in,
        age=None if body.age is None else float(body.age),
        liver=body.liver,
        weight_kg=None if body.weight_kg is None else float(body.weight_kg),
        occupancy=body.occupancy,
    )
    summary = {
        "start": plan.start.isoformat(),
        "strategy": plan.strategy,
        "source": plan.source,
        "days": plan_days(plan),
        "run_in_days": run.run_in_days,
    }
    audit(request, "api.simulate", "simulate a plan")
    return simulation_to_dict(run.sim, {"days": run.days, "plan": summary})


def _read(reader: Any, raw: Any, field: str) -> Any:
    """``reader(raw)``; a shape the reader does not check yet is refused on ``field``."""
    try:
        return reader(raw)
    except InputError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as error:
        raise InputError(field, type(raw).__name__, f"a valid {field} document ({error})") from None
