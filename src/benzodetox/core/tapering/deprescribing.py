"""deprescribing.org BZRA guideline (Pottie et al., Can Fam Physician 2018): reduce by about 25 %
every 2 weeks and, if possible, by 12.5 % near the end, with optional planned drug-free nights.

As in the trial schemes the guideline reviews (e.g. Vissers 2007: 25 % every 2 weeks, then
12.5 %), the percentages are of the dose at the start of the taper, so the steps are equal in mg:
100 → 75 → 50 → 25 → 12.5 → stop. Drug-free nights (Belleville 2007; Morin 2004) apply to the
12.5 % steps; how many nights a week is the clinician's choice (no source gives a number).
Figures: ``core/data/tapering.toml`` [deprescribing].
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..errors import InputError
from ..plan import PlanRequest
from ..units import floor_to_microgram
from .base import Context, Parameter, Proposal, interval_param, percent_param, shown
from .figures import figure

PERCENT = figure("deprescribing", "percent")
INTERVAL = figure("deprescribing", "interval_days")
END_PHASE = figure("deprescribing", "end_phase_share")


@dataclass(frozen=True)
class Deprescribing:
    name: str = "deprescribing"
    source: str = PERCENT.source
    ceiling: str = "per step at most the chosen % (default 25 %) of the starting dose [pottie-2018]"

    def _percent(self, request: PlanRequest) -> Decimal:
        return percent_param(
            request,
            PERCENT,
            "5 to 25 % of the starting dose a step (deprescribing.org: about 25 %)",
        )

    def _interval(self, request: PlanRequest) -> int:
        return interval_param(request, INTERVAL, "7 to 42 days (deprescribing.org: every 2 weeks)")

    def check(self, request: PlanRequest) -> None:
        self._percent(request)
        self._interval(request)
        if not 0 <= request.drug_free_nights <= 6:
            raise InputError("drug_free_nights", request.drug_free_nights, "0 to 6 nights a week")

    def parameters(self, request: PlanRequest) -> tuple[Parameter, ...]:
        percent = self._percent(request)
        params: tuple[Parameter, ...] = (
            shown(
                "percent",
                f"{percent} % of the starting dose, then {percent / 2} % near the end",
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

    def propose(self, context: Context) -> Proposal:
        request = context.request
        start = context.start_total
        percent = self._percent(request)
        end_phase = context.current_total <= start * END_PHASE.value
        share = percent / 2 if end_phase else percent
        amount = start * share / 100
        if context.current_total <= start * percent / 200:
            return Proposal(Decimal(0), 1, Decimal(0), stop=True)
        return Proposal(
            target_total=floor_to_microgram(max(context.current_total - amount, Decimal(0))),
            days=self._interval(request),
            min_total=max(context.current_total - amount, Decimal(0)),
            note=f"reduce {share} % of the starting dose",
            drug_free_nights=request.drug_free_nights if end_phase else 0,
        )


STRATEGY = Deprescribing()
