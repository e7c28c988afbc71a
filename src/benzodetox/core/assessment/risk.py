"""Risk of clinically significant benzodiazepine withdrawal.

From the 2025 Joint Guideline's table "Risk of clinically significant withdrawal": use on ≤ 3
days a week → rare; on ≥ 4 days a week the risk depends on the duration (< 1 month, 1–3 months,
≥ 3 months) and the daily dose band in diazepam equivalents (low ≤ 10 mg, moderate > 10–15 mg,
high > 15 mg). The dose is computed with the equivalence table the intake declares (never the
guideline's own examples, which mix two tables). Named modifiers (age ≥ 65, previous withdrawal
seizure or delirium, other substance use, comorbidity …) raise the level by one step — a
benzodetox rule, flagged unconfirmed, since the table gives no size for them. A dose of about
40 mg diazepam-eq a day or more (the high dose of Australian guidance that may need specialist
supervision) counts as such a modifier too, also flagged unconfirmed.

The result names its level first: ``headline`` reads "High risk: 45 mg diazepam-equivalent a
day (high dose), 7 days a week for 24 months; raised by …".

>>> from datetime import time
>>> from decimal import Decimal
>>> from benzodetox.core.regimen import Dose, Regimen
>>> intake = Intake(age=50, regimen=Regimen((Dose(time(22), "diazepam", Decimal(20)),)),
...                 duration_months=Decimal(6), days_per_week=7, source="ashton-2002")
>>> risk = withdrawal_risk(intake)
>>> risk.level
'significant'
>>> risk.headline
'Significant risk: 20 mg diazepam-equivalent a day (high dose), 7 days a week for 6 months'
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..equivalence import convert
from ..units import format_mg, plain_decimal
from ._common import Reason, read_data
from .intake import Intake

__all__ = [
    "HIGH_DOSE_FROM_MG",
    "LEVELS",
    "Risk",
    "condition_labels",
    "dose_band",
    "duration_band",
    "substance_labels",
    "withdrawal_risk",
]

_DATA = read_data("risk.toml")
_TABLE = _DATA["table"]
TABLE_TITLE: str = _TABLE["title"]
#: Risk levels, lowest first.
LEVELS: tuple[str, ...] = tuple(_DATA["levels"]["order"])
#: Diazepam-eq mg/day from which a dose is high enough to prompt specialist supervision.
HIGH_DOSE_FROM_MG = Decimal(_DATA["specialist"]["high_dose_from_mg"])


def _labels(section: str) -> tuple[tuple[str, str], ...]:
    rows = _DATA.get(section, {})
    return tuple((key, str(row.get("text", key))) for key, row in rows.items())


def substance_labels() -> tuple[tuple[str, str], ...]:
    """(key, wording) of each substance the risk rules read from an intake (risk.toml)."""
    return _labels("substances")


def condition_labels() -> tuple[tuple[str, str], ...]:
    """(key, wording) of each condition the risk rules read from an intake (risk.toml)."""
    return _labels("conditions")


@dataclass(frozen=True)
class Risk:
    """The risk level with everything that led to it.

    ``table_level`` is what the table alone says; ``level`` adds the modifiers. ``reasons``
    lists the table rule, each modifier and each disagreement between tables; ``prompts`` is
    advice that goes with the intake (naloxone with opioids, sleep watch in bipolar disorder …).
    ``name`` is the level in words ("High risk") and ``headline`` starts with it.
    """

    level: str
    level_text: str
    name: str
    headline: str
    table_level: str
    dose_band: str
    duration_band: str
    frequent: bool
    diazepam_eq_mg_per_day: Decimal
    range_mg_per_day: tuple[Decimal, Decimal]
    source: str
    modifiers: tuple[Reason, ...]
    reasons: tuple[Reason, ...]
    prompts: tuple[Reason, ...]
    warnings: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "level": self.level,
            "level_text": self.level_text,
            "name": self.name,
            "headline": self.headline,
            "table_level": self.table_level,
            "dose_band": self.dose_band,
            "duration_band": self.duration_band,
            "frequent_use": self.frequent,
            "diazepam_eq_mg_per_day": str(self.diazepam_eq_mg_per_day),
            "range_mg_per_day": [str(x) for x in self.range_mg_per_day],
            "source": self.source,
            "modifiers": [m.as_dict() for m in self.modifiers],
            "reasons": [r.as_dict() for r in self.reasons],
            "prompts": [p.as_dict() for p in self.prompts],
            "warnings": list(self.warnings),
        }


def dose_band(diazepam_eq_mg_per_day: Decimal) -> str:
    """'low' (≤ 10 mg), 'moderate' (> 10 to 15 mg) or 'high' (> 15 mg) diazepam-eq/day."""
    if diazepam_eq_mg_per_day <= Decimal(_TABLE["dose_low_max_mg"]):
        return "low"
    if diazepam_eq_mg_per_day <= Decimal(_TABLE["dose_moderate_max_mg"]):
        return "moderate"
    return "high"


def duration_band(months: Decimal) -> str:
    """'under 1 month', '1–3 months' or '3 months or more'."""
    if months < Decimal(_TABLE["duration_short_below_months"]):
        return "under 1 month"
    if months < Decimal(_TABLE["duration_long_from_months"]):
        return "1–3 months"
    return "3 months or more"


def _table_level(frequent: bool, duration: str, dose: str) -> str:
    if not frequent:
        return "rare"
    if duration == "under 1 month":
        return "lower"
    if duration == "1–3 months":
        return "lower" if dose == "low" else "significant"
    return "significant"


def _reason(code: str, row: dict[str, Any], text: str | None = None) -> Reason:
    return Reason(
        code=code,
        text=text if text is not None else row["text"],
        source=row["source"],
        confirmed=bool(row["confirmed"]),
        rec=row.get("rec", ""),
    )


def _prompt(code: str, row: dict[str, Any]) -> Reason | None:
    prompt = row.get("prompt")
    return _reason(code, prompt) if prompt is not None else None


def _modifiers(intake: Intake, eq: Decimal) -> tuple[list[Reason], list[Reason]]:
    modifiers: list[Reason] = []
    prompts: list[Reason] = []
    if eq >= HIGH_DOSE_FROM_MG:
        modifiers.append(_reason("high_dose", _DATA["high_dose"]))
    age = _DATA["age"]
    if intake.age >= int(age["older_from_years"]):
        modifiers.append(_reason("age", age, f"{age['text']} ({intake.age})"))
    for name in sorted(intake.history):
        modifiers.append(_reason(f"history.{name}", _DATA["history"][name]))
    for name in sorted(intake.substances):
        row = _DATA["substances"][name]
        modifiers.append(_reason(f"substances.{name}", row))
        prompt = _prompt(f"substances.{name}", row)
        if prompt is not None:
            prompts.append(prompt)
    if intake.pregnant:
        row = _DATA["pregnancy"]
        modifiers.append(_reason("pregnant", row))
        prompt = _prompt("pregnant", row)
        if prompt is not None:
            prompts.append(prompt)
    sap = _DATA["short_acting_potent"]
    for entry in sap["drugs"]:
        if entry["drug"] in intake.regimen.drugs:
            modifiers.append(
                Reason(
                    code="short_acting_potent",
                    text=f"{sap['text']}: {entry['drug']}",
                    source=entry["source"] if entry["confirmed"] else sap["source"],
                    confirmed=bool(entry["confirmed"]) and bool(sap["confirmed"]),
                )
            )
    for name in sorted(intake.conditions):
        row = _DATA["conditions"][name]
        if row.get("modifier", False):
            modifiers.append(_reason(f"conditions.{name}", row))
        prompt = _prompt(f"conditions.{name}", row)
        if prompt is not None and prompt not in prompts:
            prompts.append(prompt)
    return modifiers, prompts


def _raise(level: str, steps: int) -> str:
    return LEVELS[min(LEVELS.index(level) + steps, len(LEVELS) - 1)]


def _count(n: int | Decimal, word: str) -> str:
    """'1 day', '7 days', '0.5 months' (decimals written plainly)."""
    return f"{plain_decimal(Decimal(n))} {word}{'' if n == 1 else 's'}"


def _use(intake: Intake) -> str:
    """How the drug is taken, in words: '7 days a week for 24 months'."""
    days = _count(intake.days_per_week, "day")
    return f"{days} a week for {_count(intake.duration_months, 'month')}"


def withdrawal_risk(intake: Intake) -> Risk:
    """The risk of clinically significant withdrawal for ``intake`` (see the module text)."""
    conversion = convert(intake.regimen, intake.source, intake.basis)
    eq = conversion.diazepam_eq_mg_per_day
    frequent = intake.days_per_week >= int(_TABLE["frequent_min_days_per_week"])
    duration = duration_band(intake.duration_months)
    dose = dose_band(eq)
    table_level = _table_level(frequent, duration, dose)
    texts = _DATA["levels"]["text"]
    use = _use(intake)
    reasons = [
        Reason(
            code="table",
            text=(
                f"{use}, {format_mg(eq)} diazepam-equivalent a day under {intake.source} "
                f"({dose} dose): {texts[table_level]}"
            ),
            source=_TABLE["source"],
            confirmed=bool(_TABLE["confirmed"]),
            rec=f"table '{TABLE_TITLE}'",
        )
    ]
    lo, hi = conversion.range_mg_per_day
    other_bands = sorted(
        {dose_band(lo), dose_band(hi)} - {dose}, key=("low", "moderate", "high").index
    )
    if frequent and other_bands:
        reasons.append(
            Reason(
                code="tables-disagree",
                text=(
                    "the equivalence tables disagree: across them the dose is "
                    f"{format_mg(lo).removesuffix(' mg')}–{format_mg(hi)} a day, "
                    "which other tables would band as "
                    f"{' or '.join(other_bands)}; this assessment uses {intake.source}"
                ),
                source=intake.source,
                confirmed=True,
            )
        )
    modifiers, prompts = _modifiers(intake, eq)
    level = table_level
    if modifiers:
        step = _DATA["raise"]
        level = _raise(table_level, int(step["steps"]))
        reasons.append(
            Reason(
                code="modifiers",
                text=f"raised from '{table_level}' to '{level}' by: "
                + "; ".join(m.text for m in modifiers),
                source=step["source"],
                confirmed=bool(step["confirmed"]),
                rec=f"table '{TABLE_TITLE}' (modifiers)",
            )
        )
        reasons.extend(modifiers)
    name = _DATA["levels"]["name"][level]
    headline = f"{name}: {format_mg(eq)} diazepam-equivalent a day ({dose} dose), {use}"
    if modifiers:
        headline += "; raised by " + ", ".join(m.text for m in modifiers)
    return Risk(
        level=level,
        level_text=texts[level],
        name=name,
        headline=headline,
        table_level=table_level,
        dose_band=dose,
        duration_band=duration,
        frequent=frequent,
        diazepam_eq_mg_per_day=eq,
        range_mg_per_day=(lo, hi),
        source=intake.source,
        modifiers=tuple(modifiers),
        reasons=tuple(reasons),
        prompts=tuple(prompts),
        warnings=intake.label_warnings() + conversion.warnings,
    )
