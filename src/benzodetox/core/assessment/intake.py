"""The facts an assessment of withdrawal risk starts from, and reading them from plain data
(a JSON object as the CLI, the API and the web forms receive it).

Every problem is an ``InputError`` naming the field as the intake spells it
(``regimen[1].mg``, ``history.withdrawal_seizure``, ``conditions[0]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from ..catalogue import catalogue
from ..errors import InputError
from ..regimen import Dose, Regimen, parse_time
from ..units import parse_amount, to_mg
from ._common import read_data

__all__ = [
    "CONDITIONS",
    "DIMENSIONS",
    "HISTORY",
    "SUBSTANCES",
    "Intake",
    "intake_from_dict",
]

_RISK = read_data("risk.toml")
_LEVELS = read_data("levels_of_care.toml")

#: The names an intake may use, from the data files.
HISTORY: tuple[str, ...] = tuple(_RISK["history"])
SUBSTANCES: tuple[str, ...] = tuple(_RISK["substances"])
CONDITIONS: tuple[str, ...] = tuple(_RISK["conditions"])
DIMENSIONS: tuple[str, ...] = tuple(_LEVELS["dimensions"]["order"])

_FIELDS = (
    "age",
    "regimen",
    "duration_months",
    "days_per_week",
    "source",
    "basis",
    "history",
    "substances",
    "conditions",
    "pregnant",
    "support_at_home",
    "dimensions",
    "sud_medication",
)


@dataclass(frozen=True)
class Intake:
    """What is known at the start: ``regimen`` uses catalogue drug keys; ``source`` is the
    equivalence table every diazepam-equivalent figure is computed with (no default).

    A drug's daily total above the catalogue's plausibility limit (a multiple of its label
    maximum, benzodetox-plausible-dose) is refused on ``regimen`` as ``plan --take`` refuses it;
    a total above the label maximum alone is accepted and becomes a warning of the risk."""

    age: int
    regimen: Regimen
    duration_months: Decimal
    days_per_week: int
    source: str
    basis: Literal["low", "high"] | None = None
    history: frozenset[str] = frozenset()
    substances: frozenset[str] = frozenset()
    conditions: frozenset[str] = frozenset()
    pregnant: bool = False
    support_at_home: bool | None = None
    dimensions: Mapping[str, int] = field(default_factory=dict)
    #: buprenorphine or methadone taken for an opioid use disorder (2025 Joint Guideline
    #: Rec 21: do not stop or disrupt it because of the benzodiazepine taper)
    sud_medication: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.age <= 130:
            raise InputError("age", self.age, "whole years, 0–130")
        if not 1 <= self.days_per_week <= 7:
            raise InputError("days_per_week", self.days_per_week, "a whole number of days, 1–7")
        # Not longer than the person has lived (age in whole years, so up to a year more).
        longest = Decimal((self.age + 1) * 12)
        months = self.duration_months
        if not 0 <= months <= longest or months != months.quantize(Decimal("0.01")):
            raise InputError(
                "duration_months",
                months,
                f"months from 0 to {longest} (not longer than the age), at most 2 decimals",
            )
        for name, allowed, given in (
            ("history", HISTORY, self.history),
            ("substances", SUBSTANCES, self.substances),
            ("conditions", CONDITIONS, self.conditions),
        ):
            for item in sorted(given):
                if item not in allowed:
                    raise InputError(name, item, ", ".join(allowed))
        for key, rating in self.dimensions.items():
            if key not in DIMENSIONS:
                raise InputError("dimensions", key, ", ".join(DIMENSIONS))
            if isinstance(rating, bool) or not isinstance(rating, int) or not 0 <= rating <= 4:
                raise InputError(f"dimensions.{key}", rating, "a rating 0–4")
        cat = catalogue()
        for drug in self.regimen.drugs:
            cat.check_daily_dose(drug, self.regimen.daily_mg(drug), "regimen")

    def label_warnings(self) -> tuple[str, ...]:
        """One warning per drug whose daily total is above its label maximum (with the
        maximum's source and whether it is confirmed)."""
        cat = catalogue()
        found = (cat.check_daily_dose(d, self.regimen.daily_mg(d)) for d in self.regimen.drugs)
        return tuple(w for w in found if w)


def _bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(name, value, "true or false")
    return value


def _int(value: object, name: str, allowed: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            return int(value)
        raise InputError(name, value, allowed)
    return value


def _decimal(value: object, name: str, allowed: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal | float):
        raise InputError(name, value, allowed)
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise InputError(name, value, allowed) from None
    if not result.is_finite():
        raise InputError(name, value, allowed)
    return result


def _flags(value: object, name: str, allowed: tuple[str, ...]) -> frozenset[str]:
    """``{"opioids": true, "alcohol_use_disorder": false}`` → the names that are true."""
    if value is None:
        return frozenset()
    if not isinstance(value, Mapping):
        raise InputError(name, value, f"an object of true/false fields: {', '.join(allowed)}")
    chosen: set[str] = set()
    for key, flag in value.items():
        if key not in allowed:
            raise InputError(f"{name}.{key}", flag, f"one of the fields {', '.join(allowed)}")
        if _bool(flag, f"{name}.{key}"):
            chosen.add(str(key))
    return frozenset(chosen)


def _regimen(value: object) -> Regimen:
    if not isinstance(value, list) or not value:
        raise InputError("regimen", value, "a list of {drug, mg, time} objects")
    cat = catalogue()
    doses = []
    for i, row in enumerate(value):
        where = f"regimen[{i}]"
        if not isinstance(row, Mapping):
            raise InputError(where, row, "an object with drug, mg and time")
        for key in row:
            if key not in ("drug", "mg", "time"):
                raise InputError(f"{where}.{key}", row[key], "only drug, mg and time")
        for key in ("drug", "mg", "time"):
            if key not in row:
                raise InputError(f"{where}.{key}", "nothing", "a value")
        drug, mg, at = row["drug"], row["mg"], row["time"]
        if not isinstance(drug, str):
            raise InputError(f"{where}.drug", drug, "a drug name")
        if not isinstance(at, str):
            raise InputError(f"{where}.time", at, "a time of day as HH:MM")
        if isinstance(mg, bool) or not isinstance(mg, int | str | Decimal | float):
            raise InputError(f"{where}.mg", mg, "a dose in mg such as 0.5 or 10")
        amount = parse_amount(str(mg), f"{where}.mg")
        try:
            exact = to_mg(amount, "mg", f"{where}.mg")
        except ArithmeticError:  # more digits than exact arithmetic holds
            raise InputError(f"{where}.mg", mg, "a dose in mg such as 0.5 or 10") from None
        doses.append(
            Dose(
                time=parse_time(at, f"{where}.time"),
                drug=cat.drug(drug, f"{where}.drug").key,
                mg=exact,
            )
        )
    return Regimen(tuple(doses))


def _dimensions(value: object) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError("dimensions", value, f"an object of ratings 0–4: {', '.join(DIMENSIONS)}")
    ratings: dict[str, int] = {}
    for key, rating in value.items():
        name = str(key)
        if name.isdigit() and 1 <= int(name) <= len(DIMENSIONS):
            name = DIMENSIONS[int(name) - 1]
        if name not in DIMENSIONS:
            raise InputError(f"dimensions.{key}", rating, ", ".join(DIMENSIONS))
        ratings[name] = _int(rating, f"dimensions.{key}", "a rating 0–4")
    return ratings


def intake_from_dict(data: object) -> Intake:
    """Read an intake from plain data (see docs/assessment.md for the format).

    Required: ``age``, ``regimen``, ``duration_months``, ``days_per_week``, ``source``.
    Unknown fields are refused, so a typing error is not silently ignored.
    """
    if not isinstance(data, Mapping):
        raise InputError("intake", type(data).__name__, "a JSON object")
    for key in data:
        if key not in _FIELDS:
            raise InputError(str(key), data[key], f"one of the fields {', '.join(_FIELDS)}")
    for key in ("age", "regimen", "duration_months", "days_per_week", "source"):
        if key not in data:
            raise InputError(key, "nothing", "a value (required)")
    source = data["source"]
    if not isinstance(source, str):
        raise InputError("source", source, "the name of an equivalence table")
    raw_basis = data.get("basis")
    basis: Literal["low", "high"] | None
    if raw_basis is None:
        basis = None
    elif raw_basis == "low":
        basis = "low"
    elif raw_basis == "high":
        basis = "high"
    else:
        raise InputError("basis", raw_basis, "low or high")
    conditions = data.get("conditions", [])
    if conditions is None:
        conditions = []
    if not isinstance(conditions, list):
        raise InputError("conditions", conditions, "a list of condition names")
    for i, name in enumerate(conditions):
        if name not in CONDITIONS:
            raise InputError(f"conditions[{i}]", name, ", ".join(CONDITIONS))
    support: Any = data.get("support_at_home")
    return Intake(
        age=_int(data["age"], "age", "whole years, 0–130"),
        regimen=_regimen(data["regimen"]),
        duration_months=_decimal(data["duration_months"], "duration_months", "months, e.g. 6"),
        days_per_week=_int(data["days_per_week"], "days_per_week", "a whole number 1–7"),
        source=source,
        basis=basis,
        history=_flags(data.get("history"), "history", HISTORY),
        substances=_flags(data.get("substances"), "substances", SUBSTANCES),
        conditions=frozenset(conditions),
        pregnant=_bool(data.get("pregnant", False), "pregnant"),
        support_at_home=None if support is None else _bool(support, "support_at_home"),
        dimensions=_dimensions(data.get("dimensions")),
        sud_medication=_bool(data.get("sud_medication", False), "sud_medication"),
    )
