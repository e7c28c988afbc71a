"""Which results of one assessment need a clinician's attention, and what to do: typed alert
decisions for the web app (which stores and shows them), the quick-entry warning (which asks
the same question before saving) and the CLI (``score``, ``advise``).

The rules and their sources are data (alerts.toml, emergencies.toml): a CIWA-B in the severe or
very severe band (unconfirmed bands, Busto 1989 form); PHQ-9 and GAD-7 in their severe band
(Kroenke 2001, Spitzer 2006); PHQ-9 item 9 above 0 and recorded emergency events (Joint
Guideline Rec 5a/5c, 12); vital signs beyond the programme's thresholds (Rec 12a); significant
sleep disturbance in bipolar or psychotic disorder (Rec 26a).

A severe CIWA-B **escalates** (benzodetox-escalation-rule, Rec 5c / Rec 12) when it is very
severe, or severe with vital signs beyond the thresholds or a previous withdrawal seizure: the
alert is critical and lists urgent medical review, seizure precautions, the check for alcohol
and other sedative withdrawal, re-assessing the level of care, and when to reassess.

>>> from benzodetox.core.assessment.instruments import score
>>> ciwa = score("ciwa-b", [4] * 15 + [1, 0, 0, 0, 0])
>>> (decision,) = alerts_for(ciwa, facts=Facts(history=frozenset({"withdrawal_seizure"})))
>>> (decision.severity, decision.title)
('critical', 'CIWA-B 61 (very severe): escalate')
>>> [a.code for a in decision.actions][:2]
['urgent-medical-review', 'seizure-precautions']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ..errors import InputError
from ._common import Reason, read_data
from .emergencies import Escalation, escalation_for, event_key
from .instruments import Score, instrument
from .schedule import InpatientRule, escalation_rule
from .vitals import Finding

__all__ = [
    "SEVERITIES",
    "SLEEP_CONDITIONS",
    "AlertDecision",
    "Facts",
    "alerts_for",
    "escalates",
    "facts_from_dict",
    "other_withdrawal",
    "paired_within",
    "recheck_action",
]

_DATA = read_data("alerts.toml")
_RISK = read_data("risk.toml")
#: Alert severities, most urgent first.
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium")
#: Conditions in which significant sleep disturbance pauses the taper (Rec 26a).
SLEEP_CONDITIONS: frozenset[str] = frozenset(_DATA["sleep"]["conditions"])
_ESC = _DATA["escalation"]


@dataclass(frozen=True)
class Facts:
    """What the intake records that changes an alert: ``conditions`` (e.g. bipolar),
    ``history`` (e.g. withdrawal_seizure) and ``substances`` (e.g. alcohol_use_disorder), as
    risk.toml names them."""

    conditions: frozenset[str] = frozenset()
    history: frozenset[str] = frozenset()
    substances: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("conditions", "history", "substances"):
            known = _RISK[name]
            for item in sorted(getattr(self, name)):
                if item not in known:
                    raise InputError(name, item, ", ".join(known))


def facts_from_dict(data: Mapping[str, Any], where: str = "") -> Facts:
    """Facts from plain data: lists of names under ``conditions``, ``history`` and
    ``substances`` (each optional; ``history`` and ``substances`` may also be written as the
    intake writes them, name → true/false). Unknown names are refused on their field."""
    values: dict[str, frozenset[str]] = {}
    for name in ("conditions", "history", "substances"):
        raw = data.get(name, [])
        field_name = f"{where}{name}"
        if isinstance(raw, Mapping):  # the intake's form: {"withdrawal_seizure": true, ...}
            for key, flag in raw.items():
                if not isinstance(flag, bool):
                    raise InputError(f"{field_name}.{key}", flag, "true or false")
            raw = [key for key, flag in raw.items() if flag]
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            raise InputError(field_name, raw, f"a list of names: {', '.join(_RISK[name])}")
        for i, item in enumerate(raw):
            if item not in _RISK[name]:
                raise InputError(f"{field_name}[{i}]", item, ", ".join(_RISK[name]))
        values[name] = frozenset(raw)
    return Facts(**values)


@dataclass(frozen=True)
class AlertDecision:
    """One alert the assessment raises: ``kind`` ("score", "event", "vitals" or "sleep"),
    ``severity`` (one of ``SEVERITIES``), a short ``title``, the ``reasons`` it is raised (each
    with its source) and the ``actions`` to take (an escalation's, where it escalates)."""

    kind: str
    severity: str
    title: str
    reasons: tuple[Reason, ...]
    actions: tuple[Reason, ...] = ()
    escalation: Escalation | None = None
    findings: tuple[Finding, ...] = field(default=())

    @property
    def escalates(self) -> bool:
        return self.escalation is not None

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source key the decision rests on, once, in order of appearance."""
        keys = [r.source for r in (*self.reasons, *self.actions)]
        keys += [f.source for f in self.findings]
        return tuple(dict.fromkeys(keys))

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "title": self.title,
            "escalated": self.escalates,
            "events": list(self.escalation.events) if self.escalation else [],
            "reasons": [r.as_dict() for r in self.reasons],
            "actions": [a.as_dict() for a in self.actions],
            "findings": [f.as_dict() for f in self.findings],
            "sources": list(self.sources),
        }


def paired_within(rule: InpatientRule | None = None) -> timedelta:
    """How far apart a CIWA-B and vital signs may be taken and still be read as one assessment:
    the escalation's overdue interval (8 h by default), the time within which either is current."""
    return timedelta(hours=(rule if rule is not None else escalation_rule()).overdue_hours)


def recheck_action(rule: InpatientRule | None = None) -> Reason:
    """The escalation's "reassess sooner" action, from the programme's escalation interval."""
    used = rule if rule is not None else escalation_rule()
    hours = (
        f"{used.due_hours}–{used.overdue_hours}"
        if used.due_hours != used.overdue_hours
        else f"{used.due_hours}"
    )
    return Reason(
        code="reassess-sooner",
        text=f"repeat the CIWA-B and vital signs every {hours} h until a reassessment no "
        "longer escalates (programme monitoring policy)",
        source=used.source,
        confirmed=used.confirmed,
        rec=used.rec,
    )


def _reason(code: str, row: Mapping[str, Any], text: str | None = None) -> Reason:
    return Reason(
        code=code,
        text=text if text is not None else row["text"],
        source=row["source"],
        confirmed=bool(row["confirmed"]),
        rec=row.get("rec", ""),
    )


def escalates(scored: Score | None, findings: Sequence[Finding], facts: Facts) -> list[Reason]:
    """Why a CIWA-B escalates (empty: it does not): its band is very severe, or severe with
    vital signs beyond the thresholds or a history the rule names."""
    if scored is None or scored.instrument != _ESC["instrument"] or scored.band is None:
        return []
    unconfirmed = f" ({scored.band_source}, bands unconfirmed)" if not scored.band_confirmed else ""
    rule = f"CIWA-B {scored.total} is {scored.band}{unconfirmed}"
    if scored.band == _ESC["very_severe_band"]:
        return [_reason("escalation.very-severe", _ESC, f"{rule}: escalate")]
    if scored.band != _ESC["severe_band"]:
        return []
    why: list[Reason] = []
    if findings:
        signs = ", ".join(f.sign.replace("_", " ") for f in findings)
        why.append(
            _reason(
                "escalation.vitals",
                _ESC,
                f"{rule} with vital signs beyond the thresholds ({signs}): escalate",
            )
        )
    for key in _ESC["history"]:
        if key in facts.history:
            row = _RISK["history"][key]
            text = f"{rule} with a {row['text']}: escalate"
            why.append(_reason("escalation.history", _ESC, text))
            why.append(_reason(f"history.{key}", row))
    return why


def other_withdrawal(facts: Facts) -> list[Reason]:
    """The intake's substances that make the check for other withdrawal pressing."""
    found = [k for k in _ESC["substances"] if k in facts.substances]
    return [
        _reason(
            f"substances.{k}",
            _RISK["substances"][k],
            f"the intake records {_RISK['substances'][k]['text']}: check for its withdrawal now",
        )
        for k in found
    ]


def alerts_for(
    scored: Score | None = None,
    *,
    event: str | None = None,
    findings: Sequence[Finding] = (),
    sleep_disturbance: bool = False,
    facts: Facts | None = None,
    recheck: InpatientRule | None = None,
    context_scores: Iterable[Score] = (),
) -> tuple[AlertDecision, ...]:
    """The alerts one assessment raises, most urgent kind first: its score, an emergency
    (a recorded ``event``, or a flag meaning one), its vital-sign ``findings``, and sleep
    disturbance in the conditions that pause a taper.

    ``findings`` are the vital signs that go with the assessment (its own, or the patient's
    current ones for a CIWA-B); ``context_scores`` are current scores that go with a set of
    vital signs (a severe CIWA-B then escalates the vital-sign alert). ``recheck`` is the
    programme's interval after an escalation (default: monitoring.toml)."""
    known = facts if facts is not None else Facts()
    found: list[AlertDecision] = []
    extra = (recheck_action(recheck),)

    def escalation(events: Iterable[str], triggers: Iterable[str] = ()) -> Escalation:
        return escalation_for(events, triggers, extra)

    if scored is not None:
        rule = _DATA["score"].get(scored.instrument)
        severity = rule["bands"].get(scored.band) if rule and scored.band else None
        if rule is not None and severity is not None:
            name = instrument(scored.instrument).short
            title = f"{name} {scored.total} ({scored.band})"
            reasons = [
                Reason(
                    code=f"score.{scored.band}",
                    text=f"{name} {scored.total} of {scored.max_total}: {scored.band}",
                    source=scored.band_source or rule["source"],
                    confirmed=bool(scored.band_confirmed),
                )
            ]
            why = escalates(scored, findings, known)
            esc: Escalation | None = None
            if why:
                esc = escalation([], ["severe-withdrawal"])
                severity = _ESC["severity"]
                title += ": escalate"
                reasons += [*why, *other_withdrawal(known)]
            found.append(
                AlertDecision(
                    kind="score",
                    severity=severity,
                    title=title,
                    reasons=tuple(reasons),
                    actions=esc.actions if esc else (),
                    escalation=esc,
                    findings=tuple(findings) if esc else (),
                )
            )
    events = [event_key(event)] if event else []
    if scored is not None and "suicidality" in scored.flags:
        events.append("suicidality")
    if events:
        esc = escalation(events)
        row = _DATA["event"]
        via = f" ({instrument(scored.instrument).short} item 9)" if scored and not event else ""
        found.append(
            AlertDecision(
                kind="event",
                severity=row["severity"],
                title="Emergency: " + ", ".join(esc.names) + via,
                reasons=(_reason("event", row, "emergency: escalate care now"),),
                actions=esc.actions,
                escalation=esc,
            )
        )
    own_vitals = scored is None and bool(findings)
    if own_vitals:
        row = _DATA["vitals"]
        signs = ", ".join(f.sign.replace("_", " ") for f in findings)
        reasons = [_reason("vitals", row)]
        severity, title, esc = row["severity"], f"Vital signs beyond thresholds: {signs}", None
        severe = [s for s in context_scores if escalates(s, findings, known)]
        if severe:
            esc = escalation([], ["severe-withdrawal"])
            severity = _ESC["severity"]
            title += ": escalate"
            reasons += [*escalates(severe[0], findings, known), *other_withdrawal(known)]
        found.append(
            AlertDecision(
                kind="vitals",
                severity=severity,
                title=title,
                reasons=tuple(reasons),
                actions=esc.actions if esc else (),
                escalation=esc,
                findings=tuple(findings),
            )
        )
    conditions = sorted(SLEEP_CONDITIONS & known.conditions)
    if sleep_disturbance and conditions:
        row = _DATA["sleep"]
        words = ", ".join(conditions).replace("_", " ")
        found.append(
            AlertDecision(
                kind="sleep",
                severity=row["severity"],
                title=f"Sleep disturbance with {words}",
                reasons=(_reason("sleep", row),),
            )
        )
    return tuple(found)
