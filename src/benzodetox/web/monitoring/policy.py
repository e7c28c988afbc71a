"""A programme's monitoring policy: its own thresholds and monitoring frequencies where it set
them, otherwise the core's cited defaults (CIWA-B bands, taper-advice policy, vital-sign
thresholds, the monitoring schedule), each with its source and whether the source confirms it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, cast

from django.db import models

from benzodetox.core.assessment import monitoring_setting, threshold_set_labels
from benzodetox.core.assessment.advice import AdvicePolicy, default_policy
from benzodetox.core.assessment.instruments import Band, BandSet, instrument
from benzodetox.core.assessment.schedule import (
    SchedulePolicy,
    default_schedule,
    programme_schedule,
)
from benzodetox.core.assessment.vitals import ThresholdSet, programme_thresholds, threshold_set

from .models import MonitoringSettings

__all__ = [
    "PROGRAMME_SOURCE",
    "SCHEDULE_FIELDS",
    "VITAL_FIELDS",
    "Policy",
    "Setting",
    "ciwa_b_max",
    "policy_from",
    "setting_for_level",
    "vitals_set_choices",
]

#: how a figure the programme set is labelled (it is programme policy, not a cited source)
PROGRAMME_SOURCE = "programme setting"

#: settings field → (core sign, the operator a reading is compared with)
VITAL_FIELDS: dict[str, tuple[str, str]] = {
    "pulse_above": ("pulse", ">"),
    "sbp_from": ("sbp", ">="),
    "dbp_from": ("dbp", ">="),
    "temperature_above": ("temperature", ">"),
    "spo2_below": ("spo2", "<"),
    "respiratory_rate_above": ("respiratory_rate", ">"),
}

#: settings field → (inpatient phase or outpatient window key, which end of the rule)
SCHEDULE_FIELDS: dict[str, tuple[str, str]] = {
    "stabilisation_due_hours": ("stabilisation", "due_hours"),
    "stabilisation_overdue_hours": ("stabilisation", "overdue_hours"),
    "tapering_due_hours": ("tapering", "due_hours"),
    "tapering_overdue_hours": ("tapering", "overdue_hours"),
    "follow_up_from_day": ("after-reduction", "from_day"),
    "follow_up_to_day": ("after-reduction", "to_day"),
    "escalation_due_hours": ("escalation", "due_hours"),
    "escalation_overdue_hours": ("escalation", "overdue_hours"),
}

DEFAULT_RECENT_DAYS = 7  # the "a reduction due in the next 7 days"
LOOKAHEAD_DAYS = 7


@dataclass(frozen=True)
class Setting:
    """One row of the settings page: the value in force, the core's default and its source."""

    name: str
    label: str
    value: Any
    default: Any
    source: str
    confirmed: bool
    changed: bool


@dataclass(frozen=True)
class Policy:
    bands: BandSet
    advice: AdvicePolicy
    vitals: ThresholdSet
    recent_days: int
    rows: tuple[Setting, ...]
    schedule: SchedulePolicy

    @property
    def moderate_from(self) -> int:
        return self.advice.significant_ciwa_b_from

    @property
    def severe_from(self) -> int:
        return self.advice.severe_ciwa_b_from

    @property
    def very_severe_from(self) -> int:
        for band in self.bands.bands:
            if band.name == "very severe":
                return band.lo
        return ciwa_b_max() + 1


def _label(name: str) -> str:
    """The settings field's label, as the page shows it."""
    field = cast("models.Field[Any, Any]", MonitoringSettings._meta.get_field(name))
    return str(field.verbose_name)


def ciwa_b_max() -> int:
    """The highest CIWA-B total, from the instrument's definition (20 items × 4)."""
    return instrument("ciwa-b").max_total


def vitals_set_choices() -> list[tuple[str, str]]:
    return [(key, f"{key} — {text}") for key, text in threshold_set_labels()]


def _default_band_lo(name: str) -> int:
    bands = instrument("ciwa-b").bands
    assert bands is not None
    return next(b.lo for b in bands.bands if b.name == name)


def policy_from(settings: MonitoringSettings | None) -> Policy:
    """The policy in force for a programme with these settings (None: all defaults)."""
    s = settings if settings is not None else MonitoringSettings()
    default_bands = instrument("ciwa-b").bands
    assert default_bands is not None
    advice = default_policy()
    rows: list[Setting] = []

    moderate = s.ciwa_b_moderate_from or advice.significant_ciwa_b_from
    severe = s.ciwa_b_severe_from or advice.severe_ciwa_b_from
    very = s.ciwa_b_very_severe_from or _default_band_lo("very severe")
    bands_changed = bool(
        s.ciwa_b_moderate_from or s.ciwa_b_severe_from or s.ciwa_b_very_severe_from
    )
    bands = (
        BandSet(
            bands=(
                Band("mild", 1, moderate - 1),
                Band("moderate", moderate, severe - 1),
                Band("severe", severe, very - 1),
                Band("very severe", very, ciwa_b_max()),
            ),
            source=PROGRAMME_SOURCE,
            confirmed=False,
        )
        if bands_changed
        else default_bands
    )
    for name, value, default in (
        ("ciwa_b_moderate_from", s.ciwa_b_moderate_from, advice.significant_ciwa_b_from),
        ("ciwa_b_severe_from", s.ciwa_b_severe_from, advice.severe_ciwa_b_from),
        ("ciwa_b_very_severe_from", s.ciwa_b_very_severe_from, _default_band_lo("very severe")),
    ):
        rows.append(
            Setting(
                name,
                _label(name),
                value or default,
                default,
                f"{default_bands.source} (bands); {advice.source} (advice)",
                default_bands.confirmed,
                value is not None,
            )
        )
    hold_days = s.hold_days or advice.hold_days
    rows.append(
        Setting(
            "hold_days",
            "days a hold lasts",
            hold_days,
            advice.hold_days,
            advice.source,
            advice.confirmed,
            s.hold_days is not None,
        )
    )
    advice_changed = bands_changed or s.hold_days is not None
    advice = replace(
        advice,
        significant_ciwa_b_from=moderate,
        severe_ciwa_b_from=severe,
        hold_days=hold_days,
        confirmed=advice.confirmed and not advice_changed,
    )

    base = threshold_set(s.vitals_set or None)
    changes: dict[str, tuple[str, Decimal]] = {}
    base_by_sign = {t.sign: t for t in base.thresholds}
    for name, (sign, op) in VITAL_FIELDS.items():
        value = getattr(s, name)
        sourced = base_by_sign.get(sign)
        if value is not None:
            changes[sign] = (op, Decimal(value))
        rows.append(
            Setting(
                name,
                _label(name),
                value if value is not None else (sourced.text() if sourced else "none"),
                sourced.text() if sourced else "no sourced threshold",
                base.source,
                base.confirmed,
                value is not None,
            )
        )
    vitals = programme_thresholds(base, changes, PROGRAMME_SOURCE) if changes else base
    recent = s.recent_days or DEFAULT_RECENT_DAYS
    rows.append(
        Setting(
            "recent_days",
            "an assessment counts as recent for (days)",
            recent,
            DEFAULT_RECENT_DAYS,
            "benzodetox-monitoring-practice",
            False,
            s.recent_days is not None,
        )
    )
    schedule = _schedule(s, rows)
    return Policy(
        bands=bands,
        advice=advice,
        vitals=vitals,
        recent_days=recent,
        rows=tuple(rows),
        schedule=schedule,
    )


def _schedule(s: MonitoringSettings, rows: list[Setting]) -> SchedulePolicy:
    """The core's schedule with the programme's own frequencies (rows appended for the page);
    an impossible combination raises the core's ``InputError``."""
    base = default_schedule()
    rules: dict[str, Any] = {r.phase: r for r in base.inpatient}
    rules.update({r.key: r for r in base.outpatient})
    rules["escalation"] = base.escalation
    wanted: dict[str, dict[str, int]] = {}
    for name, (rule_key, end) in SCHEDULE_FIELDS.items():
        rule = rules[rule_key]
        value = getattr(s, name)
        default = getattr(rule, end)
        wanted.setdefault(rule_key, {})[end] = value if value is not None else default
        rows.append(
            Setting(
                name,
                _label(name),
                value if value is not None else default,
                default,
                f"{rule.source} ({rule.rec})" if rule.rec else rule.source,
                rule.confirmed,
                value is not None,
            )
        )
    return programme_schedule(
        base,
        PROGRAMME_SOURCE,
        inpatient={
            r.phase: (wanted[r.phase]["due_hours"], wanted[r.phase]["overdue_hours"])
            for r in base.inpatient
            if r.phase in wanted
        },
        outpatient={
            r.key: (wanted[r.key]["from_day"], wanted[r.key]["to_day"])
            for r in base.outpatient
            if r.key in wanted
        },
        escalation=(wanted["escalation"]["due_hours"], wanted["escalation"]["overdue_hours"]),
    )


def setting_for_level(level: str) -> str:
    """The monitoring schedule for a level of care (the core's rule)."""
    return monitoring_setting(level)
