"""Hyperbolic tapering (Maudsley Deprescribing Guidelines 2024; Horowitz & Taylor 2019): each
step removes a fixed percentage of the most recent dose, so the mg steps shrink as the dose
falls, continuing with liquid or small-strength products to a small final dose, then stopping.

The default step sits inside Maudsley's "approximately 20 % (or less)" for low-risk patients;
the interval and the final dose are not given by a confirmed source (drugs.md §4.2), so they
are labelled defaults the clinician can change. The ASAM 2025 ceiling (25 % within 2 weeks) is
kept as the hard limit. Figures: ``core/data/tapering.toml`` [hyperbolic].
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..plan import PlanRequest
from ..units import floor_to_microgram
from .base import Context, Parameter, Proposal, interval_param, percent_param, shown, window_floor
from .figures import figure

PERCENT = figure("hyperbolic", "percent")
INTERVAL = figure("hyperbolic", "interval_days")
FINAL_DOSE = figure("hyperbolic", "final_dose_mg")
CEILING = figure("hyperbolic", "ceiling_percent")


@dataclass(frozen=True)
class Hyperbolic:
    name: str = "hyperbolic"
    source: str = PERCENT.source
    ceiling: str = "never more than 25 % of the dose within any 2 weeks [jcpg-2025 Rec 6]"

    def _percent(self, request: PlanRequest) -> Decimal:
        return percent_param(
            request, PERCENT, "0.5 to 25 % of the most recent dose (Maudsley: about 20 % or less)"
        )

    def _interval(self, request: PlanRequest) -> int:
        return interval_param(request, INTERVAL, "7 to 84 days")

    def _final(self, request: PlanRequest) -> Decimal:
        return FINAL_DOSE.value if request.final_dose_mg is None else request.final_dose_mg

    def check(self, request: PlanRequest) -> None:
        self._percent(request)
        self._interval(request)

    def parameters(self, request: PlanRequest) -> tuple[Parameter, ...]:
        return (
            shown(
                "percent",
                f"{self._percent(request)} % of the most recent dose",
                PERCENT,
                request.percent is not None,
            ),
            shown(
                "every",
                f"{self._interval(request)} days",
                INTERVAL,
                request.interval_days is not None,
            ),
            shown(
                "final dose",
                f"{self._final(request)} mg diazepam-eq/day",
                FINAL_DOSE,
                request.final_dose_mg is not None,
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
