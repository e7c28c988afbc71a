"""Hyperbolic tapering (Maudsley Deprescribing Guidelines 2024; Horowitz & Taylor 2019): each
step removes a fixed percentage of the most recent dose, so the mg steps shrink as the dose
falls, continuing with liquid or small-strength products to a small final dose, then stopping.

The default step (10 %) sits inside Maudsley's "approximately 20 % (or less)" for low-risk
patients [V]; the interval (2 weeks) and the final dose are not given by a confirmed source
(drugs.md §4.2 gaps), so they are labelled defaults the clinician can change. The ASAM 2025
ceiling (25 % within 2 weeks) is kept as the hard limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..plan import PlanRequest
from ..units import floor_to_microgram
from .base import Context, Parameter, Proposal, interval_param, percent_param, window_floor

SOURCE = "maudsley-2024"
DEFAULT_PERCENT = Decimal(10)
DEFAULT_INTERVAL_DAYS = 14  # "usually 2–4 weeks" is unconfirmed [R]
#: No source gives the final dose before stopping (drugs.md §4.2); drugs.md §4.3 illustrates
#: 10 % steps from 20 mg "to fall below 0.5 mg" [C]. A labelled default.
DEFAULT_FINAL_DOSE_MG = Decimal("0.5")
CEILING = Decimal("0.25")


@dataclass(frozen=True)
class Hyperbolic:
    name: str = "hyperbolic"
    source: str = SOURCE
    ceiling: str = "never more than 25 % of the dose within any 2 weeks [jcpg-2025 Rec 6]"

    def _percent(self, request: PlanRequest) -> Decimal:
        return percent_param(
            request,
            DEFAULT_PERCENT,
            Decimal("0.5"),
            Decimal(25),
            "0.5 to 25 % of the most recent dose (Maudsley: about 20 % or less)",
        )

    def _interval(self, request: PlanRequest) -> int:
        return interval_param(request, DEFAULT_INTERVAL_DAYS, 7, 84, "7 to 84 days")

    def _final(self, request: PlanRequest) -> Decimal:
        return DEFAULT_FINAL_DOSE_MG if request.final_dose_mg is None else request.final_dose_mg

    def check(self, request: PlanRequest) -> None:
        self._percent(request)
        self._interval(request)

    def parameters(self, request: PlanRequest) -> tuple[Parameter, ...]:
        return (
            Parameter(
                "percent",
                f"{self._percent(request)} % of the most recent dose",
                SOURCE,
                note="Maudsley: about 20 % or less for low-risk patients",
            ),
            Parameter(
                "every",
                f"{self._interval(request)} days",
                SOURCE,
                confirmed=request.interval_days is not None,
                note="2–4 weeks is unconfirmed",
            ),
            Parameter(
                "final dose",
                f"{self._final(request)} mg diazepam-eq/day",
                "benzodetox-hyperbolic-final-dose"
                if request.final_dose_mg is None
                else "clinician",
                confirmed=request.final_dose_mg is not None,
                note="no source gives Maudsley's final dose",
            ),
        )

    def propose(self, context: Context) -> Proposal:
        request = context.request
        if context.current_total <= self._final(request):
            return Proposal(Decimal(0), 1, Decimal(0), stop=True)
        percent = self._percent(request)
        return Proposal(
            target_total=floor_to_microgram(context.current_total * (1 - percent / 100)),
            days=self._interval(request),
            min_total=Decimal(0) if request.override_reason else window_floor(context, CEILING),
            note=f"reduce {percent} % of the most recent dose",
        )


STRATEGY = Hyperbolic()
