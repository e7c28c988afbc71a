"""The taper engine: turns a PlanRequest into dated, dispensable steps.

The engine owns the safety rules every strategy shares; strategies only propose the next daily
total (diazepam-eq) and their ceiling. For each proposal the engine

1. cuts the proposed amount from the dose times in the reduction order (earliest first, bedtime
   last by default — the pattern of the Scottish Government 2024 worked example), converting the
   cut into each dose's own drug under the plan's equivalence table;
2. rounds each dose **down** to what the market's products can give (core.dispensing): never
   above the target, never above the previous step; the difference stays on the step;
3. if rounding pushed the step past the strategy's ceiling, takes instead the achievable dose
   nearest the target that respects the ceiling, and says so on the step;
4. if no achievable reduction respects the ceiling, stops when the dose is at or below the final
   dose, goes on with the smallest possible reduction when the clinician recorded an override
   reason, and otherwise refuses with a PlanError naming what would make the plan possible.

A plan is never shortened by silently speeding up: every departure from the proposal is a
smaller reduction (or a refusal), and is written on the step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

from ..catalogue import Product, catalogue
from ..dispensing import achievable_at_most, achievable_below, dispense
from ..errors import DataError, InputError, PlanError
from ..plan import Plan, PlanRequest, ScheduledDose, Step
from ..units import floor_to_microgram, format_mg
from . import crossover
from .base import Context, Equivalents, Proposal, Slot, Strategy, percent_of, products
from .figures import figure
from .registry import STRATEGY_NAMES, strategy_for

__all__ = ["MAX_STEPS", "build_plan", "continue_plan"]

#: A plan longer than this is refused (it would be a data or parameter error, e.g. 0.1 % steps).
MAX_STEPS = 400


def build_plan(request: PlanRequest) -> Plan:
    """Build the whole plan for ``request``.

    >>> from datetime import date, time
    >>> from decimal import Decimal
    >>> from benzodetox.core.regimen import Dose, Regimen
    >>> regimen = Regimen((Dose(time(22, 0), "diazepam", Decimal(10)),))
    >>> plan = build_plan(PlanRequest(regimen, "ashton-2002", date(2026, 1, 5)))
    >>> plan.steps[0].diazepam_eq_mg, plan.steps[-1].diazepam_eq_mg
    (Decimal('9'), Decimal('0'))
    """
    validate_request(request)
    builder = _Builder(request)
    slots = builder.initial_slots()
    builder.baseline = builder.eq.total(slots)
    if request.switch_to:
        builder.eq.figure_mg(request.switch_to)  # the table must list the target drug
        times = crossover.order(slots, request)
        for number, at in enumerate(times, start=1):
            stage, note = crossover.substitute(slots, at, request, builder.eq, builder.products)
            note = f"crossover stage {number} of {len(times)}: {note}"
            slots = builder.add_step(stage, "crossover", request.crossover_days, (note,))
    if request.dose_times:
        slots = builder.redistribute(slots)
    return builder.taper(slots, strategy_for(request.strategy), reductions=0)


def continue_plan(
    plan: Plan,
    keep: tuple[Step, ...],
    request: PlanRequest,
    note: str = "",
) -> Plan:
    """A new plan that keeps ``keep`` (already dated steps) and tapers on from the doses of the
    last kept step with ``request``'s strategy and parameters (used by the adjustments)."""
    validate_request(request)
    if not keep:
        raise DataError("continue_plan needs at least one kept step")
    builder = _Builder(request)
    builder.steps = list(keep)
    builder.baseline = plan.diazepam_eq_mg_per_day
    slots = tuple(Slot(d.time, d.drug, d.mg, d.mg) for d in keep[-1].doses if d.mg > 0)
    reductions = sum(1 for s in keep if s.kind == "reduction")
    if not slots:
        return builder.finish(version_note=note)
    return builder.taper(
        slots, strategy_for(request.strategy), reductions=reductions, version_note=note
    )


def validate_request(request: PlanRequest) -> None:
    """Refuse contradictory or out-of-range options, naming the field."""
    if request.strategy not in STRATEGY_NAMES:
        raise InputError("strategy", request.strategy, " | ".join(STRATEGY_NAMES))
    strategy_for(request.strategy).check(request)
    if request.basis not in (None, "low", "high"):
        raise InputError("basis", request.basis, "low or high")
    stage = figure("plan", "crossover_days")
    if not stage.min <= request.crossover_days <= stage.max:  # type: ignore[operator]
        raise InputError("crossover_days", request.crossover_days, "1 to 28 days")
    if request.switch_to is None and request.switch_first is not None:
        raise InputError(
            "switch_first", request.switch_first.strftime("%H:%M"), "only with a switch-to drug"
        )
    if request.switch_to is not None:
        drug = catalogue().drug(request.switch_to, "switch_to")
        if drug.key not in crossover.SWITCH_TARGETS:
            raise InputError("switch_to", request.switch_to, " or ".join(crossover.SWITCH_TARGETS))
    if request.final_dose_mg is not None and request.final_dose_mg < 0:
        raise InputError("final_dose", request.final_dose_mg, "0 mg or more (diazepam-eq/day)")
    if request.plateau_mg is not None and request.plateau_mg <= 0:
        raise InputError("plateau", request.plateau_mg, "a maintenance dose above 0 mg")
    if request.strategy == "custom" and not request.custom_steps:
        raise InputError("custom_steps", "none", "at least one step (daily mg and days)")
    if request.strategy != "custom" and request.custom_steps:
        raise InputError("custom_steps", "given", "custom steps only with --strategy custom")
    times = {d.time for d in request.regimen.doses}
    if len(set(request.dose_times)) != len(request.dose_times) or len(request.dose_times) > 6:
        raise InputError("dose_times", len(request.dose_times), "up to 6 different times of day")
    if (
        request.dose_times
        and request.switch_to is None
        and len({d.drug for d in request.regimen.doses}) > 1
    ):
        raise InputError(
            "dose_times", "several drugs", "one working drug: switch to a long-acting drug first"
        )
    if request.dose_times:
        times = set(request.dose_times)
    for t in request.reduce_order:
        if t not in times:
            allowed = ", ".join(sorted(x.strftime("%H:%M") for x in times))
            raise InputError(
                "reduce_order", t.strftime("%H:%M"), f"one of the dose times {allowed}"
            )


@dataclass
class _Builder:
    request: PlanRequest
    eq: Equivalents = field(init=False)
    steps: list[Step] = field(default_factory=list)
    baseline: Decimal = Decimal(0)
    window_start: date | None = None
    warnings: list[str] = field(default_factory=list)
    _products: dict[str, tuple[Product, ...]] = field(default_factory=dict)
    _given: dict[tuple[str, Decimal], Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.eq = Equivalents(self.request.source, self.request.basis)

    # -- state ------------------------------------------------------------------------------
    def products(self, drug: str) -> tuple[Product, ...]:
        found = self._products.get(drug)
        if found is None:
            found = products(drug, self.request.market, self.request.allow_liquid)
            self._products[drug] = found
        return found

    def initial_slots(self) -> tuple[Slot, ...]:
        merged: dict[tuple[time, str], Decimal] = {}
        for dose in self.request.regimen.doses:
            key = (dose.time, catalogue().drug(dose.drug).key)
            merged[key] = merged.get(key, Decimal(0)) + dose.mg
        slots = tuple(Slot(t, drug, mg, mg) for (t, drug), mg in sorted(merged.items()))
        for slot in slots:
            self.eq.figure_mg(slot.drug)  # refuses a table that does not list the drug
            given = achievable_at_most(self.products(slot.drug), slot.mg)
            if given != slot.mg:
                above = achievable_at_most(self.products(slot.drug), slot.mg * 2)
                nearest = format_mg(given) if given else "none"
                raise InputError(
                    "take",
                    f"{format_mg(slot.mg)} {slot.drug} at {slot.time.strftime('%H:%M')}",
                    f"a dose the {self.request.market} products can give",
                    hint=f"nearest below: {nearest}; above: {format_mg(above)}; check the dose"
                    " or the market"
                    if above > slot.mg
                    else f"nearest below: {nearest}",
                )
        return slots

    def redistribute(self, slots: tuple[Slot, ...]) -> tuple[Slot, ...]:
        """Divide the working drug's daily dose evenly across ``request.dose_times`` (the latest
        time takes what an even share leaves over), each rounded down to what can be given."""
        times = tuple(sorted(self.request.dose_times))
        drug = _working_drug(slots)
        if drug is None:
            raise InputError("dose_times", "several drugs", "one working drug to divide")
        if tuple(sorted(s.time for s in slots)) == times and len({s.mg for s in slots}) == 1:
            return slots
        total = sum((s.mg for s in slots), Decimal(0))
        share = floor_to_microgram(total / len(times))
        new = []
        for i, at in enumerate(times):
            want = share if i < len(times) - 1 else total - share * (len(times) - 1)
            new.append(Slot(at, drug, achievable_at_most(self.products(drug), want), want))
        shown = ", ".join(t.strftime("%H:%M") for t in times)
        note = f"the daily {format_mg(total)} {drug} divided across {shown}"
        return self.add_step(tuple(new), "redistribute", self.request.crossover_days, (note,))

    def history_since_window(self) -> tuple[tuple[date, Decimal], ...]:
        """(first day, diazepam-eq/day) of the baseline and every step, oldest first; after a
        hand-over only the steps since it, with the dose at the hand-over as the baseline."""
        history = [(self.request.start, self.baseline)]
        history += [(s.start, s.diazepam_eq_mg) for s in self.steps]
        if self.window_start is not None:
            at_start = [h for h in history if h[0] < self.window_start]
            later = [h for h in history if h[0] >= self.window_start]
            history = [(self.window_start, at_start[-1][1]), *later] if at_start else later
        return tuple(history)

    def next_day(self) -> date:
        return self.steps[-1].end + timedelta(days=1) if self.steps else self.request.start

    def reduce_order(self, slots: tuple[Slot, ...]) -> list[int]:
        """Indices of ``slots`` in the order they are cut: the request's order first, then the
        rest earliest first, so the bedtime dose goes last by default."""
        listed = {t: i for i, t in enumerate(self.request.reduce_order)}
        return sorted(
            range(len(slots)),
            key=lambda i: (listed.get(slots[i].time, len(listed)), slots[i].time, slots[i].drug),
        )

    # -- the loop ---------------------------------------------------------------------------
    def taper(
        self,
        slots: tuple[Slot, ...],
        strategy: Strategy,
        reductions: int,
        version_note: str = "",
    ) -> Plan:
        request = self.request
        start_total = self.eq.total(slots)
        while self.eq.total(slots) > 0:
            if len(self.steps) >= MAX_STEPS:
                raise PlanError(
                    "strategy",
                    request.strategy,
                    f"a plan of at most {MAX_STEPS} steps",
                    hint="use a larger percentage or a higher final dose",
                )
            current = self.eq.total(slots)
            day = self.next_day()
            if request.plateau_mg is not None and current <= request.plateau_mg:
                self.add_step(
                    slots,
                    "plateau",
                    PLATEAU_REVIEW_DAYS,
                    (
                        f"maintenance at {format_mg(current)} diazepam-eq/day as asked; review "
                        f"within {PLATEAU_REVIEW_DAYS} days (JCPG 2025 Rec 1: at least every "
                        "3 months)",
                    ),
                )
                return self.finish(strategy, version_note)
            context = Context(
                request=request,
                day=day,
                start_total=start_total,
                current_total=current,
                reductions=reductions,
                history=self.history_since_window(),
                last_kind=self.steps[-1].kind if self.steps else "",
                working_drug=_working_drug(slots),
                equivalents=self.eq,
            )
            proposal = strategy.propose(context)
            if proposal.kind == "handover":
                strategy = strategy_for(proposal.then)
                start_total = current
                # the next strategy's ceiling window starts afresh at the hand-over
                self.window_start = day
                continue
            if proposal.kind == "stabilise":
                slots = self.add_step(slots, "stabilise", proposal.days, (proposal.note,))
                continue
            if proposal.kind == "end":
                self.warnings.append(
                    f"the plan does not reach zero: it ends at {format_mg(current)} diazepam-eq/day"
                )
                return self.finish(strategy, version_note)
            if proposal.stop:
                break
            slots = self.reduce(slots, proposal, current)
            reductions += 1
        self.add_stop()
        return self.finish(strategy, version_note)

    def reduce(
        self, slots: tuple[Slot, ...], proposal: Proposal, current: Decimal
    ) -> tuple[Slot, ...]:
        request = self.request
        target = proposal.target_total
        if request.plateau_mg is not None:
            target = max(target, request.plateau_mg)
        notes: list[str] = [proposal.note] if proposal.note else []
        warnings: list[str] = []
        # last step's rounding is not this step's; a current dose the products cannot give is
        # rounded down first, so the ceiling is judged on what is really given
        slots = self.dispensable(tuple(s.at(s.mg) for s in slots))
        if target > current:
            new = self.raise_dose(slots, target - current)
            warnings.append("the dose rises at this step")
        else:
            new = self.cut(slots, current - target)
        new = self.dispensable(new)
        total = self.eq.total(new)
        if total == 0 and proposal.min_total == 0:
            return new  # the stop step follows
        if total < proposal.min_total:
            gentler = self.within_ceiling(slots, target, proposal.min_total)
            if gentler is not None:
                new = gentler
                notes.append(
                    f"the products cannot make {format_mg(target)} diazepam-eq/day exactly; "
                    f"the nearest dose that keeps within the ceiling ({self_ceiling(proposal)}) "
                    "is used instead"
                )
            elif request.override_reason:
                new = self.smallest_reduction(slots)
                warnings.append(
                    f"this reduction is beyond the strategy's ceiling ({self_ceiling(proposal)}); "
                    f"clinician override: {request.override_reason}"
                )
            else:
                raise PlanError(
                    "products",
                    f"{format_mg(current)} diazepam-eq/day",
                    "a reduction the market's products can make within the ceiling "
                    f"({self_ceiling(proposal)})",
                    hint=self.stuck_hint(slots),
                )
        self.add_step(
            new,
            proposal.kind,
            proposal.days,
            tuple(notes),
            tuple(warnings),
            proposal.drug_free_nights,
        )
        return new

    # -- cutting doses ----------------------------------------------------------------------
    def cut(self, slots: tuple[Slot, ...], cut: Decimal) -> tuple[Slot, ...]:
        """Remove ``cut`` mg diazepam-eq/day from the doses in reduction order, each rounded
        down to what can be given."""
        new = list(slots)
        for i in self.reduce_order(slots):
            if cut <= 0:
                break
            slot = new[i]
            if slot.mg == 0:
                continue
            slot_dz = self.eq.dz(slot.drug, slot.mg)
            if slot_dz <= cut:
                new[i] = slot.at(Decimal(0))
                cut -= slot_dz
            else:
                want = self.eq.mg_for(slot.drug, slot_dz - cut)
                got = achievable_at_most(self.products(slot.drug), want)
                new[i] = slot.at(got, target_mg=want)
                cut = Decimal(0)
        return tuple(new)

    def raise_dose(self, slots: tuple[Slot, ...], rise: Decimal) -> tuple[Slot, ...]:
        """Add ``rise`` mg diazepam-eq/day to the dose reduced last (bedtime by default)."""
        new = list(slots)
        i = self.reduce_order(slots)[-1]
        slot = new[i]
        want = self.eq.mg_for(slot.drug, self.eq.dz(slot.drug, slot.mg) + rise)
        new[i] = slot.at(achievable_at_most(self.products(slot.drug), want), target_mg=want)
        return tuple(new)

    def within_ceiling(
        self, slots: tuple[Slot, ...], target: Decimal, floor: Decimal
    ) -> tuple[Slot, ...] | None:
        """Change one dose (first in reduction order that allows it) to the achievable amount
        whose daily total is nearest ``target`` while staying at or above ``floor``, and below
        today's dose. None when no dose can do that."""
        for i in self.reduce_order(slots):
            slot = slots[i]
            if slot.mg == 0:
                continue
            others = self.eq.total(slots) - self.eq.dz(slot.drug, slot.mg)
            prods = self.products(slot.drug)
            best: Decimal | None = None
            candidate = achievable_below(prods, slot.mg)
            for _ in range(_SEARCH_LIMIT):
                if others + self.eq.dz(slot.drug, candidate) < floor:
                    break
                best = candidate
                if others + self.eq.dz(slot.drug, candidate) <= target or candidate == 0:
                    break
                candidate = achievable_below(prods, candidate)
            if best is not None:
                new = list(slots)
                new[i] = slot.at(best)
                return tuple(new)
        return None

    def smallest_reduction(self, slots: tuple[Slot, ...]) -> tuple[Slot, ...]:
        """The gentlest reduction the products allow (used only under a recorded override)."""
        best: tuple[Slot, ...] | None = None
        for i in self.reduce_order(slots):
            slot = slots[i]
            if slot.mg == 0:
                continue
            new = list(slots)
            new[i] = slot.at(achievable_below(self.products(slot.drug), slot.mg))
            if best is None or self.eq.total(tuple(new)) > self.eq.total(best):
                best = tuple(new)
        if best is None:
            raise DataError("no dose left to reduce")
        return best

    def stuck_hint(self, slots: tuple[Slot, ...]) -> str:
        drugs = sorted({s.drug for s in slots if s.mg > 0})
        parts = [
            "switch to diazepam, whose oral liquid allows small steps"
            if drugs != ["diazepam"]
            else "allow the oral liquid",
            "raise the final dose",
            "or record a reason to override the ceiling",
        ]
        return "; ".join(parts)

    # -- steps ------------------------------------------------------------------------------
    def add_step(
        self,
        slots: tuple[Slot, ...],
        kind: str,
        days: int,
        notes: tuple[str, ...] = (),
        warnings: tuple[str, ...] = (),
        drug_free_nights: int = 0,
    ) -> tuple[Slot, ...]:
        """Append a step on ``slots`` (each first rounded down to what can be given, e.g. a
        current dose the market cannot make) and return the doses it really gives."""
        slots = self.dispensable(slots)
        start = self.next_day()
        previous = self.steps[-1].diazepam_eq_mg if self.steps else self.baseline
        doses = tuple(self.scheduled(slot) for slot in slots if slot.mg > 0)
        total = self.eq.total(slots)
        rounding = [
            f"{d.time.strftime('%H:%M')} {d.drug}: {format_mg(d.rounding_mg)} below the "
            f"target {format_mg(d.target_mg)} (the nearest dose the products can give)"
            for d in doses
            if d.rounding_mg > 0
        ]
        self.steps.append(
            Step(
                index=len(self.steps) + 1,
                start=start,
                end=start + timedelta(days=days - 1),
                kind=kind,
                doses=doses,
                diazepam_eq_mg=total,
                reduction_percent=percent_of(previous - total, previous),
                notes=tuple(n for n in notes if n) + tuple(rounding),
                warnings=warnings,
                drug_free_nights=drug_free_nights,
            )
        )
        return slots

    def dispensable(self, slots: tuple[Slot, ...]) -> tuple[Slot, ...]:
        """Each dose rounded down to what the products can give (the target kept)."""
        result = []
        for slot in slots:
            key = (slot.drug, slot.mg)
            mg = self._given.get(key)
            if mg is None:
                mg = achievable_at_most(self.products(slot.drug), slot.mg) if slot.mg else slot.mg
                self._given[key] = mg
            result.append(slot if mg == slot.mg else slot.at(mg, target_mg=slot.target_mg))
        return tuple(result)

    def scheduled(self, slot: Slot) -> ScheduledDose:
        previous = self._previous_product(slot)
        mg, takes = dispense(
            self.products(slot.drug),
            slot.mg,
            allow_liquid=self.request.allow_liquid,
            prefer=previous,
        )
        if mg != slot.mg:
            raise DataError(f"dispensing gave {mg} mg for an achievable {slot.mg} mg {slot.drug}")
        return ScheduledDose(slot.time, slot.drug, max(slot.target_mg, mg), mg, takes)

    def _previous_product(self, slot: Slot) -> str | None:
        if not self.steps:
            return None
        for dose in self.steps[-1].doses:
            if dose.time == slot.time and dose.drug == slot.drug and dose.takes:
                return dose.takes[0].product_id
        return None

    def add_stop(self) -> None:
        start = self.next_day()
        previous = self.steps[-1].diazepam_eq_mg if self.steps else self.baseline
        self.steps.append(
            Step(
                index=len(self.steps) + 1,
                start=start,
                end=start,
                kind="stop",
                doses=(),
                diazepam_eq_mg=Decimal(0),
                reduction_percent=percent_of(previous, previous),
                notes=("no more doses from this day",),
            )
        )

    def finish(self, strategy: Strategy | None = None, version_note: str = "") -> Plan:
        from ..equivalence import convert

        request = self.request
        conversion = convert(request.regimen, request.source, request.basis)
        active = strategy or strategy_for(request.strategy)
        parameters = tuple((p.name, p.shown()) for p in active.parameters(request))
        warnings = list(conversion.warnings) + self.warnings
        warnings += _plan_warnings(self.steps, request)
        return Plan(
            source=request.source,
            market=request.market,
            strategy=request.strategy,
            parameters=(*parameters, ("ceiling", active.ceiling)),
            start=request.start,
            steps=tuple(self.steps),
            diazepam_eq_mg_per_day=self.baseline,
            range_mg_per_day=conversion.range_mg_per_day,
            warnings=tuple(dict.fromkeys(warnings)),
            switch_to=request.switch_to,
            version_note=version_note,
            sources=tuple(dict.fromkeys((request.source, active.source))),
            request=request,
        )


#: How long a plateau lasts before it must be reviewed (JCPG 2025 Rec 1: at least every 3 months).
PLATEAU_REVIEW_DAYS = figure("plan", "plateau_review_days").days
_SEARCH_LIMIT = 400


def _working_drug(slots: tuple[Slot, ...]) -> str | None:
    drugs = {s.drug for s in slots if s.mg > 0}
    return drugs.pop() if len(drugs) == 1 else None


def self_ceiling(proposal: Proposal) -> str:
    return f"no lower than {format_mg(proposal.min_total)} diazepam-eq/day this step"


def _plan_warnings(steps: list[Step], request: PlanRequest) -> list[str]:
    warnings: list[str] = []
    unconfirmed = sorted(
        {t.product for s in steps for d in s.doses for t in d.takes if not t.confirmed}
    )
    if unconfirmed:
        warnings.append(
            "unconfirmed product details (check the label before dispensing): "
            + "; ".join(unconfirmed)
        )
    if request.override_reason:
        warnings.append(f"ceiling override recorded: {request.override_reason}")
    # ASAM 2025 Rec 6: typically not more than 25 % every 2 weeks, whatever the strategy.
    ceiling = figure("asam", "ceiling_percent")
    if request.strategy != "asam":
        for step in steps:
            if step.kind == "stop":
                continue
            window_start = step.start - timedelta(days=ceiling.window_days or 14)
            earlier = [s for s in steps if s.start <= window_start <= s.end]
            before = earlier[0].diazepam_eq_mg if earlier else None
            if before and step.diazepam_eq_mg < before * (1 - ceiling.value / 100):
                warnings.append(
                    f"step {step.index} ({step.start}) is faster than the ASAM 2025 ceiling of "
                    "25 % in 2 weeks [jcpg-2025 Rec 6]"
                )
                break
    return warnings
