"""What a patient takes today: doses of one or more drugs at times of day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from .errors import InputError
from .units import parse_amount, to_mg

__all__ = ["Dose", "Regimen", "parse_take", "parse_time"]


@dataclass(frozen=True, order=True)
class Dose:
    """One dose: ``mg`` of ``drug`` (catalogue key) at ``time`` every day."""

    time: time
    drug: str
    mg: Decimal


@dataclass(frozen=True)
class Regimen:
    """A list of daily doses, possibly of several drugs, kept sorted by time of day."""

    doses: tuple[Dose, ...]

    def __post_init__(self) -> None:
        if not self.doses:
            raise InputError("regimen", "nothing", "at least one dose")
        object.__setattr__(self, "doses", tuple(sorted(self.doses)))

    @property
    def drugs(self) -> tuple[str, ...]:
        """Drug keys in order of first appearance in the day."""
        seen: dict[str, None] = {}
        for dose in self.doses:
            seen.setdefault(dose.drug, None)
        return tuple(seen)

    def daily_mg(self, drug: str) -> Decimal:
        return sum((d.mg for d in self.doses if d.drug == drug), Decimal(0))


_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_time(text: str, field: str = "time") -> time:
    """'08:00' → time(8, 0); anything else is refused, naming the field."""
    match = _TIME.match(text.strip())
    if not match:
        raise InputError(field, text, "a time of day as HH:MM, e.g. 08:00 or 22:30")
    return time(int(match.group(1)), int(match.group(2)))


_TAKE = re.compile(
    r"^\s*(?P<drug>[A-Za-z][A-Za-z _-]*?)\s+(?P<amount>[0-9]+(?:[.,][0-9]+)?)\s*"
    r"(?P<unit>[A-Za-zµμ]+)\s+at\s+(?P<time>\S+)\s*$"
)


def parse_take(text: str) -> tuple[str, Decimal, time]:
    """Parse 'alprazolam 1 mg at 08:00' into (drug name as typed, mg, time).

    The drug name is checked against the catalogue by the caller.
    """
    match = _TAKE.match(text)
    if not match:
        raise InputError(
            "take", text, "'DRUG AMOUNT UNIT at HH:MM', e.g. 'alprazolam 1 mg at 08:00'"
        )
    amount = parse_amount(match.group("amount"), "amount")
    mg = to_mg(amount, match.group("unit"))
    return match.group("drug").strip().lower(), mg, parse_time(match.group("time"))
