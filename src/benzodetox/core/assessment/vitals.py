"""Vital signs against programme thresholds with cited defaults.

The default set is the benzodiazepine-specific one from pregnancy guidance (the only numeric
benzodiazepine set the reference found); an alcohol-derived set is available and labelled as
such. A programme can replace any threshold; a sign no set covers (respiratory rate) is reported
as a gap rather than given an invented limit.

>>> [f.sign for f in check_vitals(VitalSigns(pulse=112, sbp=130, dbp=80))]
['pulse']
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from ..errors import InputError
from ._common import read_data

__all__ = [
    "SIGNS",
    "Finding",
    "Threshold",
    "ThresholdSet",
    "VitalSigns",
    "check_vitals",
    "programme_thresholds",
    "threshold_set",
    "threshold_set_labels",
    "vitals_from_dict",
]

_DATA = read_data("vitals.toml")
#: Sign keys, as an assessment names them.
SIGNS: tuple[str, ...] = ("pulse", "sbp", "dbp", "temperature", "respiratory_rate", "spo2")
_OPS: Mapping[str, Callable[[Decimal, Decimal], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
_UNITS_READ = {
    "pulse": "/min",
    "sbp": " mmHg",
    "dbp": " mmHg",
    "temperature": " °C",
    "respiratory_rate": "/min",
    "spo2": "%",
}
_NAMES = {
    "pulse": "pulse",
    "sbp": "systolic blood pressure",
    "dbp": "diastolic blood pressure",
    "temperature": "temperature",
    "respiratory_rate": "respiratory rate",
    "spo2": "SpO₂",
}


@dataclass(frozen=True)
class VitalSigns:
    """One set of readings; ``None`` where not measured. Temperature in °C."""

    pulse: Decimal | None = None
    sbp: Decimal | None = None
    dbp: Decimal | None = None
    temperature: Decimal | None = None
    respiratory_rate: Decimal | None = None
    spo2: Decimal | None = None


@dataclass(frozen=True)
class Threshold:
    sign: str
    op: str
    value: Decimal
    unit: str

    def text(self) -> str:
        return f"{_NAMES[self.sign]} {self.op} {self.value} {self.unit}".replace(" %", "%")


@dataclass(frozen=True)
class ThresholdSet:
    name: str
    text: str
    basis: str  # "benzodiazepine", "alcohol-derived" or "programme"
    source: str
    confirmed: bool
    thresholds: tuple[Threshold, ...]
    gaps: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    """A reading beyond a threshold, with the set it came from."""

    sign: str
    reading: Decimal
    threshold: Threshold
    text: str
    source: str
    confirmed: bool
    basis: str

    def as_dict(self) -> dict[str, object]:
        return {
            "sign": self.sign,
            "reading": str(self.reading),
            "threshold": self.threshold.text(),
            "text": self.text,
            "source": self.source,
            "confirmed": self.confirmed,
            "basis": self.basis,
        }


def threshold_set(name: str | None = None) -> ThresholdSet:
    """A named default set (``None``: the default, the benzodiazepine pregnancy set)."""
    key = _DATA["default"] if name is None else name
    sets = _DATA["sets"]
    if key not in sets:
        raise InputError("vital-sign thresholds", name, ", ".join(sets))
    row = sets[key]
    return ThresholdSet(
        name=key,
        text=row["text"],
        basis=row["basis"],
        source=row["source"],
        confirmed=bool(row["confirmed"]),
        thresholds=tuple(
            Threshold(sign=t["sign"], op=t["op"], value=Decimal(t["value"]), unit=t["unit"])
            for t in row["thresholds"]
        ),
        gaps=tuple(row.get("gaps", ())),
    )


def threshold_set_labels() -> tuple[tuple[str, str], ...]:
    """(key, description) of each vital-sign threshold set a programme may choose."""
    return tuple((key, str(row["text"])) for key, row in _DATA["sets"].items())


def programme_thresholds(
    base: ThresholdSet, changes: Mapping[str, tuple[str, Decimal]], source: str, name: str = ""
) -> ThresholdSet:
    """``base`` with the programme's own thresholds (sign → (op, value)); ``source`` names
    the programme policy. A changed set is never shown as confirmed."""
    thresholds = {t.sign: t for t in base.thresholds}
    units = {sign: unit.strip() for sign, unit in _UNITS_READ.items()}
    for sign, (op, value) in changes.items():
        if sign not in SIGNS:
            raise InputError("sign", sign, ", ".join(SIGNS))
        if op not in _OPS:
            raise InputError(f"{sign} operator", op, ", ".join(_OPS))
        thresholds[sign] = Threshold(sign=sign, op=op, value=value, unit=units[sign])
    return replace(
        base,
        name=name or f"{base.name} (programme)",
        basis="programme",
        source=source,
        confirmed=False,
        thresholds=tuple(thresholds[s] for s in SIGNS if s in thresholds),
        gaps=tuple(s for s in SIGNS if s not in thresholds),
    )


def _in_unit(reading: Decimal, sign: str, unit: str) -> Decimal:
    if sign == "temperature" and unit == "°F":
        return reading * 9 / 5 + 32
    return reading


def check_vitals(vitals: VitalSigns, thresholds: ThresholdSet | None = None) -> tuple[Finding, ...]:
    """Readings beyond the thresholds, in the order of ``SIGNS``."""
    used = thresholds if thresholds is not None else threshold_set()
    findings: list[Finding] = []
    for threshold in sorted(used.thresholds, key=lambda t: SIGNS.index(t.sign)):
        reading = getattr(vitals, threshold.sign)
        if reading is None:
            continue
        if _OPS[threshold.op](_in_unit(reading, threshold.sign, threshold.unit), threshold.value):
            findings.append(
                Finding(
                    sign=threshold.sign,
                    reading=reading,
                    threshold=threshold,
                    text=f"{_NAMES[threshold.sign]} {reading}{_UNITS_READ[threshold.sign]}: "
                    f"beyond {threshold.text()} ({used.text}); reassess for withdrawal",
                    source=used.source,
                    confirmed=used.confirmed,
                    basis=used.basis,
                )
            )
    return tuple(findings)


_RANGES = {
    "pulse": (Decimal(0), Decimal(300)),
    "sbp": (Decimal(0), Decimal(350)),
    "dbp": (Decimal(0), Decimal(250)),
    "temperature": (Decimal(25), Decimal(45)),
    "respiratory_rate": (Decimal(0), Decimal(100)),
    "spo2": (Decimal(0), Decimal(100)),
}


def vitals_from_dict(data: object, field: str = "vitals") -> VitalSigns:
    """Readings from plain data; temperature in °C. Impossible readings are refused."""
    if not isinstance(data, Mapping):
        raise InputError(field, data, f"an object with any of {', '.join(SIGNS)}")
    values: dict[str, Decimal] = {}
    for key, raw in data.items():
        if key not in SIGNS:
            raise InputError(f"{field}.{key}", raw, f"one of {', '.join(SIGNS)}")
        if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
            raise InputError(f"{field}.{key}", raw, "a number")
        try:
            value = Decimal(str(raw))
        except ArithmeticError:
            raise InputError(f"{field}.{key}", raw, "a number") from None
        lo, hi = _RANGES[key]
        if not value.is_finite() or not lo <= value <= hi:
            raise InputError(f"{field}.{key}", raw, f"a reading between {lo} and {hi}")
        values[key] = value
    return VitalSigns(**values)
