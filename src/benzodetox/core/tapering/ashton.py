"""Ashton / NICE CKS diazepam schedule (NICE CKS Benzodiazepine and z-drug withdrawal, as
reproduced [V2]; Ashton Manual 2002): from up to 40 mg diazepam a day, reduce by

- 2 to 4 mg every 1–2 weeks down to 20 mg;
- 1 to 2 mg every 1–2 weeks down to 10 mg;
- 1 mg every 1–2 weeks down to 5 mg;
- 0.5 to 1 mg every 1–2 weeks to zero.

Amounts are diazepam-equivalent mg. Each step's range is its band's (a step that would leave
its band takes the range of the band below), and the band's larger cut is the hard limit; the
engine picks the most practical dose in it, aiming for the band's smaller cut, every week by
default (CKS: 40 mg takes 30–60 weeks). At low doses these cuts exceed the ASAM 2025 ceiling
(25 % within 2 weeks) — the Manual's own ending is 3 → 2 → 1 mg → stop — and the plan says so in
its warnings. Figures: ``core/data/tapering.toml`` [ashton].
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..plan import PlanRequest
from .base import (
    Context,
    Parameter,
    Proposal,
    at_least,
    interval_param,
    keep,
    no_percent,
    plain,
    shown,
    ug,
)
from .figures import Band, ashton_bands, figure

INTERVAL = figure("ashton", "interval_days")
_KEEP = keep(figure("asam", "ceiling_percent").value)
FINAL = figure("ashton", "final_dose_mg")
BANDS = ashton_bands()


def band_for(total: Decimal) -> Band:
    """The band a daily total (mg) is in (the lowest band for 0)."""
    return next((band for band in BANDS if total > band.down_to), BANDS[-1])


def _span(band: Band) -> str:
    if band.small == band.large:
        return f"{plain(band.small)} mg"
    return f"{plain(band.small)}–{plain(band.large)} mg"


_BANDS_UG = tuple(
    (
        ug(b.down_to),
        ug(b.small),
        ug(b.large),
        f"ashton: {_span(b)} diazepam-eq (band above {plain(b.down_to)} mg)",
        _span(b),
    )
    for b in BANDS
)
_MAX_DAYS = int(INTERVAL.max or 28)


@dataclass(frozen=True)
class Ashton:
    name: str = "ashton"
    source: str = INTERVAL.source
    ceiling: str = (
        "per step at most 4 mg above 20 mg, 2 mg from 20 to 10 mg, 1 mg below 10 mg "
        "(diazepam-eq) [nice-cks]; steps beyond 25 % within 2 weeks [jcpg-2025 Rec 6] are "
        "listed in the plan's warnings"
    )

    def _interval(self, request: PlanRequest) -> int:
        return interval_param(request, INTERVAL, "7 to 28 days (CKS: every 1–2 weeks)")

    def final_ug(self, request: PlanRequest) -> int:
        return ug(FINAL.value if request.final_dose_mg is None else request.final_dose_mg)

    def check(self, request: PlanRequest) -> None:
        no_percent(request, "ashton")
        self._interval(request)

    def parameters(self, request: PlanRequest) -> tuple[Parameter, ...]:
        steps = ", ".join(f"−{b.small} to {b.large} mg to {b.down_to}" for b in BANDS)
        return (
            Parameter(
                "steps",
                f"{steps} (diazepam-eq)",
                INTERVAL.source,
                confirmed=False,
                note="NICE CKS as reproduced [V2]; aiming for the smaller cut of each band",
            ),
            shown(
                "every",
                f"{self._interval(request)} days",
                INTERVAL,
                request.interval_days is not None,
            ),
        )

    def start(self, request: PlanRequest) -> _Steps:
        return _Steps(self.final_ug(request), self._interval(request))


@dataclass(frozen=True, slots=True)
class _Steps:
    final: int
    days: int

    def propose(self, context: Context) -> Proposal:
        current = context.current_total
        if current <= self.final:
            return Proposal(0, 0, 0, 1, stop=True, final=self.final)
        at = next((n for n, b in enumerate(_BANDS_UG) if current > b[0]), len(_BANDS_UG) - 1)
        down_to, small, large, note, span = _BANDS_UG[at]
        if current - small < down_to and at + 1 < len(_BANDS_UG):
            # a step that would leave the band is a step of the band below
            down_to, small, large, note, span = _BANDS_UG[at + 1]
        target = current - small
        return Proposal(
            target=target,
            lo=max(current - large, 0),
            hi=target,
            days=self.days,
            # beyond the band only as a stated departure, and never beyond 25 % at once
            floor=min(max(current - large, 0), at_least(current, _KEEP)),
            final=self.final,
            note=note,
            span=span,
            max_days=_MAX_DAYS,
        )


STRATEGY = Ashton()
