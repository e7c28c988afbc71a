"""ASAM 2025 (Joint Clinical Practice Guideline on Benzodiazepine Tapering, Rec 6): reduce 5–10 %
of the current dose every 2–4 weeks; typically not more than 25 % every 2 weeks.

The 25 %-in-any-2-weeks ceiling is enforced: a step the products would push beyond it is made
gentler, and a plan that cannot keep to it is refused unless the clinician records an override.
Figures: ``core/data/tapering.toml`` [asam].
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..errors import InputError
from ..plan import PlanRequest
from ..units import floor_to_microgram
from .base import Context, Parameter, Proposal, interval_param, percent_param, shown, window_floor
from .figures import figure

PERCENT = figure("asam", "percent")
INTERVAL = figure("asam", "interval_days")
CEILING = figure("asam", "ceiling_percent")
FINAL_DOSE = figure("asam", "final_dose_mg")


@dataclass(frozen=True)
class Asam:
    name: str = "asam"
    source: str = PERCENT.source
    ceiling: str = "never more than 25 % of the dose within any 2 weeks [jcpg-2025 Rec 6]"

    def _percent(self, request: PlanRequest) -> Decimal:
        return percent_param(
            request,
            PERCENT,
            "0.5 to 25 % a step (ASAM 2025: 5–10 %; more needs an override reason)",
            most=Decimal(100) if request.override_reason else None,
        )

    def _interval(self, request: PlanRequest) -> int:
        return interval_param(request, INTERVAL, "7 to 84 days")

    def check(self, request: PlanRequest) -> None:
        percent = self._percent(request)
        interval = self._interval(request)
        window = CEILING.window_days or 14
        if not request.override_reason and interval < window:
            # Two steps inside the window must together stay within the ceiling.
            combined = 1 - (1 - percent / 100) ** 2
            if combined * 100 > CEILING.value:
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
                f"{final_dose(request)} mg diazepam-eq/day",
                FINAL_DOSE,
                request.final_dose_mg is not None,
            ),
        )

    def propose(self, context: Context) -> Proposal:
        request = context.request
        if context.current_total <= final_dose(request):
            return Proposal(Decimal(0), 1, Decimal(0), stop=True)
        percent = self._percent(request)
        return Proposal(
            target_total=floor_to_microgram(context.current_total * (1 - percent / 100)),
            days=self._interval(request),
            min_total=Decimal(0) if request.override_reason else window_floor(context, CEILING),
            note=f"reduce {percent} % of the current dose",
        )


def final_dose(request: PlanRequest) -> Decimal:
    return FINAL_DOSE.value if request.final_dose_mg is None else request.final_dose_mg


STRATEGY = Asam()
