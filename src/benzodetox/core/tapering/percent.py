"""The shape ASAM 2025 and hyperbolic tapering share: each step removes a percentage of the
current (most recent) dose, so the mg steps shrink as the dose falls; the plan stops from a
final dose; no step may take more than 25 % of the dose within any 2 weeks.

A step's range runs from half the chosen percentage to the chosen percentage (at ASAM's
default of 10 % that is Rec 6's own 5–10 %); the engine picks the most practical dose in it.
The two strategies differ only in their figures (``core/data/tapering.toml`` [asam] and
[hyperbolic]) and in that ASAM 2025 allows a larger step when the clinician records an override
reason.
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
from .figures import Figure, figure

__all__ = ["PercentOfCurrentDose"]

RANGE_SHARE = figure("choice", "step_range_share")


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

    def percent(self, request: PlanRequest) -> Decimal:
        """The percentage a step aims to cut: the clinician's, or the default."""
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

    def final_ug(self, request: PlanRequest) -> int:
        return ug(self._final(request))

    def check(self, request: PlanRequest) -> None:
        percent = self.percent(request)
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
        percent = self.percent(request)
        low = percent * RANGE_SHARE.value
        return (
            shown(
                "percent",
                f"{plain(low)}–{plain(percent)} % of the current dose a step",
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

    def start(self, request: PlanRequest) -> _Steps:
        percent = self.percent(request)
        low = percent * RANGE_SHARE.value
        override = bool(request.override_reason)
        return _Steps(
            final=self.final_ug(request),
            aim=keep(percent),
            least=keep(low),
            hard=keep(self._figure("ceiling_percent").value),
            override=override,
            days=self._interval(request),
            max_days=int(self._figure("interval_days").max or 84),
            note=f"{self.name}: {plain(low)}–{plain(percent)} % of the current dose",
            span=f"{plain(low)}–{plain(percent)} %",
        )


@dataclass(frozen=True, slots=True)
class _Steps:
    final: int
    aim: tuple[int, int]
    least: tuple[int, int]
    hard: tuple[int, int]
    override: bool
    days: int
    max_days: int
    note: str
    span: str

    def propose(self, context: Context) -> Proposal:
        current = context.current_total
        if current <= self.final:
            return Proposal(0, 0, 0, 1, stop=True, final=self.final)
        target = current * self.aim[0] // self.aim[1]
        return Proposal(
            target=target,
            lo=target,
            hi=current * self.least[0] // self.least[1],
            days=self.days,
            floor=0 if self.override else at_least(current, self.hard),
            window=not self.override,
            final=self.final,
            note=self.note,
            span=self.span,
            max_days=self.max_days,
        )
