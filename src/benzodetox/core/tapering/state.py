"""The plan being built: its steps so far, the ceiling's window over them, the products each
drug is dispensed from, and how a state of doses becomes a dated ``Step``.

Amounts are whole micrograms (see ``base``); ``Decimal`` mg are made here, once per step.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace
from datetime import date, time, timedelta
from decimal import Decimal
from functools import lru_cache

from ..catalogue import catalogue
from ..dispensing import DoseGrid, dose_grid, takes_for
from ..errors import InputError
from ..plan import PlanRequest, ScheduledDose, Step
from .base import HUNDRED, Equivalents, Slot, mg, percent_of, plain, products
from .figures import figure

__all__ = ["PlanState"]

CEILING = figure("asam", "ceiling_percent")
WINDOW_DAYS = CEILING.window_days or 14
#: The share of the dose that must remain after any window (75 % for a 25 % ceiling).
_KEEP_NUM, _KEEP_DEN = int(HUNDRED - CEILING.value), 100


class PlanState:
    """Steps so far and everything the engine looks up while adding the next one."""

    def __init__(self, request: PlanRequest) -> None:
        self.request = request
        self.eq = Equivalents(request.source, request.basis)
        self.steps: list[Step] = []
        self.baseline = 0
        self.warnings: list[str] = []
        self.used: set[str] = set()  # product ids dispensed so far
        self._grids: dict[str, DoseGrid | None] = {}
        self._doses: dict[
            tuple[time, str, int, int, str | None], tuple[ScheduledDose, str, str, bool]
        ] = {}
        # the ceiling's window: (first day as ordinal, diazepam-eq µg/day) of every step
        self.starts: list[int] = []  # each step's first day (ordinal)
        self.totals: list[int] = []  # each step's diazepam-eq µg/day
        self.window_from = request.start.toordinal()
        self.plan_start = request.start.toordinal()
        self.exempt: set[int] = set()  # step positions under the inpatient rule (not the ceiling)
        self.rose = False  # whether any step is above the one before (a clinician's rise)
        self._next = request.start  # the first day of the next step
        self._last: dict[tuple[time, str], str] = {}  # (time, drug) → product of the last step
        self._liquid: set[tuple[time, str]] = set()  # doses the last step gave as a liquid
        self._label: dict[str, int] = {}
        self.peaks: dict[str, int] = {}  # the highest daily µg each drug reaches
        self.unconfirmed: set[str] = set()  # products dispensed whose details are unconfirmed

    # -- products ---------------------------------------------------------------------------
    def grid(self, drug: str) -> DoseGrid | None:
        """The doses ``drug``'s products make in the plan's market; None when the market sells
        none (its doses then come from the patient's supply and are never changed, only
        replaced)."""
        if drug not in self._grids:
            found = products(drug, self.request.market, self.request.allow_liquid)
            self._grids[drug] = dose_grid(found, self.request.allow_liquid) if found else None
        return self._grids[drug]

    def last_product(self, at: time, drug: str) -> str | None:
        """The product the previous step gave first at ``at`` for ``drug`` (for continuity)."""
        return self._last.get((at, drug))

    def liquid_held(self, slot: Slot) -> bool:
        """Whether the previous step measured this dose as a liquid (it then stays liquid
        while the liquid can make it: no switching between syringe and tablets)."""
        return (slot.time, slot.drug) in self._liquid

    # -- dates and the ceiling's window -----------------------------------------------------
    def next_day(self) -> date:
        return self._next

    def total(self, slots: tuple[Slot, ...]) -> int:
        return self.eq.total(slots)

    def window_floor(self, day: date) -> int:
        """The lowest total allowed on ``day`` by the 2-week ceiling: 75 % of the highest
        daily dose in the window before it."""
        return -(-self.window_peak(day.toordinal() - WINDOW_DAYS) * _KEEP_NUM // _KEEP_DEN)

    def window_peak(self, since: int) -> int:
        """The highest daily dose in effect from day ``since`` (an ordinal) on: today's dose
        counts for the days before the plan (not before a hand-over's fresh window)."""
        before_plan = since < self.plan_start and self.window_from <= self.plan_start
        if since < self.window_from:
            since = self.window_from
        if not self.starts:
            return self.baseline
        i = bisect_right(self.starts, since) - 1
        if i < 0:
            i = 0
        # doses only fall unless a step rose: the oldest in the window is then the highest
        peak = max(self.totals[i:]) if self.rose else self.totals[i]
        return max(peak, self.baseline) if before_plan else peak

    def delay_for(self, total: int, day: date) -> int | None:
        """Days the current step must be held longer before a step to ``total`` keeps to the
        2-week ceiling (0 when it already does; None when no delay would do)."""
        if total >= self.window_floor(day):
            return 0
        if not self.starts or total * _KEEP_DEN < self.totals[-1] * _KEEP_NUM:
            return None
        # the first step whose dose, once it is the oldest in the window, allows the total
        first = max(bisect_right(self.starts, day.toordinal() - WINDOW_DAYS) - 1, 0)
        for k in range(first, len(self.starts)):
            if max(self.totals[k:]) * _KEEP_NUM <= total * _KEEP_DEN:
                ready = max(self.starts[k], self.window_from) + WINDOW_DAYS
                return max(ready - day.toordinal(), 0)
        return None  # pragma: no cover - the last step always qualifies above

    def hold_longer(self, days: int, why: str) -> None:
        """Extend the last step by ``days`` (before a step the ceiling would not yet allow)."""
        last = self.steps[-1]
        self.steps[-1] = replace(
            last, end=last.end + timedelta(days=days), notes=(*last.notes, why)
        )
        self._next = self.steps[-1].end + _ONE_DAY

    # -- steps ------------------------------------------------------------------------------
    def add_step(
        self,
        slots: tuple[Slot, ...],
        kind: str,
        days: int,
        notes: tuple[str, ...] = (),
        warnings: tuple[str, ...] = (),
        drug_free_nights: int = 0,
        span: str = "",
        total: int | None = None,
    ) -> tuple[Slot, ...]:
        """Append a step giving ``slots`` every day for ``days`` days; returns the slots.
        ``total`` is their diazepam-eq when the caller knows it."""
        start = self._next
        span_of = _SPANS.get(days)
        try:
            end = start + (timedelta(days=days - 1) if span_of is None else span_of)
            self._next = end + _ONE_DAY
        except OverflowError:
            raise InputError(
                "start",
                self.request.start.isoformat(),
                "a first day early enough for the whole plan to fit the calendar",
            ) from None
        previous = self.totals[-1] if self.totals else self.baseline
        if total is None:
            total = self.eq.total(slots)
        doses = []
        extra: list[str] = []
        last: dict[tuple[time, str], str] = {}
        liquid: set[tuple[time, str]] = set()
        for slot in slots:
            if slot.ug:
                dose, note, first, measured = self.scheduled(slot)
                doses.append(dose)
                if note:
                    extra.append(note)
                if first:
                    where = (slot.time, slot.drug)
                    last[where] = first
                    if measured:
                        liquid.add(where)
        self._last = last
        self._liquid = liquid
        if kind == "crossover":
            daily: dict[str, int] = {}
            for slot in slots:
                daily[slot.drug] = daily.get(slot.drug, 0) + slot.ug
            for drug, amount in daily.items():
                if amount > self.peaks.get(drug, 0):
                    self.peaks[drug] = amount
        self.steps.append(
            Step(  # positional: this is the planner's hottest line
                len(self.steps) + 1,
                start,
                end,
                kind,
                tuple(doses),
                mg(total),
                cut_percent(previous, total),
                (*notes, *extra) if extra else notes,
                warnings,
                drug_free_nights,
                span,
            )
        )
        if total > previous:
            self.rose = True
        self.starts.append(start.toordinal())
        self.totals.append(total)
        # the next step aims afresh: what was given is the starting point (a reduction's doses
        # already aim at what they give)
        if kind != "reduction" and any(s.target != s.ug for s in slots):
            slots = tuple(s if s.target == s.ug else s.at(s.ug) for s in slots)
        return slots

    def add_stop(self, notes: tuple[str, ...] = (), warnings: tuple[str, ...] = ()) -> None:
        self.add_step((), "stop", 1, ("no more doses from this day", *notes), warnings, total=0)

    def load(self, steps: tuple[Step, ...]) -> None:
        """Start from steps already made (an adjustment keeps a plan's past)."""
        for step in steps:
            if step.kind == "step back":
                self.rose = True
            self.steps.append(step)
            self.starts.append(step.start.toordinal())
            self.totals.append(self.eq.total(tuple(_slots_of(step))))
            for dose in step.doses:
                self.used.update(t.product_id for t in dose.takes)
                self.unconfirmed.update(t.product for t in dose.takes if not t.confirmed)
        if steps:
            self._next = steps[-1].end + _ONE_DAY
            self._last = {
                (d.time, d.drug): d.takes[0].product_id for d in steps[-1].doses if d.takes
            }
            self._liquid = {
                (d.time, d.drug) for d in steps[-1].doses if d.takes and d.takes[0].ml is not None
            }

    def scheduled(self, slot: Slot) -> tuple[ScheduledDose, str, str, bool]:
        """The dose to give for ``slot``, what the step should say about it (rounding below its
        aim, or a dose from the patient's supply), its first product and whether it is a
        liquid (for the next step's continuity)."""
        prefer = self._last.get((slot.time, slot.drug))
        key = (slot.time, slot.drug, slot.ug, slot.target, prefer)
        found = self._doses.get(key)
        if found is None:
            made = _dose(self.grid(slot.drug), self.request.market, *key)
            found = self._doses[key] = made[:4]
            # the cache is this plan's: a dose found in it was counted when it was first made
            self.used.update(made[4])
            self.unconfirmed.update(made[5])
        return found

    def label_max_ug(self, drug: str) -> int:
        """The drug's label maximum daily dose in the plan's market, in µg of the drug."""
        if drug not in self._label:
            found = catalogue().drugs[drug]
            by_market = getattr(found, "label_max", None)
            figure_mg = by_market(self.request.market).mg if by_market else found.max_daily.mg
            self._label[drug] = int(figure_mg * 1000)
        return self._label[drug]


def _slots_of(step: Step) -> list[Slot]:
    return [
        Slot(d.time, d.drug, int(d.mg * 1000), int(d.target_mg * 1000)) for d in step.doses
    ]


def slots_of(step: Step) -> tuple[Slot, ...]:
    """The doses of a made step as the engine's slots."""
    return tuple(s for s in _slots_of(step) if s.ug > 0)


_ONE_DAY = timedelta(days=1)
_SPANS = {days: timedelta(days=days - 1) for days in range(1, 92)}  # a step's end from its start
_NO_CUT = Decimal(0)


@lru_cache(maxsize=65536)
def _dose(
    grid: DoseGrid | None,
    market: str,
    at: time,
    drug: str,
    amount_ug: int,
    target_ug: int,
    prefer: str | None,
) -> tuple[ScheduledDose, str, str, bool, tuple[str, ...], tuple[str, ...]]:
    """A scheduled dose and what a plan needs to know of it: the note it carries (rounding
    below its aim, or a dose from the patient's supply), its first product, whether that is a
    liquid, the product ids and the unconfirmed product names it uses. Pure, so shared by
    every plan (a running app asks for the same doses again and again)."""
    amount, target = mg(amount_ug), mg(max(target_ug, amount_ug))
    if grid is None:
        dose = ScheduledDose(at, drug, target, amount, (), True)
        note = (
            f"{at.strftime('%H:%M')} {plain(amount)} mg {drug}: from the patient's current "
            f"supply (no {drug} product in the {market} catalogue)"
        )
        return dose, note, "", False, (), ()
    takes = takes_for(grid, amount_ug, prefer)
    dose = ScheduledDose(at, drug, target, amount, takes)
    note = ""
    if target_ug > amount_ug:
        note = (
            f"{at.strftime('%H:%M')} {drug}: {plain(dose.rounding_mg)} mg below the aim of "
            f"{plain(target)} mg (the nearest dose the products can give)"
        )
    first = takes[0] if takes else None
    return (
        dose,
        note,
        first.product_id if first else "",
        first is not None and first.ml is not None,
        tuple(t.product_id for t in takes),
        tuple(t.product for t in takes if not t.confirmed),
    )


@lru_cache(maxsize=65536)
def cut_percent(previous: int, total: int) -> Decimal:
    """The step's cut as a % of the day before, to 0.1 % (0 when it does not fall)."""
    if total >= previous:
        return _NO_CUT
    return percent_of(mg(previous - total), mg(previous))
