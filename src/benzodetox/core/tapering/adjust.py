"""Adjustments: each returns a new plan from a date, with its reason; the old plan is unchanged.

- ``hold``: stay on the dose in effect on the day for N more days; later steps move N days on.
- ``slow``: from the next reduction, use a new percentage and/or interval.
- ``step_back``: return to the previous step's (higher) dose from the day, then taper on from it.
- ``plateau``: stay on the dose in effect on the day as a maintenance dose, reviewed in 90 days.

A guideline basis for each: JCPG 2025 Rec 8/9 and key takeaways 6b–d (slow or pause when
symptoms are significant; maintaining a lower dose may be an acceptable end point); the patient
guide's "in rare cases" temporary return to the previous higher dose.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from ..errors import InputError
from ..plan import Plan, PlanRequest, Step
from .engine import PLATEAU_REVIEW_DAYS, continue_plan

__all__ = ["hold", "plateau", "slow", "step_back"]


def hold(plan: Plan, on: date, days: int, reason: str) -> Plan:
    """Stay on the dose in effect on ``on`` for ``days`` more days; every later change moves
    ``days`` days later.

    A 14-day hold on day 20 of a plan moves its stop 14 days later:

    >>> from datetime import date, time
    >>> from decimal import Decimal
    >>> from benzodetox.core.plan import PlanRequest
    >>> from benzodetox.core.regimen import Dose, Regimen
    >>> from benzodetox.core.tapering.engine import build_plan
    >>> regimen = Regimen((Dose(time(22, 0), "diazepam", Decimal(10)),))
    >>> plan = build_plan(PlanRequest(regimen, "ashton-2002", date(2026, 1, 5)))
    >>> held = hold(plan, on=date(2026, 1, 24), days=14, reason="poor sleep")
    >>> (held.steps[-1].start - plan.steps[-1].start).days
    14
    """
    _check_reason(reason)
    if not 1 <= days <= 180:
        raise InputError("days", days, "1 to 180 days")
    index = _index_on(plan, on)
    current = plan.steps[index]
    if current.kind == "stop":
        raise InputError("on", on.isoformat(), "a day on which doses are still taken")
    before, _ = _split(current, on)
    shift = timedelta(days=days)
    # the rest of the current step and the hold are one step on the same dose
    held = replace(
        current,
        start=on,
        end=current.end + shift,
        kind="hold" if before else current.kind,
        reduction_percent=Decimal(0) if before else current.reduction_percent,
        notes=(*(() if before else current.notes), f"hold for {days} days: {reason}"),
        warnings=(),
    )
    after = [_shift(s, shift) for s in plan.steps[index + 1 :]]
    steps = _renumber([*plan.steps[:index], *before, held, *after])
    return replace(plan, steps=steps, version_note=f"hold {days} days from {on}: {reason}")


def slow(
    plan: Plan,
    on: date,
    reason: str,
    percent: Decimal | None = None,
    interval_days: int | None = None,
) -> Plan:
    """From the next reduction after ``on``, reduce by ``percent`` and/or every
    ``interval_days``; the step in effect on ``on`` is kept."""
    _check_reason(reason)
    if percent is None and interval_days is None:
        raise InputError("percent", None, "a new percentage, a new interval, or both")
    request = _request(plan)
    index = _index_on(plan, on)
    old_percent = request.percent
    if percent is not None and old_percent is not None and percent > old_percent:
        raise InputError("percent", percent, f"at most the current {old_percent} % (slowing)")
    new_request = replace(
        request,
        percent=percent if percent is not None else request.percent,
        interval_days=interval_days if interval_days is not None else request.interval_days,
    )
    keep = plan.steps[: index + 1]
    if keep[-1].kind == "stop":
        raise InputError("on", on.isoformat(), "a day on which doses are still taken")
    return continue_plan(plan, keep, new_request, note=f"slowed from {on}: {reason}")


def step_back(plan: Plan, on: date, reason: str) -> Plan:
    """Return to the dose of the step before the one in effect on ``on``, for one interval of
    that step's length, then taper on from it with the same strategy."""
    _check_reason(reason)
    index = _index_on(plan, on)
    if index == 0:
        raise InputError(
            "on", on.isoformat(), "a day after the first step (there is no earlier dose)"
        )
    previous = plan.steps[index - 1]
    current = plan.steps[index]
    before, _ = _split(current, on)
    back = replace(
        previous,
        start=on,
        end=on + timedelta(days=previous.days - 1),
        kind="step back",
        reduction_percent=Decimal(0),
        notes=(f"step back to the previous dose: {reason}",),
        warnings=("the dose rises at this step (step back)",),
    )
    keep = _renumber([*plan.steps[:index], *before, back])
    return continue_plan(plan, keep, _request(plan), note=f"stepped back on {on}: {reason}")


def plateau(plan: Plan, on: date, reason: str, days: int = PLATEAU_REVIEW_DAYS) -> Plan:
    """Stay on the dose in effect on ``on`` as a maintenance dose, to be reviewed after
    ``days`` days (JCPG 2025 Rec 1: review at least every 3 months)."""
    _check_reason(reason)
    if not 1 <= days <= 365:
        raise InputError("days", days, "1 to 365 days")
    index = _index_on(plan, on)
    current = plan.steps[index]
    if current.kind == "stop":
        raise InputError("on", on.isoformat(), "a day on which doses are still taken")
    before, _ = _split(current, on)
    kept = replace(
        current,
        start=on,
        end=on + timedelta(days=days - 1),
        kind="plateau",
        reduction_percent=Decimal(0),
        notes=(f"plateau: {reason}; review by {on + timedelta(days=days - 1)}",),
        warnings=(),
    )
    steps = _renumber([*plan.steps[:index], *before, kept])
    return replace(plan, steps=steps, version_note=f"plateau from {on}: {reason}")


def _request(plan: Plan) -> PlanRequest:
    if plan.request is None:
        raise InputError("plan", "without its parameters", "a plan built by benzodetox")
    return plan.request


def _check_reason(reason: str) -> None:
    if not reason.strip():
        raise InputError("reason", reason, "a reason for the change (it is recorded)")


def _index_on(plan: Plan, on: date) -> int:
    for i, step in enumerate(plan.steps):
        if step.start <= on <= step.end:
            return i
    raise InputError("on", on.isoformat(), f"a day within the plan ({plan.start} to {plan.end})")


def _split(step: Step, on: date) -> tuple[list[Step], Step | None]:
    """The part of ``step`` before ``on`` (if any) and the part from ``on`` on."""
    before = [replace(step, end=on - timedelta(days=1))] if on > step.start else []
    rest = replace(step, start=on, reduction_percent=Decimal(0)) if before else step
    return before, rest


def _shift(step: Step, by: timedelta) -> Step:
    return replace(step, start=step.start + by, end=step.end + by)


def _renumber(steps: list[Step]) -> tuple[Step, ...]:
    return tuple(replace(s, index=i) for i, s in enumerate(steps, start=1))
