"""Withdrawal and mood instruments as data, and scoring that refuses incomplete answers.

The instruments (CIWA-B, BWSQ, PHQ-9, GAD-7) are read from ``core/data/instruments.toml``:
short item labels in our own words, the answer range, the score bands with their source and
whether the reference confirms them, notes and flags.

>>> result = score("gad-7", [1, 1, 2, 1, 0, 1, 0])
>>> (result.total, result.band)
(6, 'mild')

CIWA-B bands are unconfirmed (guidelines.md §2.1 [R]) and a programme may set its own:

>>> own = BandSet((Band("low", 0, 30), Band("high", 31, 80)), source="busto-1989",
...               confirmed=False)
>>> score("ciwa-b", [2] * 20, bands=own).band
'high'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..errors import DataError, InputError
from ._common import Reason, read_data, require

__all__ = [
    "INSTRUMENTS",
    "Band",
    "BandSet",
    "Flag",
    "Instrument",
    "Item",
    "Score",
    "instrument",
    "score",
]

#: Instrument keys, in the order they are listed.
INSTRUMENTS: tuple[str, ...] = ("ciwa-b", "bwsq", "phq-9", "gad-7")


@dataclass(frozen=True)
class Item:
    number: int
    label: str
    rater: str  # "patient" or "observer"


@dataclass(frozen=True)
class Band:
    """A named score range, both ends inclusive."""

    name: str
    lo: int
    hi: int


@dataclass(frozen=True)
class BandSet:
    """Bands in ascending order; a total outside every band has no band (``None``)."""

    bands: tuple[Band, ...]
    source: str
    confirmed: bool

    def band_for(self, total: int) -> Band | None:
        for band in self.bands:
            if band.lo <= total <= band.hi:
                return band
        return None


@dataclass(frozen=True)
class Flag:
    """Raised when the answer to ``item`` is above ``above``."""

    flag: str
    item: int
    above: int
    source: str
    confirmed: bool


@dataclass(frozen=True)
class Instrument:
    key: str
    name: str
    short: str
    source: str
    structure_confirmed: bool
    answer_min: int
    answer_max: int
    items: tuple[Item, ...]
    bands: BandSet | None
    notes: tuple[Reason, ...]
    flags: tuple[Flag, ...]

    @property
    def max_total(self) -> int:
        return self.answer_max * len(self.items)

    @property
    def min_total(self) -> int:
        return self.answer_min * len(self.items)


@dataclass(frozen=True)
class Score:
    """A scored instrument. ``band`` is ``None`` where the instrument has no bands or the total
    is outside all of them; ``band_confirmed`` says whether the bands used are confirmed."""

    instrument: str
    answers: tuple[int, ...]
    total: int
    max_total: int
    band: str | None
    band_confirmed: bool | None
    band_source: str | None
    flags: tuple[str, ...]
    notes: tuple[Reason, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "instrument": self.instrument,
            "answers": list(self.answers),
            "total": self.total,
            "max_total": self.max_total,
            "band": self.band,
            "band_confirmed": self.band_confirmed,
            "band_source": self.band_source,
            "flags": list(self.flags),
            "notes": [n.as_dict() for n in self.notes],
        }


def _validate_bands(bands: BandSet, lo_total: int, hi_total: int, where: str) -> BandSet:
    previous_hi: int | None = None
    for band in bands.bands:
        if band.lo > band.hi or band.lo < lo_total or band.hi > hi_total:
            raise InputError(
                f"{where} band {band.name!r}",
                f"{band.lo}–{band.hi}",
                f"a range within {lo_total}–{hi_total} with low end ≤ high end",
            )
        if previous_hi is not None and band.lo <= previous_hi:
            raise InputError(
                f"{where} band {band.name!r}",
                f"{band.lo}–{band.hi}",
                "bands in ascending order without overlap",
            )
        previous_hi = band.hi
    return bands


def _load(key: str, row: dict[str, Any]) -> Instrument:
    where = f"instruments.toml [{key}]"
    items = tuple(
        Item(number=n, label=require(it, "label", where), rater=require(it, "rater", where))
        for n, it in enumerate(require(row, "items", where), start=1)
    )
    answer_min = int(require(row, "answer_min", where))
    answer_max = int(require(row, "answer_max", where))
    bands: BandSet | None = None
    if "bands" in row:
        b = row["bands"]
        bands = BandSet(
            bands=tuple(
                Band(name=x["name"], lo=int(x["lo"]), hi=int(x["hi"])) for x in b["band"]
            ),
            source=require(b, "source", where),
            confirmed=bool(require(b, "confirmed", where)),
        )
        try:
            _validate_bands(bands, answer_min * len(items), answer_max * len(items), key)
        except InputError as error:
            raise DataError(f"{where}: {error}") from None
    flags = tuple(
        Flag(
            flag=f["flag"],
            item=int(f["item"]),
            above=int(f["above"]),
            source=require(f, "source", where),
            confirmed=bool(require(f, "confirmed", where)),
        )
        for f in row.get("flags", ())
    )
    notes = tuple(
        Reason(
            code="note",
            text=n["text"],
            source=require(n, "source", where),
            confirmed=bool(require(n, "confirmed", where)),
        )
        for n in row.get("notes", ())
    )
    return Instrument(
        key=key,
        name=require(row, "name", where),
        short=require(row, "short", where),
        source=require(row, "source", where),
        structure_confirmed=bool(require(row, "structure_confirmed", where)),
        answer_min=answer_min,
        answer_max=answer_max,
        items=items,
        bands=bands,
        notes=notes,
        flags=flags,
    )


@cache
def _instruments() -> dict[str, Instrument]:
    data = read_data("instruments.toml")
    return {key: _load(key, data[key]) for key in INSTRUMENTS}


def instrument(key: str) -> Instrument:
    """The instrument ``key`` (case-insensitive: 'CIWA-B', 'phq9' and 'phq-9' all work)."""
    wanted = key.strip().lower().replace("_", "-")
    aliases = {k.replace("-", ""): k for k in INSTRUMENTS}
    found = aliases.get(wanted.replace("-", ""))
    if found is None:
        raise InputError("instrument", key, ", ".join(INSTRUMENTS))
    return _instruments()[found]


def _answer(inst: Instrument, number: int, value: object) -> int:
    field = f"item {number}"
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        else:
            raise InputError(field, value, f"a whole number {inst.answer_min}–{inst.answer_max}")
    if not inst.answer_min <= value <= inst.answer_max:
        raise InputError(field, value, f"a whole number {inst.answer_min}–{inst.answer_max}")
    return value


def _answers(inst: Instrument, answers: Sequence[object] | Mapping[object, object]) -> list[int]:
    n = len(inst.items)
    if isinstance(answers, Mapping):
        numbered: dict[int, object] = {}
        for raw_key, value in answers.items():
            try:
                number = int(str(raw_key).strip().removeprefix("item").strip())
            except ValueError:
                raise InputError("item", raw_key, f"item numbers 1–{n}") from None
            if not 1 <= number <= n:
                raise InputError(f"item {number}", value, f"no item {number}: items are 1–{n}")
            numbered[number] = value
        for number in range(1, n + 1):
            if number not in numbered:
                raise InputError(f"item {number}", "nothing", f"an answer for each of {n} items")
        return [_answer(inst, k, numbered[k]) for k in range(1, n + 1)]
    if isinstance(answers, str | bytes):
        raise InputError("answers", answers, f"a list of {n} answers")
    values = list(answers)
    if len(values) < n:
        raise InputError(
            f"item {len(values) + 1}", "nothing", f"{n} answers, one per item (got {len(values)})"
        )
    if len(values) > n:
        raise InputError(
            f"item {n + 1}", values[n], f"{n} answers, one per item (got {len(values)})"
        )
    return [_answer(inst, k, v) for k, v in enumerate(values, start=1)]


def score(
    key: str,
    answers: Sequence[object] | Mapping[object, object],
    bands: BandSet | None = None,
) -> Score:
    """Score ``answers`` (a list in item order, or a mapping item number → answer).

    A missing, extra or out-of-range answer is refused with an ``InputError`` naming the item
    ("item 7"). ``bands`` replaces the instrument's default bands (a programme setting); it is
    checked to lie within the instrument's range, ascending and without overlap.
    """
    inst = instrument(key)
    values = _answers(inst, answers)
    total = sum(values)
    used = inst.bands if bands is None else _validate_bands(
        bands, inst.min_total, inst.max_total, inst.key
    )
    band = used.band_for(total) if used is not None else None
    flags = tuple(f.flag for f in inst.flags if values[f.item - 1] > f.above)
    notes = list(inst.notes)
    if used is not None and not used.confirmed:
        notes.append(
            Reason(
                code="bands-unconfirmed",
                text=f"{inst.short} bands are not confirmed by a source; programme default",
                source=used.source,
                confirmed=False,
            )
        )
    if not inst.structure_confirmed:
        notes.append(
            Reason(
                code="structure-unconfirmed",
                text=f"{inst.short} item structure and scoring follow the widely reproduced "
                "form, not confirmed in the primary source",
                source=inst.source,
                confirmed=False,
            )
        )
    return Score(
        instrument=inst.key,
        answers=tuple(values),
        total=total,
        max_total=inst.max_total,
        band=band.name if band is not None else None,
        band_confirmed=used.confirmed if used is not None else None,
        band_source=used.source if used is not None else None,
        flags=flags,
        notes=tuple(notes),
    )
