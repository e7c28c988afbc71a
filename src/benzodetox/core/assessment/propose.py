"""Apply the adjustment an advice proposes, through the tapering engine's adjustment functions.

This is the only place advice touches a plan: ``advise`` decides (pure data), ``propose``
rebuilds. The original plan is never changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..errors import InputError
from ..plan import Plan
from ..tapering.adjust import hold, plateau, slow, step_back
from .advice import Adjustment, Advice, AdvicePolicy, Observation, advise
from .alerts import Facts
from .schedule import InpatientRule
from .vitals import ThresholdSet

__all__ = ["advise_and_propose", "propose"]


def propose(plan: Plan, adjustment: Adjustment) -> Plan:
    """``plan`` with ``adjustment`` applied ("none" gives the plan back unchanged)."""
    reason = adjustment.reason
    if adjustment.kind == "none":
        return plan
    if adjustment.kind == "hold":
        if adjustment.days is None:
            raise InputError("adjustment.days", None, "a number of days for a hold")
        return hold(plan, on=adjustment.on, days=adjustment.days, reason=reason)
    if adjustment.kind == "slow":
        return slow(
            plan,
            on=adjustment.on,
            reason=reason,
            percent=adjustment.percent,
            interval_days=adjustment.interval_days,
        )
    if adjustment.kind == "step_back":
        return step_back(plan, on=adjustment.on, reason=reason)
    if adjustment.kind == "plateau":
        return plateau(plan, on=adjustment.on, reason=reason)
    raise InputError("adjustment.kind", adjustment.kind, "none, hold, slow, step_back or plateau")


def advise_and_propose(
    plan: Plan,
    observations: Iterable[Observation],
    on: date,
    conditions: Iterable[str] = (),
    policy: AdvicePolicy | None = None,
    thresholds: ThresholdSet | None = None,
    facts: Facts | None = None,
    recheck: InpatientRule | None = None,
) -> tuple[Advice, Plan]:
    """The advice for ``plan`` on ``on`` and the plan it proposes."""
    advice = advise(plan, observations, on, conditions, policy, thresholds, facts, recheck)
    return advice, propose(plan, advice.adjustment)
