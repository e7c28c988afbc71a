"""What a finished plan says about itself: the cut each step makes and the plan's warnings —
every one of them in ``Plan.warnings`` (so in JSON, saved versions and printed plans).

Plan warnings: the starting regimen above a label maximum; any step (the first and the stop
included) that removes more than 25 % of the dose within 2 weeks (ASAM 2025 Rec 6), except the
inpatient phase and a stop from the strategy's final dose; a stop from above the final dose;
unconfirmed product details; a recorded override.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from ..catalogue import catalogue
from ..dispensing import HALF, LIQUID, SMALL_PART, WHOLE
from ..equivalence import Conversion
from ..plan import Plan, PlanRequest
from ..regimen import Regimen
from .base import HUNDRED, Strategy, mg, percent_of, plain, ug
from .figures import figure
from .registry import strategy_for
from .state import PlanState, cut_percent

__all__ = ["describe_cut", "finish", "plan_warnings"]

CEILING = figure("asam", "ceiling_percent")
WINDOW_DAYS = CEILING.window_days or 14
#: Where no strategy states a final dose (custom steps), a stop from this dose or below is the
#: expected ending (NICE CKS's last band cuts at most 1 mg to zero).
DEFAULT_FINAL = figure("asam", "final_dose_mg")
FORMS = {WHOLE: "whole tablets", HALF: "halves", SMALL_PART: "quarters or thirds", LIQUID: "liquid"}


@lru_cache(maxsize=4096)
def _cut_text(note: str, cut: Decimal, form: int) -> str:
    return f"{note}; this step cuts {plain(cut)} % ({FORMS.get(form, 'as dispensed')})"


def describe_cut(note: str, current: int, total: int, form: int) -> str:
    """'asam: 5–10 % of the current dose; this step cuts 10 % (whole tablets)' — the cut as
    the step's ``reduction_percent`` states it."""
    return _cut_text(note, cut_percent(current, total), form)


def finish(state: PlanState, strategy: Strategy, version_note: str = "") -> Plan:
    request = state.request
    conversion = _conversion(request.regimen, request.source, request.basis)
    warnings = list(conversion.warnings) + state.warnings
    warnings += plan_warnings(state, strategy)
    return Plan(
        source=request.source,
        market=request.market,
        strategy=request.strategy,
        parameters=_parameters(request.strategy, request),
        start=request.start,
        steps=tuple(state.steps),
        diazepam_eq_mg_per_day=mg(state.baseline),
        range_mg_per_day=conversion.range_mg_per_day,
        warnings=tuple(dict.fromkeys(warnings)),
        switch_to=request.switch_to,
        version_note=version_note,
        sources=tuple(
            dict.fromkeys((request.source, strategy_for(request.strategy).source, strategy.source))
        ),
        request=request,
    )


@lru_cache(maxsize=1024)
def _conversion(regimen: Regimen, source: str, basis: str | None) -> Conversion:
    from ..equivalence import convert

    return convert(regimen, source, basis)  # type: ignore[arg-type]


@lru_cache(maxsize=1024)
def _parameters(name: str, request: PlanRequest) -> tuple[tuple[str, str], ...]:
    strategy = strategy_for(name)
    shown = tuple((p.name, p.shown()) for p in strategy.parameters(request))
    return (*shown, ("ceiling", strategy.ceiling))


def plan_warnings(state: PlanState, strategy: Strategy) -> list[str]:
    request = state.request
    warnings: list[str] = []
    cat = catalogue()
    daily: dict[str, Decimal] = {}
    for dose in request.regimen.doses:
        key = cat.drug(dose.drug).key
        daily[key] = daily.get(key, Decimal(0)) + dose.mg
    for drug, amount in daily.items():
        label = state.label_max_ug(drug)
        if ug(amount) > label:
            warnings.append(
                f"{drug} {plain(amount)} mg/day is above its label maximum of "
                f"{mg(label)} mg/day in the {request.market} market: a higher level of care "
                "and specialist advice may be needed"
            )
    for drug, peak in state.peaks.items():
        if drug not in daily and peak > state.label_max_ug(drug):
            warnings.append(
                f"the plan schedules {drug} up to {mg(peak)} mg/day, above its label maximum "
                f"of {mg(state.label_max_ug(drug))} mg/day"
            )
    if state.unconfirmed:
        warnings.append(
            "unconfirmed product details (check the label before dispensing): "
            + "; ".join(sorted(state.unconfirmed))
        )
    warnings += _ceiling_warnings(state, strategy)
    if request.override_reason:
        warnings.append(f"ceiling override recorded: {request.override_reason}")
    return warnings


def _ceiling_warnings(state: PlanState, strategy: Strategy) -> list[str]:
    """Every step that removes more than 25 % of the dose within any 2 weeks, the first step
    (against today's dose) and the stop included; not the inpatient phase (eTG's faster rule
    in hospital), nor a stop from the final dose."""
    request = state.request
    steps = state.steps
    starts, totals = state.starts, state.totals
    final = strategy.final_ug(request) or ug(DEFAULT_FINAL.value)
    keep = int(HUNDRED - CEILING.value)
    plan_start = request.start.toordinal()
    found: list[str] = []
    first = 0
    for i, total in enumerate(totals):
        since = starts[i] - WINDOW_DAYS
        with_today = since < plan_start and state.window_from <= plan_start
        since = max(since, state.window_from)  # a hand-over starts the window afresh
        while first < i and starts[first + 1] <= since:
            first += 1  # step ``first`` ended before the window
        before = totals[i - 1] if i else state.baseline
        if i in state.exempt or total >= before:
            continue  # the inpatient rule, or a step that does not reduce
        # doses only fall unless a step rose: then the window's first dose is its highest
        peak = (max(totals[first:i]) if state.rose else totals[first]) if first < i else 0
        if with_today:
            peak = max(peak, state.baseline)
        if total * 100 >= peak * keep:
            continue
        step = steps[i]
        if step.kind == "stop" and before <= final:
            continue
        cut = percent_of(mg(peak - total), mg(peak))
        if step.kind == "stop":
            found.append(
                f"step {step.index} ({step.start.isoformat()}) stops abruptly from "
                f"{mg(before)} mg diazepam-eq/day, above the final dose of {mg(final)} mg: "
                f"{plain(cut)} % of the dose within 2 weeks, beyond the ASAM 2025 ceiling of "
                "25 % [jcpg-2025 Rec 6]"
            )
            continue
        found.append(
            f"step {step.index} ({step.start.isoformat()}) cuts {plain(cut)} % of the dose "
            "within 2 weeks, beyond the ASAM 2025 ceiling of 25 % [jcpg-2025 Rec 6]"
        )
    if len(found) > 4:
        found = [*found[:3], f"and {len(found) - 3} more steps beyond the ASAM 2025 ceiling"]
    return found
