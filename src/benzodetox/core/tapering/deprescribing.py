"""deprescribing.org BZRA guideline (Pottie et al., Can Fam Physician 2018): reduce by about 25 %
every 2 weeks and, if possible, by 12.5 % near the end, with optional planned drug-free nights.

The percentages are of the current dose (so the mg steps shrink as the dose falls and the plan
never ends in a near-total cut); "near the end" is from a quarter of the starting dose. Each
step may cut from half the chosen share to the chosen share; where the products force a larger
step, no step before the stop removes more than half the dose, and the plan stops from 1 mg
diazepam-eq or below (no pseudo-step below it). Drug-free nights (Belleville 2007; Morin 2004)
apply to the end-phase steps; how many nights a week is the clinician's choice (no source gives
a number). Figures: ``core/data/tapering.toml`` [deprescribing].
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..errors import InputError
from ..plan import PlanRequest
from .base import (
    Context,
    Parameter,
    Proposal,
    at_least,
    interval_param,
    keep,
    percent_param,
    plain,
    shown,
    ug,
)
from .figures import figure

PERCENT = figure("deprescribing", "percent")
INTERVAL = figure("deprescribing", "interval_days")
END_PHASE = figure("deprescribing", "end_phase_share")
STEP_MAX = figure("deprescribing", "step_max_percent")
FINAL = figure("deprescribing", "final_dose_mg")
RANGE_SHARE = figure("choice", "step_range_share")


@dataclass(frozen=True)
class Deprescribing:
    name: str = "deprescribing"
    source: str = PERCENT.source
    ceiling: str = (
        "per step the chosen % (default 25 %) of the current dose, 12.5 % near the end "
        "[pottie-2018]; never more than half the dose before the stop"
    )

    def percent(self, request: PlanRequest) -> Decimal:
        """The percentage a step aims to cut: the clinician's, or the default."""
        return percent_param(
            request,
            PERCENT,
            "5 to 25 % of the current dose a step (deprescribing.org: about 25 %)",
        )

    def _interval(self, request: PlanRequest) -> int:
        return interval_param(request, INTERVAL, "7 to 42 days (deprescribing.org: every 2 weeks)")

    def final_ug(self, request: PlanRequest) -> int:
        return ug(FINAL.value if request.final_dose_mg is None else request.final_dose_mg)

    def check(self, request: PlanRequest) -> None:
        self.percent(request)
        self._interval(request)
        if not 0 <= request.drug_free_nights <= 6:
            raise InputError("drug_free_nights", request.drug_free_nights, "0 to 6 nights a week")

    def parameters(self, request: PlanRequest) -> tuple[Parameter, ...]:
        percent = self.percent(request)
        params: tuple[Parameter, ...] = (
            shown(
                "percent",
                f"{percent} % of the current dose, then {percent / 2} % near the end",
                PERCENT,
                request.percent is not None,
            ),
            shown(
                "every",
                f"{self._interval(request)} days",
                INTERVAL,
                request.interval_days is not None,
            ),
        )
        if request.drug_free_nights:
            params += (
                Parameter(
                    "drug-free nights",
                    f"{request.drug_free_nights} a week in the last steps",
                    "clinician",
                ),
            )
        return params

    def start(self, request: PlanRequest) -> _Steps:
        percent = self.percent(request)
        late = percent / 2

        def phase(step: Decimal, end: bool) -> tuple[tuple[int, int], tuple[int, int], str, str]:
            low = step * RANGE_SHARE.value
            text = f"deprescribing: {plain(low)}–{plain(step)} % of the current dose"
            return keep(step), keep(low), text + (" (near the end)" if end else ""), (
                f"{plain(low)}–{plain(step)} %"
            )

        return _Steps(
            final=self.final_ug(request),
            early=phase(percent, False),
            late=phase(late, True),
            end_share=keep(100 - END_PHASE.value * 100),
            hard=keep(STEP_MAX.value),
            days=self._interval(request),
            max_days=int(INTERVAL.max or 42),
            nights=request.drug_free_nights,
        )


@dataclass(frozen=True, slots=True)
class _Steps:
    final: int
    early: tuple[tuple[int, int], tuple[int, int], str, str]
    late: tuple[tuple[int, int], tuple[int, int], str, str]
    end_share: tuple[int, int]
    hard: tuple[int, int]
    days: int
    max_days: int
    nights: int

    def propose(self, context: Context) -> Proposal:
        current = context.current_total
        if current <= self.final:
            return Proposal(0, 0, 0, 1, stop=True, final=self.final)
        end_phase = current * self.end_share[1] <= context.start_total * self.end_share[0]
        aim, least, note, span = self.late if end_phase else self.early
        target = current * aim[0] // aim[1]
        return Proposal(
            target=target,
            lo=target,
            hi=current * least[0] // least[1],
            days=self.days,
            floor=at_least(current, self.hard),
            final=self.final,
            note=note,
            span=span,
            max_days=self.max_days,
            drug_free_nights=self.nights if end_phase else 0,
        )


STRATEGY = Deprescribing()
