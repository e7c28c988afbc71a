"""Inpatient stabilise-then-reduce (Australian eTG, as summarised in guidelines.md §3.3 [V]):
stabilise over 2–7 days, reduce 10 % of the stabilised daily diazepam-eq dose a day, discharge
generally only at 20 mg/day or less, then a slower community taper (another strategy).

Each day's step may cut from half of that amount to all of it; where the products force a
larger step, the step lasts proportionally longer (never more than 25 % of the dose at once).
Figures: ``core/data/tapering.toml`` [inpatient].
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..errors import InputError
from ..plan import PlanRequest
from .base import Context, Parameter, Proposal, at_least, keep, plain, shown, ug
from .figures import figure

STABILISE = figure("inpatient", "stabilise_days")
DAILY = figure("inpatient", "daily_percent")
DISCHARGE = figure("inpatient", "discharge_mg")
CEILING = figure("asam", "ceiling_percent")
RANGE_SHARE = figure("choice", "step_range_share")
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

    def final_ug(self, request: PlanRequest) -> int:
        return 0

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

    def start(self, request: PlanRequest) -> _Steps:
        low = DAILY.value * RANGE_SHARE.value
        return _Steps(
            stabilise=self._stabilise(request),
            discharge=ug(self._discharge(request)),
            then=request.then,
            daily=keep(100 - DAILY.value),
            least=keep(100 - low),
            hard=keep(CEILING.value),
            span=f"{plain(low)}–{plain(DAILY.value)} % of the stabilised dose",
        )


@dataclass(frozen=True, slots=True)
class _Steps:
    stabilise: int
    discharge: int
    then: str
    daily: tuple[int, int]  # the share of the stabilised dose a day's step cuts
    least: tuple[int, int]
    hard: tuple[int, int]
    span: str

    def propose(self, context: Context) -> Proposal:
        current = context.current_total
        if context.reductions == 0 and context.last_kind != "stabilise":
            return Proposal(
                current,
                current,
                current,
                self.stabilise,
                kind="stabilise",
                note="stabilise on the current dose (eTG: 2–7 days)",
            )
        if current <= self.discharge:
            return Proposal(current, current, current, 0, kind="handover", then=self.then)
        amount = context.start_total * self.daily[0] // self.daily[1]
        least = context.start_total * self.least[0] // self.least[1]
        target = max(current - amount, self.discharge)
        return Proposal(
            target=target,
            lo=target,
            hi=max(current - least, self.discharge),
            days=1,
            floor=max(at_least(current, self.hard), self.discharge),
            note=f"inpatient: {plain(DAILY.value)} % of the stabilised dose a day",
            span=self.span,
            max_days=7,
        )


STRATEGY = Inpatient()
