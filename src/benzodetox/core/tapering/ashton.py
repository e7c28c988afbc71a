"""Ashton / NICE CKS diazepam schedule (NICE CKS Benzodiazepine and z-drug withdrawal, as
reproduced [V2]; Ashton Manual 2002): from up to 40 mg diazepam a day, reduce by

- 2 to 4 mg every 1–2 weeks down to 20 mg;
- 1 to 2 mg every 1–2 weeks down to 10 mg;
- 1 mg every 1–2 weeks down to 5 mg;
- 0.5 to 1 mg every 1–2 weeks to zero.

Amounts are diazepam-equivalent mg. By default the smaller amount of each band, every week
(40 mg then takes about 35 weeks; CKS estimates 30–60 weeks). The ceiling is each band's larger
amount per step. Figures: ``core/data/tapering.toml`` [ashton].
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..plan import PlanRequest
from .base import Context, Parameter, Proposal, interval_param, no_percent, shown
from .figures import Band, ashton_bands, figure

INTERVAL = figure("ashton", "interval_days")
BANDS = ashton_bands()


def band_for(total: Decimal) -> Band:
    """The band a daily total is in (the lowest band for 0)."""
    return next((band for band in BANDS if total > band.down_to), BANDS[-1])


@dataclass(frozen=True)
class Ashton:
    name: str = "ashton"
    source: str = INTERVAL.source
    ceiling: str = (
        "per step at most 4 mg above 20 mg, 2 mg from 20 to 10 mg, 1 mg below 10 mg "
        "(diazepam-eq) [nice-cks]"
    )

    def _interval(self, request: PlanRequest) -> int:
        return interval_param(request, INTERVAL, "7 to 28 days (CKS: every 1–2 weeks)")

    def check(self, request: PlanRequest) -> None:
        no_percent(request, "ashton")
        self._interval(request)

    def parameters(self, request: PlanRequest) -> tuple[Parameter, ...]:
        steps = ", ".join(f"−{b.small} mg to {b.down_to}" for b in BANDS)
        return (
            Parameter(
                "steps",
                f"{steps} (diazepam-eq)",
                INTERVAL.source,
                confirmed=False,
                note="NICE CKS as reproduced [V2]; the smaller cut of each band",
            ),
            shown(
                "every",
                f"{self._interval(request)} days",
                INTERVAL,
                request.interval_days is not None,
            ),
        )

    def propose(self, context: Context) -> Proposal:
        current = context.current_total
        band = band_for(current)
        return Proposal(
            target_total=max(current - band.small, band.down_to),
            days=self._interval(context.request),
            min_total=max(current - band.large, Decimal(0)),
            note=f"reduce {band.small} mg diazepam-eq (band above {band.down_to} mg)",
        )


STRATEGY = Ashton()
