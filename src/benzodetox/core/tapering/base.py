"""Shared pieces of the taper strategies: the dose state, strategy protocol and parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Protocol

from ..catalogue import Product, catalogue
from ..errors import InputError, PlanError
from ..plan import PlanRequest
from ..units import floor_to_microgram
from .figures import Figure

__all__ = [
    "Context",
    "Equivalents",
    "Parameter",
    "Proposal",
    "Slot",
    "Strategy",
    "percent_of",
    "shown",
    "window_floor",
]

TEN = Decimal(10)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Slot:
    """One dose time in the current state of a taper: ``mg`` of ``drug`` at ``time``.

    ``target_mg`` is what the step aimed for (``mg`` is what can be given, never more).
    """

    time: time
    drug: str
    mg: Decimal
    target_mg: Decimal

    def at(self, mg: Decimal, target_mg: Decimal | None = None) -> Slot:
        return Slot(self.time, self.drug, mg, mg if target_mg is None else target_mg)


@dataclass(frozen=True)
class Parameter:
    """A strategy parameter as the plan shows it: its value, where it comes from, and whether
    that source confirms it."""

    name: str
    value: str
    source: str
    confirmed: bool = True
    note: str = ""

    def shown(self) -> str:
        text = f"{self.name} = {self.value} [{self.source}]"
        if not self.confirmed:
            text += " (unconfirmed default)"
        if self.note:
            text += f" — {self.note}"
        return text


@dataclass(frozen=True)
class Context:
    """What a strategy sees when it proposes the next step."""

    request: PlanRequest
    day: date
    start_total: Decimal  # diazepam-eq/day when reductions began
    current_total: Decimal
    reductions: int  # reduction steps made so far
    history: tuple[tuple[date, Decimal], ...]  # (first day, diazepam-eq/day), oldest first
    last_kind: str  # kind of the previous step ("" before the first)
    working_drug: str | None  # the one drug still taken, or None when several
    equivalents: Equivalents

    def total_on(self, day: date) -> Decimal:
        """Diazepam-eq/day in effect on ``day`` (the baseline before the first entry)."""
        total = self.history[0][1]
        for start, value in self.history:
            if start <= day:
                total = value
            else:
                break
        return total


@dataclass(frozen=True)
class Proposal:
    """The next step a strategy asks for, in diazepam-eq/day.

    ``min_total`` is the strategy's ceiling expressed as the lowest total this step may reach;
    the engine never goes below it without a recorded override. ``stop`` asks to stop from here.
    """

    target_total: Decimal
    days: int
    min_total: Decimal
    kind: str = "reduction"
    note: str = ""
    stop: bool = False
    drug_free_nights: int = 0
    then: str = ""  # hand over to another strategy from the next step (inpatient)


class Strategy(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def source(self) -> str: ...

    @property
    def ceiling(self) -> str:
        """The strategy's ceiling in words, shown on the plan."""

    def check(self, request: PlanRequest) -> None:
        """Refuse parameters outside what the strategy allows (InputError naming the field)."""

    def parameters(self, request: PlanRequest) -> tuple[Parameter, ...]: ...

    def propose(self, context: Context) -> Proposal: ...


def percent_param(
    request: PlanRequest, fig: Figure, allowed: str, most: Decimal | None = None
) -> Decimal:
    """The request's percent (or the figure's default), refused outside the figure's range
    (or up to ``most`` where an override allows more) with ``allowed``."""
    value = fig.value if request.percent is None else request.percent
    lo = fig.min if fig.min is not None else Decimal(0)
    hi = most if most is not None else fig.max if fig.max is not None else Decimal(100)
    if not lo <= value <= hi:
        raise InputError("percent", request.percent, allowed)
    return value


def interval_param(request: PlanRequest, fig: Figure, allowed: str) -> int:
    value = fig.days if request.interval_days is None else request.interval_days
    lo = int(fig.min) if fig.min is not None else 1
    hi = int(fig.max) if fig.max is not None else 365
    if not lo <= value <= hi:
        raise InputError("every", f"{request.interval_days} days", allowed)
    return value


def no_percent(request: PlanRequest, strategy: str) -> None:
    if request.percent is not None:
        raise InputError(
            "percent", request.percent, f"no percentage: {strategy} sets its own steps"
        )


def window_floor(context: Context, ceiling: Figure) -> Decimal:
    """The lowest daily total allowed on ``context.day`` if no more than ``ceiling`` % of the
    dose may go within any window of ``ceiling.window_days`` days: the dose in effect that many
    days earlier (doses only fall, so the highest in the window) less that share."""
    days = ceiling.window_days or 14
    earlier = context.total_on(context.day - timedelta(days=days))
    return earlier * (1 - ceiling.value / HUNDRED)


def shown(name: str, value: str, fig: Figure, chosen: bool = False) -> Parameter:
    """A parameter as the plan shows it: the clinician's value, or the default with its source
    (marked unconfirmed when no source confirms it)."""
    if chosen:
        return Parameter(name, value, "clinician", confirmed=True, note=fig.note)
    return Parameter(name, value, fig.source, confirmed=fig.confirmed, note=fig.note)


class Equivalents:
    """Diazepam equivalents under the plan's table, with per-drug figures looked up once."""

    def __init__(self, source: str, basis: str | None) -> None:
        from .. import equivalence

        self._equivalence = equivalence
        self.source = source
        self.basis = basis
        self._figure_mg: dict[str, Decimal] = {}

    def figure_mg(self, drug: str) -> Decimal:
        """mg of ``drug`` equivalent to diazepam 10 mg under the table (per the chosen basis)."""
        found = self._figure_mg.get(drug)
        if found is None:
            found = self._equivalence.figure_mg(drug, self.source, self.basis)
            self._figure_mg[drug] = found
        return found

    def dz(self, drug: str, mg: Decimal) -> Decimal:
        """Diazepam-eq mg of ``mg`` of ``drug``, floored to 1 µg."""
        if drug == "diazepam" or mg == 0:
            return mg
        return floor_to_microgram(mg * TEN / self.figure_mg(drug))

    def mg_for(self, drug: str, diazepam_mg: Decimal) -> Decimal:
        """mg of ``drug`` equivalent to ``diazepam_mg``, floored to 1 µg."""
        if drug == "diazepam" or diazepam_mg == 0:
            return diazepam_mg
        return floor_to_microgram(diazepam_mg * self.figure_mg(drug) / TEN)

    def total(self, slots: tuple[Slot, ...]) -> Decimal:
        return sum((self.dz(s.drug, s.mg) for s in slots), Decimal(0))


def products(drug: str, market: str, allow_liquid: bool) -> tuple[Product, ...]:
    """The market's products for ``drug``; refuses a drug the market has none of."""
    found = catalogue().products_for(drug, market)
    if not allow_liquid:
        found = tuple(p for p in found if not p.is_liquid)
    if not found:
        raise PlanError(
            "market",
            market,
            f"a market where {drug} products are listed",
            hint=f"no {drug} products in the {market} catalogue; switch to diazepam "
            "or choose another market",
        )
    return found


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a percentage of ``whole``, to 0.1 % (for display; 0 when whole is 0)."""
    if whole == 0:
        return Decimal(0)
    return (part * HUNDRED / whole).quantize(Decimal("0.1"))


def days_after(day: date, days: int) -> date:
    return day + timedelta(days=days)
