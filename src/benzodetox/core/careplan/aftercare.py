"""Aftercare after the last dose: contacts, reviews, protracted-withdrawal checks (BWSQ) and
PHQ-9 / GAD-7 follow-up, generated from programme policy and editable.

Aftercare lasts at least 90 days after the last dose (NIDA, *Principles of Drug Addiction
Treatment*, 3rd ed. 2018: under 90 days is of limited effectiveness); the policy's default length
and contact intervals come from ``core/data/aftercare.toml``, each figure with its source, and a
programme may override them (never below the 90-day minimum).

>>> from datetime import date
>>> care = aftercare_plan(date(2025, 6, 30))
>>> care.start, (care.end - date(2025, 6, 30)).days >= 90
(datetime.date(2025, 7, 1), True)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from typing import Any

from ..errors import DataError, InputError
from ..plan import Plan
from ._data import load, need_str

__all__ = [
    "AftercareItem",
    "AftercarePlan",
    "AftercarePolicy",
    "ContactPhase",
    "Figure",
    "Instrument",
    "add_item",
    "aftercare_plan",
    "default_policy",
    "extend",
    "mark_done",
    "move_item",
    "remove_item",
]

ITEM_KINDS = ("contact", "review", "referral")


@dataclass(frozen=True)
class Figure:
    """A policy figure with its source; ``confirmed`` False means shown as unconfirmed."""

    value: int
    source: str
    label: str
    confirmed: bool = True


@dataclass(frozen=True)
class ContactPhase:
    from_day: int
    until_day: int
    every: Figure


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    purpose: str
    source: str
    label: str


@dataclass(frozen=True)
class AftercarePolicy:
    minimum_days: Figure
    days: Figure
    contact_phases: tuple[ContactPhase, ...]
    review_every: Figure
    instruments: tuple[Instrument, ...]

    def with_changes(
        self,
        *,
        days: int | None = None,
        review_every_days: int | None = None,
        contact_phases: tuple[tuple[int, int, int], ...] | None = None,
        instruments: tuple[str, ...] | None = None,
        reason: str = "programme policy",
    ) -> AftercarePolicy:
        """A programme's overrides; each overridden figure is sourced to ``reason``.

        ``contact_phases`` are (from_day, until_day, every_days) triples.
        """
        policy = self
        if days is not None:
            _check_days(days, self.minimum_days.value)
            policy = replace(policy, days=Figure(days, reason, "programme"))
        if review_every_days is not None:
            _check_interval("review_every_days", review_every_days)
            policy = replace(policy, review_every=Figure(review_every_days, reason, "programme"))
        if contact_phases is not None:
            phases = []
            for start, until, every in contact_phases:
                _check_interval("contact every_days", every)
                if not 1 <= start <= until:
                    raise InputError("contact phase", (start, until), "1 <= from_day <= until_day")
                phases.append(ContactPhase(start, until, Figure(every, reason, "programme")))
            policy = replace(policy, contact_phases=tuple(phases))
        if instruments is not None:
            known = {i.id: i for i in default_policy().instruments}
            for name in instruments:
                if name not in known:
                    raise InputError("instrument", name, ", ".join(known))
            policy = replace(policy, instruments=tuple(known[n] for n in instruments))
        return policy


def _check_days(days: int, minimum: int) -> None:
    if isinstance(days, bool) or days < minimum or days > 3650:
        raise InputError(
            "aftercare days", days, f"at least {minimum} days after the last dose",
            hint="NIDA: less than 90 days of treatment is of limited effectiveness",
        )


def _check_interval(field: str, every: int) -> None:
    if isinstance(every, bool) or not 1 <= every <= 365:
        raise InputError(field, every, "a whole number of days from 1 to 365")


def _figure(raw: dict[str, Any], where: str) -> Figure:
    return Figure(
        value=int(raw["value"] if "value" in raw else raw["every_days"]),
        source=need_str(raw, "source", where),
        label=need_str(raw, "label", where),
        confirmed=bool(raw.get("confirmed", raw.get("label") != "R")),
    )


@cache
def default_policy() -> AftercarePolicy:
    """The data file's policy (figures labelled; [R] ones shown as unconfirmed)."""
    raw = load("aftercare.toml")["aftercare"]
    policy = AftercarePolicy(
        minimum_days=_figure(raw["minimum_days"], "aftercare.minimum_days"),
        days=_figure(raw["default_days"], "aftercare.default_days"),
        contact_phases=tuple(
            ContactPhase(int(p["from_day"]), int(p["until_day"]), _figure(p, "contact_phase"))
            for p in raw.get("contact_phase", ())
        ),
        review_every=_figure(raw["review_every_days"], "aftercare.review_every_days"),
        instruments=tuple(
            Instrument(
                id=need_str(i, "id", "instrument"),
                name=need_str(i, "name", "instrument"),
                purpose=need_str(i, "purpose", "instrument"),
                source=need_str(i, "source", "instrument"),
                label=need_str(i, "label", "instrument"),
            )
            for i in raw.get("instrument", ())
        ),
    )
    if policy.days.value < policy.minimum_days.value:
        raise DataError("aftercare.toml: default_days is below minimum_days")
    return policy


@dataclass(frozen=True)
class AftercareItem:
    """One dated aftercare task; ``done`` is None until recorded."""

    on: date
    kind: str  # "contact", "review", "referral"
    title: str
    instruments: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    done: bool | None = None
    note: str = ""


@dataclass(frozen=True)
class AftercarePlan:
    last_dose: date
    end: date
    items: tuple[AftercareItem, ...]
    policy: AftercarePolicy

    @property
    def start(self) -> date:
        return self.last_dose + timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.last_dose).days


def aftercare_plan(
    last_dose: Plan | date,
    policy: AftercarePolicy | None = None,
    *,
    sud: bool = False,
) -> AftercarePlan:
    """Aftercare from the day after the last dose, by ``policy`` (default: the data file's).

    With ``sud`` a continuing-care referral is added on the first day (2025 Joint Guideline
    Rec 22: after the taper, continue treating the substance use disorder or refer).
    """
    if isinstance(last_dose, Plan):
        day = last_dose.last_dose_date
        if day is None:
            raise InputError("plan", "no doses", "a plan with at least one dose")
    else:
        day = last_dose
    policy = policy or default_policy()
    _check_days(policy.days.value, policy.minimum_days.value)
    end = day + timedelta(days=policy.days.value)
    by_day: dict[int, AftercareItem] = {}
    for phase in policy.contact_phases:
        n = phase.from_day
        while n <= min(phase.until_day, policy.days.value):
            by_day[n] = AftercareItem(
                on=day + timedelta(days=n),
                kind="contact",
                title="Contact with the care team",
                sources=(phase.every.source,),
            )
            n += phase.every.value
    names = tuple(i.name for i in policy.instruments)
    sources = (policy.review_every.source, *(i.source for i in policy.instruments))
    n = policy.review_every.value
    while n <= policy.days.value:
        by_day[n] = AftercareItem(
            on=day + timedelta(days=n),
            kind="review",
            title="Review: protracted-withdrawal, mood and anxiety checks",
            instruments=names,
            sources=tuple(dict.fromkeys(sources)),
        )
        n += policy.review_every.value
    # The last day is always a review, so aftercare closes with a check.
    by_day[policy.days.value] = AftercareItem(
        on=end,
        kind="review",
        title="End-of-aftercare review",
        instruments=names,
        sources=tuple(dict.fromkeys((policy.minimum_days.source, *sources))),
    )
    items = [by_day[k] for k in sorted(by_day)]
    if sud:
        items.insert(
            0,
            AftercareItem(
                on=day + timedelta(days=1),
                kind="referral",
                title="Continuing care for the substance use disorder (treat or refer)",
                sources=("jcpg-2025",),
            ),
        )
    return AftercarePlan(last_dose=day, end=end, items=tuple(items), policy=policy)


def _sorted(items: list[AftercareItem]) -> tuple[AftercareItem, ...]:
    return tuple(sorted(items, key=lambda i: (i.on, ITEM_KINDS.index(i.kind))))


def add_item(care: AftercarePlan, item: AftercareItem) -> AftercarePlan:
    """A new plan with ``item`` added (it must fall after the last dose)."""
    if item.kind not in ITEM_KINDS:
        raise InputError("kind", item.kind, ", ".join(ITEM_KINDS))
    if item.on <= care.last_dose:
        raise InputError("date", item.on.isoformat(), f"a date after {care.last_dose.isoformat()}")
    end = max(care.end, item.on)
    return replace(care, items=_sorted([*care.items, item]), end=end)


def remove_item(care: AftercarePlan, index: int) -> AftercarePlan:
    """A new plan without item ``index``; the final review cannot be removed."""
    if not 0 <= index < len(care.items):
        raise InputError("item", index, f"an item number from 0 to {len(care.items) - 1}")
    if care.items[index].on == care.end and care.items[index].kind == "review":
        raise InputError("item", index, "an item other than the final review",
                         hint="aftercare must end with a review")
    return replace(care, items=care.items[:index] + care.items[index + 1 :])


def move_item(care: AftercarePlan, index: int, on: date) -> AftercarePlan:
    """A new plan with item ``index`` moved to ``on`` (after the last dose)."""
    if not 0 <= index < len(care.items):
        raise InputError("item", index, f"an item number from 0 to {len(care.items) - 1}")
    if on <= care.last_dose:
        raise InputError("date", on.isoformat(), f"a date after {care.last_dose.isoformat()}")
    items = list(care.items)
    items[index] = replace(items[index], on=on)
    return replace(care, items=_sorted(items), end=max(care.end, on))


def mark_done(care: AftercarePlan, index: int, done: bool, note: str = "") -> AftercarePlan:
    """A new plan with item ``index`` recorded as done (or not done)."""
    if not 0 <= index < len(care.items):
        raise InputError("item", index, f"an item number from 0 to {len(care.items) - 1}")
    items = list(care.items)
    items[index] = replace(items[index], done=done, note=note or items[index].note)
    return replace(care, items=tuple(items))


def extend(care: AftercarePlan, days: int) -> AftercarePlan:
    """The plan lengthened (or shortened, never below the minimum) to ``days`` after the last
    dose: items already in the plan are kept where they still fall inside it (with anything
    recorded on them), and the policy's items are added for the new days."""
    policy = care.policy.with_changes(days=days, reason="changed by the care team")
    fresh = aftercare_plan(care.last_dose, policy)
    kept = [
        i for i in care.items
        if i.on <= fresh.end and not (i.on == care.end and i.kind == "review" and i.done is None)
    ]
    have = {(i.on, i.kind) for i in kept}
    added = [i for i in fresh.items if (i.on, i.kind) not in have and i.kind != "referral"]
    return replace(fresh, items=_sorted(kept + added))
