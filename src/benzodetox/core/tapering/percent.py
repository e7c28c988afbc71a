"""The shape ASAM 2025 and hyperbolic tapering share: each step removes a fixed percentage of
the current (most recent) dose, so the mg steps shrink as the dose falls; the plan stops from a
final dose; no step may take more than the ceiling's share of the dose within its window.

The two differ only in their figures (``core/data/tapering.toml`` [asam] and [hyperbolic]) and
in that ASAM 2025 allows a larger step when the clinician records an override reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..errors import InputError
from ..plan import PlanRequest
from ..units import floor_to_microgram
from .base import Context, Parameter, Proposal, interval_param, percent_param, shown, window_floor
from .figures import Figure, figure

__all__ = ["PercentOfCurrentDose"]


@dataclass(frozen=True)
class PercentOfCurrentDose:
    name: str
    ceiling: str
    percent_allowed: str  # the allowed range in words, for the error message
    override_allows_more: bool = False

    @property
    def source(self) -> str:
        return self._figure("percent").source

    def _figure(self, name: str) -> Figure:
        return figure(self.name, name)

    def _percent(self, request: PlanRequest) -> Decimal:
        more = self.override_allows_more and bool(request.override_reason)
        return percent_param(
            request,
            self._figure("percent"),
            self.percent_allowed,
            most=Decimal(100) if more else None,
        )

    def _interval(self, request: PlanRequest) -> int:
        return interval_param(request, self._figure("interval_days"), "7 to 84 days")

    def _final(self, request: PlanRequest) -> Decimal:
        default = self._figure("final_dose_mg").value
        return default if request.final_dose_mg is None else request.final_dose_mg

    def check(self, request: PlanRequest) -> None:
        percent = self._percent(request)
        interval = self._interval(request)
        ceiling = self._figure("ceiling_percent")
        if not request.override_reason and interval < (ceiling.window_days or 14):
            # Two steps inside the window must together stay within the ceiling.
            combined = 1 - (1 - percent / 100) ** 2
            if combined * 100 > ceiling.value:
                raise InputError(
                    "percent",
                    request.percent,
                    f"at most 13.3 % a step when reducing every {interval} days "
                    "(ASAM 2025: no more than 25 % in 2 weeks)",
                    hint="or record an override reason",
                )

    def parameters(self, request: PlanRequest) -> tuple[Parameter, ...]:
        return (
            shown(
                "percent",
                f"{self._percent(request)} % of the current dose",
                self._figure("percent"),
                request.percent is not None,
            ),
            shown(
                "every",
                f"{self._interval(request)} days",
                self._figure("interval_days"),
                request.interval_days is not None,
            ),
            shown(
                "final dose",
                f"{self._final(request)} mg diazepam-eq/day",
                self._figure("final_dose_mg"),
                request.final_dose_mg is not None,
            ),
        )

    def propose(self, context: Context) -> Proposal:
        request = context.request
        if context.current_total <= self._final(request):
            return Proposal(Decimal(0), 1, Decimal(0), stop=True)
        percent = self._percent(request)
        ceiling = self._figure("ceiling_percent")
        return Proposal(
            target_total=floor_to_microgram(context.current_total * (1 - percent / 100)),
            days=self._interval(request),
            min_total=Decimal(0) if request.override_reason else window_floor(context, ceiling),
            note=f"reduce {percent} % of the current dose",
        )
