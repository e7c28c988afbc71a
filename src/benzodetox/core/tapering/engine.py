"""The taper engine: turns a PlanRequest into dated, dispensable steps.

The engine owns the rules every strategy shares; a strategy only proposes the range of the next
step (``Proposal``). For each proposal the engine

1. chooses, among the doses the market's products make exactly, the most practical one whose
   daily total lies in the range (``choice``: solids before liquid, whole units before halves,
   few products, the reduction order, nearest the aim) and states the cut it really makes;
2. keeps the 2-week ceiling (ASAM 2025 Rec 6) on every path: a step it does not yet allow waits
   (the step before is held longer, and says so);
3. when no dose lies in the range, takes the nearest workable step and says so: a larger cut
   with a proportionally longer interval, or a gentler one; a 1 mg diazepam-eq step, and at
   3 mg or less the Ashton Manual's ending (the next dose down, then stop), stated where they
   depart from the ceiling; otherwise a switch to diazepam for the rest of the plan (PrescQIPP:
   switch products that do not allow small reductions); under a recorded override, the
   gentlest step;
4. refuses only what no step can do, naming what would help.

A crossover (``switch_to``, or the switch of step 3) substitutes the new drug in portions,
pausing at 40 mg diazepam-eq while the old drug is tapered first, never above the new drug's
label maximum (``crossover``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from ..catalogue import catalogue
from ..errors import DataError, InputError, PlanError
from ..plan import Plan, PlanRequest, Step, crossover_days
from .base import Context, Proposal, Slot, Strategy, mg, ug
from .choice import Choice, choose
from .crossover import LOSS, SWITCH_TARGETS, Stage, next_stage
from .custom import check_custom_stop, custom_step
from .figures import figure
from .registry import STRATEGY_NAMES, strategy_for
from .report import describe_cut, finish
from .state import PlanState, slots_of

__all__ = ["MAX_STEPS", "PLATEAU_REVIEW_DAYS", "build_plan", "continue_plan"]

#: A plan longer than this is refused (it would be a data or parameter error, e.g. 0.1 % steps).
MAX_STEPS = 400
#: How long a plateau lasts before it must be reviewed (JCPG 2025 Rec 1: at least every 3 months).
PLATEAU_REVIEW_DAYS = figure("plan", "plateau_review_days").days
ENDING = figure("choice", "ending_mg")
_ENDING_UG = ug(ENDING.value)
_ENDING_STEP_UG = ug(figure("choice", "ending_step_mg").value)
HOLD_NOTE = (
    "held {days} days longer so that no more than 25 % of the dose goes within any 2 weeks "
    "[jcpg-2025 Rec 6]"
)
ENDING_WARNING = (
    "the Ashton Manual's ending (1 mg diazepam-eq steps, 3 → 2 → 1 mg → stop) "
    "[ashton-2002-schedules]: the products make no smaller step, so this step is beyond the "
    "25 %-in-2-weeks ceiling"
)


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
    state = PlanState(request)
    slots = _initial_slots(state)
    state.baseline = state.total(slots)
    return _Taper(state, strategy_for(request.strategy)).run(slots, reductions=0)


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
    state = PlanState(request)
    state.baseline = ug(plan.diazepam_eq_mg_per_day)
    state.load(keep)
    slots = slots_of(keep[-1])
    taper = _Taper(state, strategy_for(request.strategy), version_note=note)
    if not slots:
        return finish(state, taper.strategy, note)
    taper.redistributed = True
    return taper.run(slots, reductions=sum(1 for s in keep if s.kind == "reduction"))


def validate_request(request: PlanRequest) -> None:
    """Refuse contradictory or out-of-range options, naming the field."""
    if request.strategy not in STRATEGY_NAMES:
        raise InputError("strategy", request.strategy, " | ".join(STRATEGY_NAMES))
    strategy_for(request.strategy).check(request)
    if request.basis not in (None, "low", "high"):
        raise InputError("basis", request.basis, "low or high")
    stage = crossover_days()
    if not stage.least <= request.crossover_days <= stage.most:
        raise InputError("crossover_days", request.crossover_days, stage.allowed)
    if request.switch_to is None and request.switch_first is not None:
        raise InputError(
            "switch_first", request.switch_first.strftime("%H:%M"), "only with a switch-to drug"
        )
    if request.switch_to is not None:
        drug = catalogue().drug(request.switch_to, "switch_to")
        if drug.key not in SWITCH_TARGETS:
            raise InputError("switch_to", request.switch_to, " or ".join(SWITCH_TARGETS))
        switched = {
            d.time for d in request.regimen.doses if catalogue().drug(d.drug).key != drug.key
        }
        if request.switch_first is not None and request.switch_first not in switched:
            allowed = ", ".join(t.strftime("%H:%M") for t in sorted(switched)) or "none"
            raise InputError(
                "switch_first",
                request.switch_first.strftime("%H:%M"),
                f"one of the dose times to switch ({allowed})",
            )
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
    if request.plateau_mg is not None and request.plateau_mg > _start_total_mg(request):
        raise InputError(
            "plateau",
            request.plateau_mg,
            f"a maintenance dose at or below today's {_start_total_mg(request)} mg "
            "diazepam-eq/day",
        )


def _start_total_mg(request: PlanRequest) -> Decimal:
    from ..equivalence import convert

    return convert(request.regimen, request.source, request.basis).diazepam_eq_mg_per_day


def _initial_slots(state: PlanState) -> tuple[Slot, ...]:
    """Today's doses, merged per time and drug; each must be a dose the market's products can
    give (a drug the market does not sell is taken from the patient's supply)."""
    request = state.request
    merged: dict[tuple[time, str], int] = {}
    for dose in request.regimen.doses:
        key = (dose.time, catalogue().drug(dose.drug).key)
        merged[key] = merged.get(key, 0) + ug(dose.mg)
    slots = tuple(Slot(t, drug, amount, amount) for (t, drug), amount in sorted(merged.items()))
    for slot in slots:
        state.eq.figure_mg(slot.drug)  # refuses a table that does not list the drug
        grid = state.grid(slot.drug)
        if grid is None or grid.makes(slot.ug):
            continue
        below, above = grid.at_most(slot.ug), grid.at_most(slot.ug * 2)
        nearest = f"{mg(below)} mg" if below else "none"
        raise InputError(
            "take",
            f"{mg(slot.ug)} mg {slot.drug} at {slot.time.strftime('%H:%M')}",
            f"a dose the {request.market} products can give",
            hint=f"nearest below: {nearest}; above: {mg(above)} mg; check the dose or the market"
            if above > slot.ug
            else f"nearest below: {nearest}",
        )
    return slots


@dataclass
class _Taper:
    state: PlanState
    strategy: Strategy
    version_note: str = ""
    switch: str | None = None  # the drug being substituted in, while any other drug is left
    redistributed: bool = False
    stop_notes: tuple[str, ...] = ()  # why the plan stops from a dose above its final dose
    plateau: int = 0  # the maintenance dose asked for (µg diazepam-eq/day), or 0
    _order_of: list[int] | None = None  # the reduction order, until the doses' layout changes
    _crossing: bool = False  # another drug is still being replaced by ``switch``

    def run(self, slots: tuple[Slot, ...], reductions: int) -> Plan:
        state, request = self.state, self.state.request
        self.switch = request.switch_to
        self._crossing = self.switch is not None
        stepper = self.strategy.start(request)
        start_total = current = state.total(slots)
        plateau = ug(request.plateau_mg) if request.plateau_mg is not None else None
        self.plateau = plateau or 0
        custom = request.strategy == "custom"
        while True:
            if current == 0:
                break
            if len(state.steps) >= MAX_STEPS:
                raise PlanError(
                    "strategy",
                    request.strategy,
                    f"a plan of at most {MAX_STEPS} steps",
                    hint="use a larger percentage or a higher final dose",
                )
            day = state.next_day()
            if plateau is not None and current <= plateau:
                self._plateau(slots, current)
                return finish(state, self.strategy, self.version_note)
            if self._crossing and not any(s.drug != self.switch for s in slots if s.ug):
                self._crossing = False  # the old drug is gone
            if self._crossing and self.switch:
                stage = next_stage(state, slots, self.switch, day)
                if stage is None and not self._reducible(slots):
                    stage = next_stage(state, slots, self.switch, day, forced=True)
                if stage is not None:
                    slots, current = self._add_stage(stage, current)
                    continue
            elif request.dose_times and not self.redistributed:
                self.redistributed = True
                self._order_of = None
                slots = self._redistribute(slots)
                current = state.total(slots)
                continue
            if reductions == 0:
                start_total = current  # reductions begin from here (after any crossover)
            proposal = stepper.propose(
                Context(
                    request,
                    day,
                    start_total,
                    current,
                    reductions,
                    state.steps[-1].kind if state.steps else "",
                    _working_drug(slots) if custom else None,
                    state.eq,
                )
            )
            if proposal.kind == "handover":
                self.strategy = strategy_for(proposal.then)
                stepper = self.strategy.start(request)
                start_total = current
                state.window_from = day.toordinal()  # the next strategy's window starts afresh
                continue
            if proposal.kind == "stabilise":
                state.add_step(slots, "stabilise", proposal.days, (proposal.note,), total=current)
                continue
            if proposal.kind == "end":
                state.warnings.append(
                    f"the plan does not reach zero: it ends at {mg(current)} mg diazepam-eq/day"
                )
                return finish(state, self.strategy, self.version_note)
            if proposal.stop:
                if self.strategy.name == "custom":
                    state.add_stop(warnings=check_custom_stop(state, current))
                    return finish(state, self.strategy, self.version_note)
                break
            new = self._reduce(slots, proposal, current)
            if new is None:
                continue  # a switch to diazepam begins
            if self.strategy.name == "inpatient":
                state.exempt.add(len(state.steps) - 1)
            slots, current = new
            reductions += 1
        state.add_stop(warnings=self.stop_notes)
        return finish(state, self.strategy, self.version_note)

    def _add_stage(self, stage: Stage, current: int) -> tuple[tuple[Slot, ...], int]:
        """Add a crossover stage (after holding the step before longer if the ceiling asks)."""
        state = self.state
        self._order_of = None
        if stage.delay:
            state.hold_longer(stage.delay, HOLD_NOTE.format(days=stage.delay))
        total = current - stage.loss
        given = state.add_step(
            stage.slots,
            "crossover",
            state.request.crossover_days,
            (stage.note,),
            (stage.departure,) if stage.departure else (),
            total=total,
        )
        if stage.loss * 100 > current * LOSS.value:
            step = state.steps[-1]
            state.warnings.append(
                f"step {step.index} ({step.start.isoformat()}): the crossover also reduces the "
                f"day's dose by {mg(stage.loss)} mg diazepam-eq ({step.reduction_percent} %), "
                "because the products (or the new drug's label maximum) cannot give the exact "
                "equivalent"
            )
        return given, total

    # -- one reduction ----------------------------------------------------------------------
    def _reduce(
        self, slots: tuple[Slot, ...], p: Proposal, current: int
    ) -> tuple[tuple[Slot, ...], int] | None:
        state, request = self.state, self.state.request
        day = state.next_day()
        order = self._order(slots)
        if p.kind == "custom":
            new = custom_step(state, slots, p, current, order)
            return new, state.total(new)
        lo = p.lo if p.lo > p.floor else p.floor
        hi, aim = p.hi, p.target
        if self.plateau:
            lo, hi, aim = max(lo, self.plateau), max(hi, self.plateau), max(aim, self.plateau)
        notes: list[str] = []
        warnings: list[str] = []
        days = p.days
        found = None
        # While another drug is still being replaced, it is tapered first; where its products
        # cannot make a step, substitution goes on (beyond the pause) before the new drug is cut.
        crossing = self._crossing and self.switch is not None
        passes: list[tuple[list[int], bool] | None] = [(order, True)]
        if crossing:  # the old drug's tablets, more substitution, then everything
            old = [i for i in order if slots[i].drug != self.switch]
            passes = [(old, False), None, (order, True)]
        for entry in passes:
            if entry is None:
                stage = next_stage(state, slots, self.switch or "diazepam", day, hold=False)
                if stage is not None:
                    return self._add_stage(stage, current)
                continue
            within, liquid = entry
            if lo <= hi:
                found = choose(
                    state, slots, within, lo, hi, aim, day,
                    window=p.window, final=p.final, total=current, liquid=liquid,
                )
                if found is not None and found.total and not found.delay:  # the usual step
                    given = state.add_step(
                        found.slots,
                        "reduction",
                        p.days,
                        (describe_cut(p.note, current, found.total, found.form),),
                        (),
                        p.drug_free_nights,
                        p.span,
                        found.total,
                    )
                    return given, found.total
            if found is None:
                found, days, note = self._nearest_workable(
                    slots, p, current, within, lo, hi, liquid
                )
                if note:
                    notes.append(note)
            if found is not None:
                break
        gentlest = None
        if found is None:
            gentlest = choose(
                state, slots, order, 0, current - 1, current - 1, day,
                window=False, final=p.final, nearest=True,
            )
            if gentlest is not None and current - gentlest.total <= _ENDING_STEP_UG:
                found = gentlest
                warnings.append(ENDING_WARNING)
        if found is None and self._can_switch(slots):
            self._begin_switch(slots, current)
            return None
        if found is None and gentlest is not None and current <= _ENDING_UG:
            found = gentlest
            warnings.append(ENDING_WARNING)
        if found is None and gentlest is not None and request.override_reason:
            found = gentlest
            warnings.append(
                "this step is beyond the ceiling; clinician override: " + request.override_reason
            )
        if found is None:
            raise PlanError(
                "products",
                f"{mg(current)} mg diazepam-eq/day",
                f"a step the market's products can make within the ceiling ({p.span or 'range'})",
                hint=self._stuck_hint(slots),
            )
        if found.total == 0:
            self.stop_notes = (*notes, *warnings)
            return found.slots, 0
        if found.delay:
            state.hold_longer(found.delay, HOLD_NOTE.format(days=found.delay))
        notes.insert(0, describe_cut(p.note, current, found.total, found.form))
        given = state.add_step(
            found.slots,
            "reduction",
            days,
            tuple(notes),
            tuple(warnings),
            p.drug_free_nights,
            p.span,
            found.total,
        )
        return given, found.total

    def _nearest_workable(
        self,
        slots: tuple[Slot, ...],
        p: Proposal,
        current: int,
        order: list[int],
        lo: int,
        hi: int,
        liquid: bool = True,
    ) -> tuple[Choice | None, int, str]:
        """No dose lies in the range: a larger cut (as far as the hard limit) with a longer
        interval that keeps the pace, or a gentler cut, whichever is nearer the range."""
        state = self.state
        day = state.next_day()
        larger = (
            choose(
                state, slots, order, p.floor, lo - 1, lo, day,
                window=p.window, final=p.final, liquid=liquid,
            )
            if p.floor < lo
            else None
        )
        least = hi + 1
        most = current - max((current - hi) // 2, 1)
        gentler = (
            choose(
                state, slots, order, least, most, least, day,
                window=p.window, final=p.final, liquid=liquid,
            )
            if least <= most
            else None
        )
        if larger is not None and (gentler is None or lo - larger.total < gentler.total - hi):
            aimed = max(current - p.target, 1)
            days = min(-(-p.days * (current - larger.total) // aimed), 365)
            return larger, days, (
                f"no dose the products make lies in the range ({p.span}): the nearest larger "
                f"step is used, every {days} days to keep the pace"
            )
        if gentler is not None:
            return gentler, p.days, (
                f"no dose the products make lies in the range ({p.span}): the nearest gentler "
                "step is used"
            )
        return None, p.days, ""

    # -- switching to diazepam when the drug's own products cannot go on -------------------
    def _reducible(self, slots: tuple[Slot, ...]) -> bool:
        """Whether any dose still being replaced can be reduced by the market's products (a
        dose from the patient's supply cannot)."""
        return any(
            s.ug and s.drug != self.switch and self.state.grid(s.drug) is not None for s in slots
        )

    def _can_switch(self, slots: tuple[Slot, ...]) -> bool:
        """Whether switching (the rest of) the plan to diazepam is still open: a drug other
        than diazepam is taken and no switch to diazepam is under way."""
        return self.switch != "diazepam" and any(s.drug != "diazepam" for s in slots if s.ug)

    def _begin_switch(self, slots: tuple[Slot, ...], current: int) -> None:
        drugs = sorted({s.drug for s in slots if s.ug and s.drug != "diazepam"})
        self.switch = "diazepam"
        self._crossing = True
        self._order_of = None
        self.state.warnings.append(
            f"{' and '.join(drugs)}: the {self.state.request.market} products make no step "
            f"within the ceiling from {mg(current)} mg diazepam-eq/day, so the plan switches to "
            f"diazepam from step {len(self.state.steps) + 1} (PrescQIPP: switch products that "
            "do not allow small reductions)"
        )

    def _stuck_hint(self, slots: tuple[Slot, ...]) -> str:
        request = self.state.request
        parts = []
        if not request.allow_liquid:
            parts.append("allow the oral liquid")
        if self._can_switch(slots):
            parts.append("switch to diazepam")
        parts.append("raise the final dose")
        if not request.override_reason:
            parts.append("or record a reason to override the ceiling")
        return "; ".join(parts)

    # -- the rest ---------------------------------------------------------------------------
    def _order(self, slots: tuple[Slot, ...]) -> list[int]:
        """Indices of ``slots`` in the order they are cut: a drug being substituted out first,
        then the request's order, then earliest first (bedtime last by default)."""
        if self._order_of is None or len(self._order_of) != len(slots):
            self._order_of = self._sorted(slots)
        return self._order_of

    def _sorted(self, slots: tuple[Slot, ...]) -> list[int]:
        listed = {t: i for i, t in enumerate(self.state.request.reduce_order)}
        switch = self.switch
        return sorted(
            range(len(slots)),
            key=lambda i: (
                switch is not None and slots[i].drug == switch,
                listed.get(slots[i].time, len(listed)),
                slots[i].time,
                slots[i].drug,
            ),
        )

    def _plateau(self, slots: tuple[Slot, ...], current: int) -> None:
        self.state.add_step(
            slots,
            "plateau",
            PLATEAU_REVIEW_DAYS,
            (
                f"maintenance at {mg(current)} mg diazepam-eq/day as asked; review within "
                f"{PLATEAU_REVIEW_DAYS} days (JCPG 2025 Rec 1: at least every 3 months)",
            ),
        )

    def _redistribute(self, slots: tuple[Slot, ...]) -> tuple[Slot, ...]:
        """Divide the working drug's daily dose as evenly as the products allow across
        ``request.dose_times`` (each time the nearest dose at or below an even share of what is
        left, so the day's total is kept); kept as it is, and said, when the products cannot
        divide it without a reduction beyond the ceiling."""
        state = self.state
        times = tuple(sorted(state.request.dose_times))
        drug = _working_drug(slots)
        if drug is None:
            raise InputError("dose_times", "several drugs", "one working drug to divide")
        evenly = len({s.ug for s in slots}) == 1
        if tuple(sorted(s.time for s in slots if s.ug)) == times and evenly:
            return slots
        grid = state.grid(drug)
        if grid is None:
            raise InputError("dose_times", drug, "a drug the market's products can divide")
        total = sum(s.ug for s in slots)
        left = total
        new = []
        for i, at in enumerate(times):
            want = left // (len(times) - i)
            given = grid.at_most(want)
            new.append(Slot(at, drug, given, given))
            left -= given
        new[-1] = new[-1].at(grid.at_most(new[-1].ug + left), new[-1].ug + left)
        new_total = state.eq.total(new)
        shown = ", ".join(t.strftime("%H:%M") for t in times)
        was = state.eq.total(slots)
        if new_total < state.window_floor(state.next_day()) or not new_total:
            state.warnings.append(
                f"the daily {mg(total)} mg {drug} cannot be divided across {shown} with the "
                f"{state.request.market} products without a larger cut: the dose times are kept"
            )
            return slots
        note = f"the daily {mg(total)} mg {drug} divided across {shown}"
        if new_total < was:
            note += f"; the products make this a reduction to {mg(new_total)} mg"
        live = tuple(s for s in new if s.ug)
        return state.add_step(live, "redistribute", state.request.crossover_days, (note,))


def _working_drug(slots: tuple[Slot, ...]) -> str | None:
    drugs = {s.drug for s in slots if s.ug > 0}
    return drugs.pop() if len(drugs) == 1 else None

