"""ASAM 2025 (Joint Clinical Practice Guideline on Benzodiazepine Tapering, Rec 6): reduce 5–10 %
of the current dose every 2–4 weeks; typically not more than 25 % every 2 weeks.

The 25 %-in-any-2-weeks ceiling is enforced: a step the products would push beyond it is made
gentler, and a plan that cannot keep to it is refused unless the clinician records an override.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..errors import InputError
from ..plan import PlanRequest
from ..units import floor_to_microgram
from .base import (
    DEFAULT_FINAL_DOSE_MG,
    DEFAULT_FINAL_DOSE_SOURCE,
    Context,
    Parameter,
    Proposal,
    interval_param,
    percent_param,
    window_floor,
)

SOURCE = "jcpg-2025"
DEFAULT_PERCENT = Decimal(10)  # Rec 6: 5–10 %
DEFAULT_INTERVAL_DAYS = 14  # key takeaway: every 2–4 weeks
CEILING = Decimal("0.25")  # Rec 6: typically not more than 25 % every 2 weeks


@dataclass(frozen=True)
class Asam:
    name: str = "asam"
    source: str = SOURCE
    ceiling: str = "never more than 25 % of the dose within any 2 weeks [jcpg-2025 Rec 6]"

    def _percent(self, request: PlanRequest) -> Decimal:
        limit = Decimal(100) if request.override_reason else Decimal(25)
        return percent_param(
            request,
            DEFAULT_PERCENT,
            Decimal("0.5"),
            limit,
            "0.5 to 25 % a step (ASAM 2025: 5–10 %; more needs an override reason)",
        )

    def _interval(self, request: PlanRequest) -> int:
        return interval_param(request, DEFAULT_INTERVAL_DAYS, 7, 84, "7 to 84 days")

    def check(self, request: PlanRequest) -> None:
        percent = self._percent(request)
        interval = self._interval(request)
        # Two steps inside 2 weeks must together stay within 25 %.
        if not request.override_reason and interval < 14:
            combined = 1 - (1 - percent / 100) ** 2
            if combined > CEILING:
                raise InputError(
                    "percent",
                    request.percent,
                    f"at most 13.3 % a step when reducing every {interval} days "
                    "(ASAM 2025: no more than 25 % in 2 weeks)",
                    hint="or record an override reason",
                )
        final_dose(request)

    def parameters(self, request: PlanRequest) -> tuple[Parameter, ...]:
        final, final_source = final_dose(request)
        return (
            Parameter(
                "percent",
                f"{self._percent(request)} % of the current dose",
                SOURCE,
                note="ASAM 2025 Rec 6: 5–10 %",
            ),
            Parameter(
                "every",
                f"{self._interval(request)} days",
                SOURCE,
                note="ASAM 2025: every 2–4 weeks",
            ),
            Parameter(
                "final dose",
                f"{final} mg diazepam-eq/day",
                final_source,
                note="stop from this dose or below",
            ),
        )

    def propose(self, context: Context) -> Proposal:
        request = context.request
        final, _ = final_dose(request)
        if context.current_total <= final:
            return Proposal(Decimal(0), 1, Decimal(0), stop=True)
        percent = self._percent(request)
        target = floor_to_microgram(context.current_total * (1 - percent / 100))
        floor = Decimal(0) if request.override_reason else window_floor(context, CEILING)
        return Proposal(
            target_total=target,
            days=self._interval(request),
            min_total=floor,
            note=f"reduce {percent} % of the current dose",
        )


def final_dose(request: PlanRequest) -> tuple[Decimal, str]:
    if request.final_dose_mg is not None:
        return request.final_dose_mg, "clinician"
    return DEFAULT_FINAL_DOSE_MG, DEFAULT_FINAL_DOSE_SOURCE


STRATEGY = Asam()
