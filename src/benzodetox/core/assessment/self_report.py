"""Patient self-reports between visits: which items the patient answers, when a check-in is due,
and which answers need the team — with what the patient reads at once.

The patient answers the 17 patient-rated items of the CIWA-B (items 18–20 are observed by a
clinician, instruments.toml), the BWSQ, a sleep question and, when due, the PHQ-9 and GAD-7.
A self-reported CIWA-B is **never** a CIWA-B total: it is the patient-rated part (0–68) and is
never banded or added into a clinician-rated score. It raises an alert when the part alone
reaches the lower end of the programme's "severe" band (the full total can only be higher);
the PHQ-9, GAD-7, PHQ-9 item 9 and sleep rules are the core's own (``alerts.alerts_for``).
Every default is in self_report.toml with its source (unconfirmed ones shown as such).

>>> report = SelfReport(ciwa_b=(3,) * 17, phq_9=(0,) * 8 + (1,))
>>> found = self_report_alerts(report)
>>> [(d.kind, d.severity) for d in found]
[('self-report', 'high'), ('event', 'critical')]
>>> patient_message(found).level
'crisis'
>>> patient_message(()).level
'ok'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from ..errors import DataError, InputError
from ..plan import Plan
from ._common import Reason, read_data
from .advice import Adjustment, AdvicePolicy, _current_percent, default_policy
from .alerts import AlertDecision, Facts, alerts_for
from .instruments import BandSet, Item, Score, instrument, score

__all__ = [
    "REQUEST_KINDS",
    "SELF_INSTRUMENTS",
    "CheckinDue",
    "CheckinSchedule",
    "PatientMessage",
    "ScheduleSetting",
    "SelfReport",
    "checkin_due",
    "checkin_schedule",
    "ciwa_b_alert_from",
    "default_checkin_schedule",
    "extra_dose_alert",
    "message_for",
    "patient_items",
    "patient_message",
    "requested_adjustment",
    "score_patient_part",
    "self_report_alerts",
]

_DATA = read_data("self_report.toml")
#: What a patient may ask for when a step is too hard (the tapering engine's adjustments).
REQUEST_KINDS: tuple[str, ...] = ("hold", "slow")
#: The instruments a self-report may hold, in the order they are asked.
SELF_INSTRUMENTS: tuple[str, ...] = ("bwsq", "ciwa-b", "phq-9", "gad-7")


def patient_items(key: str) -> tuple[Item, ...]:
    """The items of instrument ``key`` the patient answers (CIWA-B: items 1–17)."""
    inst = instrument(key)
    items = tuple(i for i in inst.items if i.rater == "patient")
    if inst.key == "ciwa-b" and len(items) != int(_DATA["ciwa-b"]["patient_items"]):
        raise DataError("self_report.toml [ciwa-b]: patient_items disagrees with instruments.toml")
    return items


def score_patient_part(key: str, answers: Sequence[object]) -> Score:
    """Score the patient-rated items of ``key``. For the CIWA-B this is the patient's part only
    (items 1–17, 0–68): no band, never a CIWA-B total. Other instruments are scored whole
    (every item is patient-rated). A missing or out-of-range answer names its item."""
    inst = instrument(key)
    if inst.key != "ciwa-b":
        return score(inst.key, answers)
    items = patient_items("ciwa-b")
    observed = [0] * (len(inst.items) - len(items))  # only to check each answer's range
    full = score("ciwa-b", [*answers, *observed]) if len(answers) == len(items) else None
    if full is None:
        got = len(answers)
        raise InputError(
            f"item {min(got + 1, len(items) + 1)}",
            "nothing" if got < len(items) else answers[len(items)],
            f"{len(items)} answers, one per patient-rated item (got {got})",
        )
    part = full.answers[: len(items)]
    return Score(
        instrument="ciwa-b",
        answers=part,
        total=sum(part),
        max_total=inst.answer_max * len(items),
        band=None,
        band_confirmed=None,
        band_source=None,
        flags=(),
        notes=(
            Reason(
                code="self-reported-part",
                text=f"self-reported: the {len(items)} patient-rated items only, not a CIWA-B "
                "total (the observed items need a clinician)",
                source=_DATA["ciwa-b"]["source"],
                confirmed=bool(_DATA["ciwa-b"]["confirmed"]),
            ),
        ),
    )


# ----------------------------------------------------------------------------- schedule


@dataclass(frozen=True)
class ScheduleSetting:
    """One check-in schedule figure: in force, the core's default and its source."""

    name: str
    label: str
    value: int
    default: int
    source: str
    confirmed: bool

    @property
    def changed(self) -> bool:
        return self.value != self.default


@dataclass(frozen=True)
class CheckinSchedule:
    after_reduction_from_day: ScheduleSetting
    every_days: ScheduleSetting
    mood_every_days: ScheduleSetting

    @property
    def rows(self) -> tuple[ScheduleSetting, ...]:
        return (self.after_reduction_from_day, self.every_days, self.mood_every_days)


_LIMITS = {"after_reduction_from_day": (0, 28), "every_days": (1, 60), "mood_every_days": (7, 90)}


def _setting(name: str, value: int | None) -> ScheduleSetting:
    row: dict[str, Any] = _DATA["schedule"][name]
    default = int(row["value"])
    if value is None:
        return ScheduleSetting(
            name, row["label"], default, default, row["source"], bool(row["confirmed"])
        )
    lo, hi = _LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InputError(name, value, f"a whole number of days from {lo} to {hi}")
    return ScheduleSetting(name, row["label"], value, default, "programme setting", False)


def default_checkin_schedule() -> CheckinSchedule:
    """The core's defaults (self_report.toml)."""
    return checkin_schedule()


def checkin_schedule(
    after_reduction_from_day: int | None = None,
    every_days: int | None = None,
    mood_every_days: int | None = None,
) -> CheckinSchedule:
    """A programme's check-in schedule: each figure it set (checked), else the default."""
    return CheckinSchedule(
        after_reduction_from_day=_setting("after_reduction_from_day", after_reduction_from_day),
        every_days=_setting("every_days", every_days),
        mood_every_days=_setting("mood_every_days", mood_every_days),
    )


@dataclass(frozen=True)
class CheckinDue:
    """Whether a check-in is due on a day, why, and whether it asks the PHQ-9 and GAD-7."""

    due: bool
    reason: str
    mood: bool


def checkin_due(
    schedule: CheckinSchedule,
    reductions: Sequence[date],
    last_checkin: date | None,
    last_mood: date | None,
    today: date,
) -> CheckinDue:
    """A check-in is due ``after_reduction_from_day`` days after each reduction started (once
    per reduction) and whenever none was made in ``every_days`` days; the PHQ-9 and GAD-7 are
    asked when none was answered in ``mood_every_days`` days.

    >>> s = default_checkin_schedule()
    >>> checkin_due(s, [date(2026, 3, 2)], date(2026, 3, 1), None, date(2026, 3, 5)).reason
    'a reduction started on 2026-03-02'
    >>> checkin_due(s, [], date(2026, 3, 1), date(2026, 3, 1), date(2026, 3, 3)).due
    False
    """
    mood = last_mood is None or (today - last_mood).days >= schedule.mood_every_days.value
    offset = timedelta(days=schedule.after_reduction_from_day.value)
    for start in sorted(reductions, reverse=True):
        if start + offset <= today and (last_checkin is None or last_checkin < start + offset):
            return CheckinDue(True, f"a reduction started on {start.isoformat()}", mood)
    if last_checkin is None:
        return CheckinDue(True, "no check-in yet", mood)
    if (today - last_checkin).days >= schedule.every_days.value:
        return CheckinDue(True, f"no check-in for {schedule.every_days.value} days", mood)
    return CheckinDue(False, "", mood)


# ----------------------------------------------------------------------------- alerts


@dataclass(frozen=True)
class SelfReport:
    """One check-in's answers: each instrument's answers in item order (CIWA-B: the 17
    patient-rated items) or ``None`` when not asked, significant sleep disturbance, and
    whether the patient took extra doses since the last check-in."""

    bwsq: tuple[int, ...] | None = None
    ciwa_b: tuple[int, ...] | None = None
    phq_9: tuple[int, ...] | None = None
    gad_7: tuple[int, ...] | None = None
    sleep_disturbance: bool = False
    extra_doses: bool = False

    def answers(self) -> dict[str, tuple[int, ...]]:
        found = {"bwsq": self.bwsq, "ciwa-b": self.ciwa_b, "phq-9": self.phq_9, "gad-7": self.gad_7}
        return {k: v for k, v in found.items() if v is not None}


def _rule(name: str) -> dict[str, Any]:
    row: dict[str, Any] = _DATA["alerts"][name]
    return row


def _reason(code: str, text: str, row: dict[str, Any]) -> Reason:
    return Reason(code, text, row["source"], bool(row["confirmed"]), row.get("rec", ""))


def ciwa_b_alert_from(bands: BandSet | None = None, alert_from: int | None = None) -> int:
    """The self-reported CIWA-B part at which the team is alerted: the programme's own figure,
    else the lower end of the "severe" band of its CIWA-B bands (default bands: 41)."""
    items = len(patient_items("ciwa-b"))
    top = instrument("ciwa-b").answer_max * items
    if alert_from is not None:
        if isinstance(alert_from, bool) or not 1 <= alert_from <= top:
            raise InputError("ciwa_b_alert_from", alert_from, f"a whole number from 1 to {top}")
        return alert_from
    used = bands if bands is not None else instrument("ciwa-b").bands
    wanted = _rule("ciwa-b")["band"]
    for band in used.bands if used is not None else ():
        if band.name == wanted:
            return band.lo
    raise InputError("bands", wanted, "CIWA-B bands with a 'severe' band")


def extra_dose_alert(detail: str = "") -> AlertDecision:
    """The alert for extra doses the patient reports (check-in or dose diary)."""
    row = _rule("extra-dose")
    return AlertDecision(
        kind="extra-dose",
        severity=row["severity"],
        title="Self-reported: extra doses taken" + (f" ({detail})" if detail else ""),
        reasons=(_reason("extra-dose", row["text"], row),),
    )


def self_report_alerts(
    report: SelfReport,
    *,
    bands: BandSet | None = None,
    ciwa_b_from: int | None = None,
    bwsq_from: int | None = None,
    facts: Facts | None = None,
) -> tuple[AlertDecision, ...]:
    """The alerts a check-in raises: the patient's CIWA-B part at or above the programme's
    threshold (``ciwa_b_alert_from``), the BWSQ at or above ``bwsq_from`` (only when the
    programme sets one), the core's PHQ-9 / GAD-7 / item-9 / sleep rules, and extra doses.
    Every title says "Self-reported" so a clinician never reads it as a rated score."""
    found: list[AlertDecision] = []
    answers = report.answers()
    if "ciwa-b" in answers:
        part = score_patient_part("ciwa-b", answers["ciwa-b"])
        limit = ciwa_b_alert_from(bands, ciwa_b_from)
        if part.total >= limit:
            row = _rule("ciwa-b")
            found.append(
                AlertDecision(
                    kind="self-report",
                    severity=row["severity"],
                    title=f"Self-reported CIWA-B (items 1–17) {part.total} of {part.max_total}",
                    reasons=(
                        _reason(
                            "self-report.ciwa-b",
                            f"the patient-rated part alone is {part.total}, at or above "
                            f"{limit}: assess the patient (a full CIWA-B by a clinician)",
                            row,
                        ),
                    ),
                )
            )
    if "bwsq" in answers:
        total = score_patient_part("bwsq", answers["bwsq"]).total
        if bwsq_from is not None and total >= bwsq_from:
            row = _rule("bwsq")
            text = f"BWSQ {total}, at or above the programme's threshold {bwsq_from}"
            found.append(
                AlertDecision(
                    kind="self-report",
                    severity=row["severity"],
                    title=f"Self-reported BWSQ {total} of 40",
                    reasons=(_reason("self-report.bwsq", text, row),),
                )
            )
    for key in ("phq-9", "gad-7"):
        if key in answers:
            for decision in alerts_for(score(key, answers[key]), facts=facts):
                found.append(replace(decision, title=f"Self-reported: {decision.title}"))
    if report.sleep_disturbance:
        for decision in alerts_for(sleep_disturbance=True, facts=facts):
            found.append(replace(decision, title=f"Self-reported: {decision.title}"))
    if report.extra_doses:
        found.append(extra_dose_alert("check-in"))
    return tuple(found)


@dataclass(frozen=True)
class PatientMessage:
    """What the patient reads at once: ``level`` is "crisis", "call-team" or "ok"."""

    level: str
    title: str
    text: str
    source: str
    confirmed: bool


def patient_message(decisions: Sequence[AlertDecision]) -> PatientMessage:
    """Crisis contacts when the answers mean an emergency (PHQ-9 item 9 above 0), "call your
    care team" for any other alert, otherwise thanks and the plan."""
    if any(d.kind == "event" for d in decisions):
        return message_for("crisis")
    return message_for("call-team" if decisions else "ok")


def message_for(level: str) -> PatientMessage:
    """The message of ``level`` ("crisis", "call-team" or "ok"), e.g. to show it again."""
    row = _DATA["messages"].get(level)
    if row is None:
        raise InputError("level", level, ", ".join(_DATA["messages"]))
    return PatientMessage(level, row["title"], row["text"], row["source"], bool(row["confirmed"]))


# ----------------------------------------------------------------------------- requests


def requested_adjustment(
    plan: Plan,
    kind: str,
    on: date,
    reason: str,
    policy: AdvicePolicy | None = None,
) -> Adjustment:
    """The plan change a patient's "this step is too hard" request asks for, as the advice
    would propose it: a hold of the policy's ``hold_days``, or slower reductions (the current
    percentage times the policy's ``slow_factor``, as advice's "slow")."""
    pol = policy if policy is not None else default_policy()
    if kind not in REQUEST_KINDS:
        raise InputError("kind", kind, ", ".join(REQUEST_KINDS))
    if not reason.strip():
        raise InputError("reason", reason, "why the step is too hard")
    why = f"the patient asked: {reason.strip()}"
    if kind == "hold":
        return Adjustment(kind="hold", on=on, reason=why, days=pol.hold_days)
    reductions = [s for s in plan.steps if s.kind == "reduction"]
    if not reductions:
        raise InputError("kind", kind, "hold (the plan has no reduction to slow)")
    started = [s for s in reductions if s.start <= on] or reductions[:1]
    was = _current_percent(plan, started[-1])
    percent = (was * pol.slow_factor).quantize(Decimal("0.01"), ROUND_FLOOR)
    if percent <= 0:
        raise InputError("kind", kind, "hold (the reductions cannot be made slower)")
    return Adjustment(kind="slow", on=on, reason=why, percent=percent)
