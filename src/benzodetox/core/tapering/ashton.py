"""Ashton / NICE CKS diazepam schedule (NICE CKS Benzodiazepine and z-drug withdrawal, as
reproduced [V2]; Ashton Manual 2002): from up to 40 mg diazepam a day, reduce by

- 2 to 4 mg every 1–2 weeks down to 20 mg;
- 1 to 2 mg every 1–2 weeks down to 10 mg;
- 1 mg every 1–2 weeks down to 5 mg;
- 0.5 to 1 mg every 1–2 weeks to zero.

Amounts are diazepam-equivalent mg. By default the smaller amount of each band, every week
(40 mg then takes about 35 weeks; CKS estimates 30–60 weeks). The ceiling is each band's larger
amount per step.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..plan import PlanRequest
from .base import Context, Parameter, Proposal, interval_param, no_percent

SOURCE = "nice-cks"
DEFAULT_INTERVAL_DAYS = 7

#: (band floor, smaller cut, larger cut) in diazepam-eq mg/day, highest band first.
BANDS: tuple[tuple[Decimal, Decimal, Decimal], ...] = (
    (Decimal(20), Decimal(2), Decimal(4)),
    (Decimal(10), Decimal(1), Decimal(2)),
    (Decimal(5), Decimal(1), Decimal(1)),
    (Decimal(0), Decimal("0.5"), Decimal(1)),
)


def band_for(total: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    for band in BANDS:
        if total > band[0]:
            return band
    return BANDS[-1]


@dataclass(frozen=True)
class Ashton:
    name: str = "ashton"
    source: str = SOURCE
    ceiling: str = (
        "per step at most 4 mg above 20 mg, 2 mg from 20 to 10 mg, 1 mg below 10 mg "
        "(diazepam-eq) [nice-cks]"
    )

    def _interval(self, request: PlanRequest) -> int:
        return interval_param(
            request, DEFAULT_INTERVAL_DAYS, 7, 28, "7 to 28 days (CKS: every 1–2 weeks)"
        )

    def check(self, request: PlanRequest) -> None:
        no_percent(request, "ashton")
        self._interval(request)

    def parameters(self, request: PlanRequest) -> tuple[Parameter, ...]:
        return (
            Parameter(
                "steps",
                "−2 mg to 20, −1 mg to 5, −0.5 mg to 0 (diazepam-eq)",
                SOURCE,
                confirmed=False,
                note="NICE CKS as reproduced [V2]; smaller end of each band",
            ),
            Parameter(
                "every",
                f"{self._interval(request)} days",
                SOURCE,
                confirmed=False,
                note="CKS: every 1–2 weeks",
            ),
        )

    def propose(self, context: Context) -> Proposal:
        current = context.current_total
        floor, small, large = band_for(current)
        target = max(current - small, floor) if floor > 0 else max(current - small, Decimal(0))
        return Proposal(
            target_total=target,
            days=self._interval(context.request),
            min_total=max(current - large, Decimal(0)),
            note=f"reduce {small} mg diazepam-eq (band above {floor} mg)",
            stop=False,
        )


STRATEGY = Ashton()
