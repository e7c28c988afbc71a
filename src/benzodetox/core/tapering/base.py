"""Shared pieces of the taper strategies: the dose state, what a strategy proposes, parameters.

Inside the engine every amount is a whole number of micrograms (``int``): doses of a drug in
µg of that drug, daily totals in µg of diazepam equivalent. Exact, and fast; ``Decimal`` mg are
made only for what a person reads (the plan's steps).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple, Protocol

from ..catalogue import Product, catalogue
from ..errors import InputError
from ..plan import PlanRequest
from .figures import Figure

__all__ = [
    "Context",
    "Equivalents",
    "Parameter",
    "Proposal",
    "Slot",
    "Stepper",
    "Strategy",
    "mg",
    "percent_of",
    "shown",
    "ug",
]

HUNDRED = Decimal(100)
_THOUSAND = Decimal(1000)


def ug(mg_value: Decimal) -> int:
    """``mg_value`` as whole micrograms, rounded down (doses are never rounded up)."""
    return int((mg_value * _THOUSAND).to_integral_value(rounding="ROUND_FLOOR"))


@lru_cache(maxsize=65536)
def mg(ug_value: int) -> Decimal:
    """Whole micrograms as exact mg, without trailing zeros (7500 → 7.5)."""
    if ug_value % 1000 == 0:
        return Decimal(ug_value // 1000)
    return (Decimal(ug_value) / _THOUSAND).normalize()


class Slot(NamedTuple):
    """One dose time in the state of a taper: ``ug`` µg of ``drug`` at ``time``; ``target`` is
    what the step aimed for (``ug`` is what can be given, never more).

    The engine's own values are named tuples: immutable like the frozen dataclasses at the
    core's boundary, and several times cheaper to make in the planning loop.
    """

    time: time
    drug: str
    ug: int
    target: int

    def at(self, new: int, target: int | None = None) -> Slot:
        return Slot(self.time, self.drug, new, new if target is None else target)


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


class Context(NamedTuple):
    """What a strategy sees when it proposes the next step (totals in µg diazepam-eq/day)."""

    request: PlanRequest
    day: date
    start_total: int  # when this strategy's reductions began (or the stabilised dose)
    current_total: int
    reductions: int  # reduction steps made so far
    last_kind: str  # kind of the previous step ("" before the first)
    working_drug: str | None  # the one drug still taken, or None when several
    equivalents: Equivalents


class Proposal(NamedTuple):
    """The next step a strategy asks for. Totals are µg diazepam-eq/day.

    The strategy states a *range*: the step may reach any total from ``lo`` (its largest cut)
    to ``hi`` (its smallest), and it aims for ``target``; the engine chooses, among the doses
    the products make exactly, the most practical one in the range. ``floor`` is the strategy's
    hard limit (never crossed except by the Ashton ending, a stated departure, or under a
    recorded override); ``window`` adds the 2-week ceiling of ASAM 2025 Rec 6 as a hard limit.
    ``final`` is the dose from which the plan stops (and below which no step is made).
    ``exact`` (custom steps) ranks nearness to the target before practicality.
    """

    target: int
    lo: int
    hi: int
    days: int
    floor: int = 0
    window: bool = False
    final: int = 0
    kind: str = "reduction"
    note: str = ""
    span: str = ""  # the range in words, e.g. "5–10 % of the current dose"
    stop: bool = False
    exact: bool = False
    max_days: int = 84  # the longest interval the strategy allows (for a stretched step)
    drug_free_nights: int = 0
    then: str = ""  # hand over to another strategy from the next step (inpatient)


class Stepper(Protocol):
    """A strategy set up for one request (its figures worked out once)."""

    def propose(self, context: Context) -> Proposal: ...


class Strategy(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def source(self) -> str: ...

    @property
    def ceiling(self) -> str:
        """The strategy's ceiling in words, shown on the plan."""

    def final_ug(self, request: PlanRequest) -> int:
        """The daily diazepam-eq (µg) from which the plan stops."""

    def check(self, request: PlanRequest) -> None:
        """Refuse parameters outside what the strategy allows (InputError naming the field)."""

    def parameters(self, request: PlanRequest) -> tuple[Parameter, ...]: ...

    def start(self, request: PlanRequest) -> Stepper:
        """The strategy set up for ``request``, proposing one step after another."""


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


def shown(name: str, value: str, fig: Figure, chosen: bool = False) -> Parameter:
    """A parameter as the plan shows it: the clinician's value, or the default with its source
    (marked unconfirmed when no source confirms it)."""
    if chosen:
        return Parameter(name, value, "clinician", confirmed=True, note=fig.note)
    return Parameter(name, value, fig.source, confirmed=fig.confirmed, note=fig.note)


def at_least(total: int, kept: tuple[int, int]) -> int:
    """The lowest whole µg that keeps the share ``kept`` of ``total`` (a floor, rounded up)."""
    return -(-total * kept[0] // kept[1])


def keep(percent: Decimal) -> tuple[int, int]:
    """What remains after cutting ``percent`` %, as a fraction (numerator, denominator)."""
    kept = Fraction(HUNDRED - percent) / 100
    return kept.numerator, kept.denominator


def plain(value: Decimal) -> str:
    """'7.5', '10', '0.25': an exact decimal as people write it."""
    return format(value.normalize(), "f") if value else "0"


class Equivalents:
    """Diazepam equivalents under the plan's table, in whole µg, with per-drug ratios looked up
    once. Conversions round down (a dose is never made larger by converting it)."""

    def __init__(self, source: str, basis: str | None) -> None:
        from .. import equivalence

        self._equivalence = equivalence
        self.source = source
        self.basis = basis
        self._ratio: dict[str, tuple[int, int]] = {}

    def figure_mg(self, drug: str) -> Decimal:
        """mg of ``drug`` equivalent to diazepam 10 mg under the table (per the chosen basis)."""
        return self._equivalence.figure_mg(drug, self.source, self.basis)

    def _fraction(self, drug: str) -> tuple[int, int]:
        found = self._ratio.get(drug)
        if found is None:
            figure = Fraction(self.figure_mg(drug))
            found = (figure.numerator, figure.denominator)
            self._ratio[drug] = found
        return found

    def dz_ug(self, drug: str, amount: int) -> int:
        """Diazepam-eq µg of ``amount`` µg of ``drug``, rounded down."""
        if drug == "diazepam" or amount == 0:
            return amount
        num, den = self._ratio.get(drug) or self._fraction(drug)
        return amount * 10 * den // num

    def drug_ug(self, drug: str, dz: int) -> int:
        """µg of ``drug`` equivalent to ``dz`` µg diazepam, rounded down."""
        if drug == "diazepam" or dz == 0:
            return dz
        num, den = self._fraction(drug)
        return dz * num // (10 * den)

    def drug_ug_at_least(self, drug: str, dz: int) -> int:
        """The smallest µg of ``drug`` whose diazepam-eq (rounded down) is at least ``dz``."""
        if drug == "diazepam" or dz <= 0:
            return max(dz, 0)
        num, den = self._fraction(drug)
        return -(-dz * num // (10 * den))

    def drug_ug_at_most(self, drug: str, dz: int) -> int:
        """The largest µg of ``drug`` whose diazepam-eq (rounded down) is at most ``dz``."""
        if drug == "diazepam":
            return dz
        num, den = self._fraction(drug)
        return -(-(dz + 1) * num // (10 * den)) - 1

    def total(self, slots: tuple[Slot, ...] | list[Slot]) -> int:
        return sum(self.dz_ug(s.drug, s.ug) for s in slots)

    # Decimal mg, for callers outside the engine (tests, reports).
    def dz(self, drug: str, amount: Decimal) -> Decimal:
        """Diazepam-eq mg of ``amount`` mg of ``drug``, floored to 1 µg."""
        return mg(self.dz_ug(drug, ug(amount)))

    def mg_for(self, drug: str, diazepam_mg: Decimal) -> Decimal:
        """mg of ``drug`` equivalent to ``diazepam_mg``, floored to 1 µg."""
        return mg(self.drug_ug(drug, ug(diazepam_mg)))


def products(drug: str, market: str, allow_liquid: bool) -> tuple[Product, ...]:
    """The market's products for ``drug`` (none for a drug the market does not sell: its doses
    then come from the patient's current supply)."""
    found = catalogue().products_for(drug, market)
    if not allow_liquid:
        found = tuple(p for p in found if not p.is_liquid)
    return found


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a percentage of ``whole``, to 0.1 % (for display; 0 when whole is 0)."""
    if whole == 0:
        return Decimal(0)
    return (part * HUNDRED / whole).quantize(Decimal("0.1"))
