"""A taper plan: dated steps, each with the exact doses to take and what makes them up.

Invariants the planner guarantees (and the property tests check):

- every dose's ``takes`` add up exactly to its ``mg`` (printed = scheduled = dispensed), except a
  dose ``from_supply``: a drug the market sells no product of, taken from the patient's current
  supply while a crossover replaces it (nothing is dispensed for it);
- ``mg <= target_mg`` for every dose; the difference is recorded as ``rounding_mg``;
- a step's daily diazepam-equivalent is never above the previous step's;
- steps are contiguous: each starts the day after the previous one ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from fractions import Fraction

from .equivalence import Basis
from .errors import DataError
from .regimen import Regimen

__all__ = [
    "CrossoverDays",
    "CustomStep",
    "Plan",
    "PlanRequest",
    "ScheduledDose",
    "Step",
    "Take",
    "crossover_days",
]


@dataclass(frozen=True)
class CustomStep:
    """A clinician-entered step of a ``custom`` plan: daily total of the working drug and days."""

    daily_mg: Decimal
    days: int


@dataclass(frozen=True)
class CrossoverDays:
    """Days per crossover stage: the default, the range a clinician may choose, the source."""

    default: int
    least: int
    most: int
    source: str
    note: str

    @property
    def allowed(self) -> str:
        return f"a whole number of days from {self.least} to {self.most}"


def crossover_days() -> CrossoverDays:
    """Days per crossover stage from tapering.toml (``plan.crossover_days``): the one place
    the planner and every adapter take the default (7) and the range (1–28) from.

    >>> crossover_days().allowed
    'a whole number of days from 1 to 28'
    """
    from .tapering.figures import figure  # on use: the planner imports this module

    stage = figure("plan", "crossover_days")
    if stage.min is None or stage.max is None:
        raise DataError("tapering.toml: plan.crossover_days needs a min and a max")
    return CrossoverDays(stage.days, int(stage.min), int(stage.max), stage.source, stage.note)


def _default_crossover_days() -> int:
    return crossover_days().default


@dataclass(frozen=True)
class PlanRequest:
    """Everything a plan is built from; kept on the plan so adjustments can rebuild from a date.

    ``source`` (the equivalence table) has no default: nothing picks a table silently.
    ``percent``/``interval_days`` of ``None`` mean the strategy's own default (shown in the plan).
    ``reduce_order`` lists dose times in the order they are reduced (default: earliest first,
    bedtime last). ``dose_times`` divides the daily dose of the one working drug evenly across
    new times of day before the reductions (e.g. diazepam twice daily after a crossover).
    ``override_reason`` allows a step beyond the strategy's ceiling, and is recorded.
    """

    regimen: Regimen
    source: str
    start: date
    strategy: str = "asam"
    market: str = "us"
    basis: Basis | None = None  # which end of a table's range, where it gives one
    percent: Decimal | None = None
    interval_days: int | None = None
    switch_to: str | None = None
    switch_first: time | None = None  # the dose time substituted first (default: the latest)
    crossover_days: int = field(default_factory=_default_crossover_days)
    final_dose_mg: Decimal | None = None  # diazepam-eq per day below which the next step stops
    plateau_mg: Decimal | None = None  # end on this maintenance dose instead of zero
    reduce_order: tuple[time, ...] = ()
    dose_times: tuple[time, ...] = ()  # divide the working drug evenly across these times
    stabilise_days: int | None = None  # inpatient
    discharge_mg: Decimal | None = None  # inpatient hand-over dose (diazepam-eq per day)
    then: str = "asam"  # inpatient: the outpatient strategy after discharge
    drug_free_nights: int = 0  # deprescribing.org: planned drug-free nights a week near the end
    allow_liquid: bool = True
    custom_steps: tuple[CustomStep, ...] = ()
    override_reason: str = ""


@dataclass(frozen=True)
class Take:
    """One product within a dose: a count of tablets or capsules (possibly ½, ⅓ or ¼),
    or a volume of liquid in mL; ``mg`` is exactly what it delivers."""

    product_id: str
    product: str
    form: str
    strength_mg: Decimal
    mg: Decimal
    count: Fraction | None = None
    ml: Decimal | None = None
    confirmed: bool = True


@dataclass(frozen=True)
class ScheduledDose:
    time: time
    drug: str
    target_mg: Decimal
    mg: Decimal
    takes: tuple[Take, ...] = ()
    from_supply: bool = False  # taken from the patient's current supply, not dispensed

    @property
    def rounding_mg(self) -> Decimal:
        """How much below the target the dispensable dose is (never negative)."""
        return self.target_mg - self.mg


@dataclass(frozen=True)
class Step:
    """Doses taken every day from ``start`` to ``end`` (both inclusive)."""

    index: int
    start: date
    end: date
    kind: str  # "crossover", "redistribute", "stabilise", "reduction", "hold", "plateau", "stop"…
    doses: tuple[ScheduledDose, ...]
    diazepam_eq_mg: Decimal
    reduction_percent: Decimal
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    drug_free_nights: int = 0  # per week, deprescribing.org option
    span: str = ""  # the range the strategy allowed this step to cut, in words ("5–10 %")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def daily_mg(self, drug: str) -> Decimal:
        return sum((d.mg for d in self.doses if d.drug == drug), Decimal(0))

    @property
    def drugs(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for dose in self.doses:
            if dose.mg > 0:
                seen.setdefault(dose.drug, None)
        return tuple(seen)


@dataclass(frozen=True)
class Plan:
    """A whole taper. ``source`` is the equivalence table every figure was computed with."""

    source: str
    market: str
    strategy: str
    parameters: tuple[tuple[str, str], ...]
    start: date
    steps: tuple[Step, ...]
    diazepam_eq_mg_per_day: Decimal
    range_mg_per_day: tuple[Decimal, Decimal]
    warnings: tuple[str, ...] = ()
    switch_to: str | None = None
    version_note: str = ""
    sources: tuple[str, ...] = field(default=())
    request: PlanRequest | None = None

    @property
    def end(self) -> date:
        return self.steps[-1].end if self.steps else self.start

    @property
    def last_dose_date(self) -> date | None:
        """The last day any dose is taken (None if the plan never doses)."""
        for step in reversed(self.steps):
            if any(d.mg > 0 for d in step.doses):
                return step.end
        return None

    def step_on(self, day: date) -> Step | None:
        for step in self.steps:
            if step.start <= day <= step.end:
                return step
        return None

    def expected_end(self) -> date:
        return (self.last_dose_date or self.start) + timedelta(days=1)
