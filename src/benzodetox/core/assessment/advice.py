"""Taper advice from a plan and the assessments made over time.

Actions, in the order they are considered (the first that applies wins):

``escalate``
    an emergency event (seizure, delirium, psychosis or hallucinations, suicidality — including
    a PHQ-9 item 9 answer above 0) at the latest assessment: Rec 5c / Rec 12; restore
    benzodiazepine cover (step back) unless the only event is suicidality (hold). Also a
    CIWA-B that escalates (``assessment.alerts.escalates``: very severe, or severe with vital
    signs beyond the thresholds or a previous withdrawal seizure): the escalation's actions
    come first, then the plan change the symptoms call for (step back or hold, below).
``pause``
    significant sleep disturbance in bipolar or psychotic disorder: Rec 26a (hold, reviewed).
``step-back``
    severe symptoms within the window after the latest reduction (rare, patient guide).
``plateau``
    significant symptoms after ``plateau_after`` reductions: maintain the lower dose.
``slow``
    significant symptoms after ``slow_after`` reductions ("repeated holds").
``hold``
    significant symptoms within 7 days after the latest reduction (or later, with a note to
    look for other causes).
``proceed``
    otherwise.

"Significant" and "severe" are the clinician's judgement when recorded, otherwise the CIWA-B
total against the policy's thresholds (the unconfirmed CIWA-B bands). Assessments after ``on``
are ignored and their order does not matter: the same inputs always give the same advice.

The advice carries the plan adjustment it proposes as data (:class:`Adjustment`);
:func:`benzodetox.core.assessment.propose.propose` applies it with the tapering engine's
adjustment functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from ..errors import InputError
from ..plan import Plan, Step
from ._common import Reason, read_data
from .alerts import (
    SLEEP_CONDITIONS,
    Facts,
    escalates,
    other_withdrawal,
    paired_within,
    recheck_action,
)
from .emergencies import Escalation, escalation_for, event_key
from .instruments import Score, instrument, score
from .schedule import InpatientRule
from .vitals import Finding, ThresholdSet, VitalSigns, check_vitals, vitals_from_dict

__all__ = [
    "ACTIONS",
    "Adjustment",
    "Advice",
    "AdvicePolicy",
    "Observation",
    "advise",
    "assessments_from_dict",
    "current_observations",
    "default_policy",
    "observations_from_dict",
]

_DATA = read_data("advice.toml")
ACTIONS: tuple[str, ...] = tuple(_DATA["actions"])


@dataclass(frozen=True)
class AdvicePolicy:
    """Programme policy for advice; the defaults come from advice.toml (unconfirmed)."""

    hold_days: int
    significant_ciwa_b_from: int
    severe_ciwa_b_from: int
    slow_after: int
    plateau_after: int
    slow_factor: Decimal
    window_days: int
    source: str
    confirmed: bool

    def __post_init__(self) -> None:
        for name in ("hold_days", "window_days", "slow_after", "plateau_after"):
            if getattr(self, name) < 1:
                raise InputError(name, getattr(self, name), "a whole number of at least 1")
        if self.plateau_after < self.slow_after:
            raise InputError(
                "plateau_after", self.plateau_after, f"at least slow_after ({self.slow_after})"
            )
        if not 0 < self.slow_factor < 1:
            raise InputError("slow_factor", self.slow_factor, "a fraction between 0 and 1")
        top = instrument("ciwa-b").max_total
        if not 0 < self.significant_ciwa_b_from <= self.severe_ciwa_b_from <= top:
            raise InputError(
                "severe_ciwa_b_from",
                self.severe_ciwa_b_from,
                f"CIWA-B totals with 0 < significant ≤ severe ≤ {top}",
            )


def default_policy() -> AdvicePolicy:
    p = _DATA["policy"]
    return AdvicePolicy(
        hold_days=int(p["hold_days"]),
        significant_ciwa_b_from=int(p["significant_ciwa_b_from"]),
        severe_ciwa_b_from=int(p["severe_ciwa_b_from"]),
        slow_after=int(p["slow_after"]),
        plateau_after=int(p["plateau_after"]),
        slow_factor=Decimal(p["slow_factor"]),
        window_days=int(_DATA["window"]["after_reduction_days"]),
        source=p["source"],
        confirmed=bool(p["confirmed"]),
    )


@dataclass(frozen=True)
class Observation:
    """One assessment: scores, emergency events, sleep disturbance, the clinician's judgement
    (``significant`` / ``severe``, which override the CIWA-B thresholds when given) and vitals."""

    at: datetime
    scores: tuple[Score, ...] = ()
    events: tuple[str, ...] = ()
    sleep_disturbance: bool = False
    significant: bool | None = None
    severe: bool | None = None
    vitals: VitalSigns | None = None


@dataclass(frozen=True)
class Adjustment:
    """The plan change advice proposes, as data: ``kind`` is one of "none", "hold", "slow",
    "step_back" or "plateau" (the tapering engine's adjustment functions), from ``on``."""

    kind: str
    on: date
    reason: str
    days: int | None = None
    percent: Decimal | None = None
    interval_days: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "on": self.on.isoformat(),
            "reason": self.reason,
            "days": self.days,
            "percent": None if self.percent is None else str(self.percent),
            "interval_days": self.interval_days,
        }


@dataclass(frozen=True)
class Advice:
    action: str
    on: date
    reasons: tuple[Reason, ...]
    adjustment: Adjustment
    escalation: Escalation | None = None
    findings: tuple[Finding, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "action": self.action,
            "on": self.on.isoformat(),
            "reasons": [r.as_dict() for r in self.reasons],
            "adjustment": self.adjustment.as_dict(),
            "escalation": None if self.escalation is None else self.escalation.as_dict(),
            "vital_signs": [f.as_dict() for f in self.findings],
        }


def _action_reason(action: str, extra: str = "") -> Reason:
    row = _DATA["actions"][action]
    return Reason(
        code=action,
        text=row["text"] + (f" ({extra})" if extra else ""),
        source=row["source"],
        confirmed=bool(row["confirmed"]),
        rec=row.get("rec", ""),
    )


def _policy_reason(policy: AdvicePolicy, text: str) -> Reason:
    return Reason(code="policy", text=text, source=policy.source, confirmed=policy.confirmed)


def _ciwa_b(o: Observation) -> int | None:
    totals = [s.total for s in o.scores if s.instrument == "ciwa-b"]
    return max(totals) if totals else None


def _severe(o: Observation, policy: AdvicePolicy) -> bool:
    if o.severe is not None:
        return o.severe
    total = _ciwa_b(o)
    return total is not None and total >= policy.severe_ciwa_b_from


def _significant(o: Observation, policy: AdvicePolicy) -> bool:
    if o.significant is not None:
        return o.significant or bool(o.severe)
    if o.severe:
        return True
    total = _ciwa_b(o)
    return total is not None and total >= policy.significant_ciwa_b_from


def _events(o: Observation) -> set[str]:
    found = {event_key(e) for e in o.events}
    for s in o.scores:
        if "suicidality" in s.flags:
            found.add("suicidality")
    return found


def _in_window(o: Observation, step: Step, days: int) -> bool:
    return step.start <= o.at.date() < step.start + timedelta(days=days)


def _current_percent(plan: Plan, last: Step) -> Decimal:
    """The reduction percentage in use: the plan's strategy's (the clinician's or its default),
    else the last reduction's."""
    if plan.request is not None:
        from ..tapering import percent_in_use

        found = percent_in_use(plan.request)
        if found is not None:
            return found
    return last.reduction_percent


def _previous(plan: Plan, step: Step) -> Step | None:
    earlier = [s for s in plan.steps if s.end < step.start]
    return earlier[-1] if earlier else None


def current_observations(
    observations: Iterable[Observation], recheck: InpatientRule | None = None
) -> list[Observation]:
    """The patient's current state: the newest observation, with the newest score of each other
    instrument and the newest vital signs taken within the escalation's overdue interval before
    it (8 h by default; a CIWA-B and the vital signs taken an hour apart are one assessment, as
    the alerts read them). Emergency events, sleep disturbance and the clinician's judgement
    count only where they were recorded with the newest observation or with a score kept."""
    seen = sorted(observations, key=lambda o: o.at)
    if not seen:
        return []
    window = paired_within(recheck)
    last_at = seen[-1].at
    kept: list[Observation] = []
    instruments: set[str] = set()
    have_vitals = False
    for o in reversed(seen):
        if o.at < last_at - window:
            break
        scores = tuple(s for s in o.scores if s.instrument not in instruments)
        vitals = None if have_vitals else o.vitals
        if o.at == last_at:
            kept.append(o)
        elif scores or vitals is not None:
            judged = any(s.instrument == "ciwa-b" for s in scores)
            kept.append(
                Observation(
                    at=o.at,
                    scores=scores,
                    vitals=vitals,
                    significant=o.significant if judged else None,
                    severe=o.severe if judged else None,
                )
            )
        instruments |= {s.instrument for s in o.scores}
        have_vitals = have_vitals or o.vitals is not None
    return kept[::-1]


def advise(
    plan: Plan,
    observations: Iterable[Observation],
    on: date,
    conditions: Iterable[str] = (),
    policy: AdvicePolicy | None = None,
    thresholds: ThresholdSet | None = None,
    facts: Facts | None = None,
    recheck: InpatientRule | None = None,
) -> Advice:
    """The advice for ``plan`` on ``on`` given the ``observations`` so far (see module text).
    ``facts`` are the intake's conditions, history and substances (``conditions`` adds to
    them); ``recheck`` the programme's interval after an escalation."""
    pol = policy if policy is not None else default_policy()
    seen = sorted((o for o in observations if o.at.date() <= on), key=lambda o: o.at)
    known = facts if facts is not None else Facts()
    cond = frozenset(conditions) | known.conditions
    extra = (recheck_action(recheck),)
    reductions = [s for s in plan.steps if s.kind == "reduction" and s.start <= on]
    current = plan.step_on(on)
    holding = current is not None and current.kind in ("hold", "plateau")

    findings: list[Finding] = []
    latest = current_observations(seen, recheck)
    if latest:
        for o in latest:
            if o.vitals is not None:
                findings.extend(check_vitals(o.vitals, thresholds))
    vital_reasons = tuple(
        Reason(code=f"vitals.{f.sign}", text=f.text, source=f.source, confirmed=f.confirmed)
        for f in findings
    )
    withdrawal: list[Reason] = []
    for o in latest:
        for s in o.scores:
            withdrawal += escalates(s, findings, known)
    if withdrawal:
        withdrawal += other_withdrawal(known)
    severe_withdrawal = escalation_for([], ["severe-withdrawal"], extra) if withdrawal else None

    escalation: Escalation | None = None

    def done(action: str, kind: str, reasons: list[Reason], **params: Any) -> Advice:
        nonlocal escalation
        text = reasons[0].text
        if severe_withdrawal is not None and action != "escalate":
            escalation = severe_withdrawal
            reasons = [
                _action_reason("escalate", "severe withdrawal"),
                *withdrawal,
                *severe_withdrawal.actions,
                *reasons,
            ]
            action = "escalate"
        if kind in ("hold",) and holding:
            kind, params = "none", {}
            reasons.append(
                Reason(
                    code="already-holding",
                    text="the plan is already holding at this date: no further change proposed",
                    source=reasons[0].source,
                    confirmed=reasons[0].confirmed,
                )
            )
        adjustment = Adjustment(kind=kind, on=on, reason=text, **params)
        return Advice(
            action=action,
            on=on,
            reasons=(*reasons, *vital_reasons),
            adjustment=adjustment,
            escalation=escalation,
            findings=tuple(findings),
        )

    events = set().union(*(_events(o) for o in latest)) if latest else set()
    if events:
        escalation = escalation_for(
            sorted(events), ["severe-withdrawal"] if withdrawal else [], extra
        )
        reasons = [
            _action_reason("escalate", ", ".join(escalation.names)),
            *withdrawal,
            *escalation.actions,
        ]
        last = reductions[-1] if reductions else None
        if events != {"suicidality"} and last is not None and _previous(plan, last) is not None:
            return done("escalate", "step_back", reasons)
        reasons.append(_policy_reason(pol, f"hold for {pol.hold_days} days, then review"))
        return done("escalate", "hold", reasons, days=pol.hold_days)

    if cond & SLEEP_CONDITIONS and any(o.sleep_disturbance for o in latest):
        reasons = [
            _action_reason("pause", ", ".join(sorted(cond & SLEEP_CONDITIONS))),
            _policy_reason(pol, f"hold for {pol.hold_days} days, then review the sleep"),
        ]
        return done("pause", "hold", reasons, days=pol.hold_days)

    window = Reason(
        code="window",
        text=f"symptoms counted within {pol.window_days} days after a reduction",
        source=_DATA["window"]["source"],
        confirmed=bool(_DATA["window"]["confirmed"]),
        rec=_DATA["window"]["rec"],
    )
    thresholds_reason = _policy_reason(
        pol,
        f"significant = clinician's judgement or CIWA-B ≥ {pol.significant_ciwa_b_from}; "
        f"severe = clinician's judgement or CIWA-B ≥ {pol.severe_ciwa_b_from}",
    )
    if reductions:
        last = reductions[-1]
        in_last = [o for o in seen if _in_window(o, last, pol.window_days)]
        symptomatic = [
            r
            for r in reductions
            if any(_significant(o, pol) for o in seen if _in_window(o, r, pol.window_days))
        ]
        n = len(symptomatic)
        on_last = f"after the reduction of {last.start.isoformat()}"
        if any(_severe(o, pol) for o in in_last) and _previous(plan, last) is not None:
            reasons = [_action_reason("step-back", on_last), window, thresholds_reason]
            return done("step-back", "step_back", reasons)
        if any(_significant(o, pol) for o in in_last):
            count = f"{n} reductions followed by significant symptoms"
            if n >= pol.plateau_after:
                reasons = [
                    _action_reason("plateau", count),
                    window,
                    thresholds_reason,
                    _policy_reason(pol, f"plateau after {pol.plateau_after} such reductions"),
                ]
                return done("plateau", "plateau", reasons)
            if n >= pol.slow_after:
                was = _current_percent(plan, last)
                percent = (was * pol.slow_factor).quantize(Decimal("0.01"), ROUND_FLOOR)
                if percent > 0:
                    reasons = [
                        _action_reason("slow", count),
                        window,
                        thresholds_reason,
                        _policy_reason(
                            pol,
                            f"slow after {pol.slow_after} such reductions: next reductions "
                            f"{percent.normalize():f}% instead of {was.normalize():f}%",
                        ),
                    ]
                    return done("slow", "slow", reasons, percent=percent)
            reasons = [
                _action_reason("hold", on_last),
                window,
                thresholds_reason,
                _policy_reason(pol, f"hold for {pol.hold_days} days, then review"),
            ]
            return done("hold", "hold", reasons, days=pol.hold_days)
    if latest and any(_significant(o, pol) for o in latest):
        reasons = [
            _action_reason(
                "hold", "not within the window after a reduction: look for other causes"
            ),
            thresholds_reason,
            _policy_reason(pol, f"hold for {pol.hold_days} days, then review"),
        ]
        return done("hold", "hold", reasons, days=pol.hold_days)
    reasons = [_action_reason("proceed")]
    if not seen:
        reasons.append(
            Reason(
                code="no-assessment",
                text="no assessment recorded yet: assess with each dose reduction",
                source="jcpg-2025",
                confirmed=True,
                rec="Rec 9",
            )
        )
    return done("proceed", "none", reasons)


_OBS_FIELDS = ("at", "scores", "events", "sleep_disturbance", "significant", "severe", "vitals")


def _datetime(value: object, where: str) -> datetime:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(where, value, "a date and time such as 2025-03-04T09:00")


def _optional_bool(value: object, where: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise InputError(where, value, "true, false or null")


def observations_from_dict(data: object) -> tuple[tuple[Observation, ...], frozenset[str]]:
    """Assessments and the conditions from plain data (see ``assessments_from_dict``)."""
    found, facts = assessments_from_dict(data)
    return found, facts.conditions


def assessments_from_dict(data: object) -> tuple[tuple[Observation, ...], Facts]:
    """Assessments from plain data: ``{"conditions": [...], "history": [...], "substances":
    [...], "assessments": [{...}, ...]}`` (or just the list; the facts are the intake's names,
    e.g. ``"history": ["withdrawal_seizure"]``). Each assessment has ``at`` (ISO date-time) and
    any of ``scores`` (instrument → answers), ``events``, ``sleep_disturbance``,
    ``significant``, ``severe`` and ``vitals``. Fields are named in errors as
    ``assessments[2].scores.ciwa-b``."""
    from .alerts import facts_from_dict

    facts = Facts()
    rows: object = data
    if isinstance(data, Mapping):
        allowed = ("conditions", "history", "substances", "assessments")
        for key in data:
            if key not in allowed:
                raise InputError(str(key), data[key], ", ".join(allowed))
        facts = facts_from_dict(data)
        if "assessments" not in data:
            raise InputError("assessments", "nothing", "a list of assessments")
        rows = data["assessments"]
    if not isinstance(rows, list):
        raise InputError("assessments", rows, "a list of assessments")
    out: list[Observation] = []
    for i, row in enumerate(rows):
        where = f"assessments[{i}]"
        if not isinstance(row, Mapping):
            raise InputError(where, row, "an object with at least 'at'")
        for key in row:
            if key not in _OBS_FIELDS:
                raise InputError(f"{where}.{key}", row[key], ", ".join(_OBS_FIELDS))
        if "at" not in row:
            raise InputError(f"{where}.at", "nothing", "a date and time such as 2025-03-04T09:00")
        raw_scores = row.get("scores", {})
        if not isinstance(raw_scores, Mapping):
            raise InputError(f"{where}.scores", raw_scores, "an object: instrument → answers")
        scores = []
        for name, answers in raw_scores.items():
            try:
                scores.append(score(str(name), answers))
            except InputError as error:
                raise InputError(
                    f"{where}.scores.{name}.{error.field}", error.value, error.allowed
                ) from None
        raw_events = row.get("events", [])
        if not isinstance(raw_events, list) or not all(isinstance(e, str) for e in raw_events):
            raise InputError(f"{where}.events", raw_events, "a list of event names")
        events = tuple(event_key(e, f"{where}.events[{k}]") for k, e in enumerate(raw_events))
        sleep = row.get("sleep_disturbance", False)
        if not isinstance(sleep, bool):
            raise InputError(f"{where}.sleep_disturbance", sleep, "true or false")
        vitals = row.get("vitals")
        out.append(
            Observation(
                at=_datetime(row["at"], f"{where}.at"),
                scores=tuple(scores),
                events=events,
                sleep_disturbance=sleep,
                significant=_optional_bool(row.get("significant"), f"{where}.significant"),
                severe=_optional_bool(row.get("severe"), f"{where}.severe"),
                vitals=None if vitals is None else vitals_from_dict(vitals, f"{where}.vitals"),
            )
        )
    return tuple(out), facts
