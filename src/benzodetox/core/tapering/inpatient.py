"""Inpatient stabilise-then-reduce (Australian eTG, as summarised in guidelines.md §3.3 [V]):
stabilise over 2–7 days, reduce 10 % of the stabilised daily diazepam-eq dose a day, discharge
generally only at 20 mg/day or less, then a slower community taper (another strategy).
Figures: ``core/data/tapering.toml`` [inpatient].
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..errors import InputError
from ..plan import PlanRequest
from ..units import floor_to_microgram
from .base import Context, Parameter, Proposal, shown
from .figures import figure

STABILISE = figure("inpatient", "stabilise_days")
DAILY = figure("inpatient", "daily_percent")
DISCHARGE = figure("inpatient", "discharge_mg")
HAND_OVER_TO = ("asam", "ashton", "hyperbolic", "deprescribing")


@dataclass(frozen=True)
class Inpatient:
    name: str = "inpatient"
    source: str = DAILY.source
    ceiling: str = "in hospital at most 10 % of the stabilised daily dose a day [etg-addiction]"

    def _stabilise(self, request: PlanRequest) -> int:
        days = STABILISE.days if request.stabilise_days is None else request.stabilise_days
        if not STABILISE.min <= days <= STABILISE.max:  # type: ignore[operator]
            raise InputError("stabilise_days", request.stabilise_days, "2 to 7 days (eTG)")
        return days

    def _discharge(self, request: PlanRequest) -> Decimal:
        mg = DISCHARGE.value if request.discharge_mg is None else request.discharge_mg
        if not 0 < mg <= DISCHARGE.value:
            raise InputError(
                "discharge_mg",
                request.discharge_mg,
                "above 0 and at most 20 mg diazepam-eq/day (eTG)",
            )
        return mg

    def check(self, request: PlanRequest) -> None:
        self._stabilise(request)
        self._discharge(request)
        if request.percent is not None or request.interval_days is not None:
            raise InputError(
                "percent",
                request.percent,
                "no percentage or interval for the inpatient phase (10 % a day); "
                "the outpatient strategy after discharge uses its defaults",
            )
        if request.then not in HAND_OVER_TO:
            raise InputError("then", request.then, " | ".join(HAND_OVER_TO))

    def parameters(self, request: PlanRequest) -> tuple[Parameter, ...]:
        return (
            shown(
                "stabilise",
                f"{self._stabilise(request)} days",
                STABILISE,
                request.stabilise_days is not None,
            ),
            shown("reduce", f"{DAILY.value} % of the stabilised dose a day", DAILY),
            shown(
                "discharge at",
                f"{self._discharge(request)} mg diazepam-eq/day or less",
                DISCHARGE,
                request.discharge_mg is not None,
            ),
            Parameter("then", request.then, "clinician"),
        )

    def propose(self, context: Context) -> Proposal:
        request = context.request
        if context.reductions == 0 and context.last_kind != "stabilise":
            return Proposal(
                context.current_total,
                self._stabilise(request),
                context.current_total,
                kind="stabilise",
                note="stabilise on the current dose (eTG: 2–7 days)",
            )
        if context.current_total <= self._discharge(request):
            return Proposal(
                context.current_total, 0, context.current_total, kind="handover", then=request.then
            )
        amount = context.start_total * DAILY.value / 100
        return Proposal(
            target_total=floor_to_microgram(
                max(context.current_total - amount, self._discharge(request))
            ),
            days=1,
            min_total=max(context.current_total - amount, Decimal(0)),
            note=f"inpatient: reduce {DAILY.value} % of the stabilised dose",
        )


STRATEGY = Inpatient()
