"""Diazepam equivalence: a regimen's dose as diazepam-equivalent mg/day under a named table.

Equivalence tables are clinical consensus, not pharmacology, and they disagree (drugs.md §1.3):
alprazolam 1 mg is diazepam 20 mg under Ashton 2002 but diazepam 10 mg under VA/DoD 2021. So
every result names the table it was computed with, also reports the range across every table
that lists the drug, and warns when a drug's tables disagree by 1.5× or more. Nothing here picks a
table silently: the caller passes one.

A figure ``f`` is "the oral dose of the drug equivalent to diazepam 10 mg", so ``mg`` of the drug
is ``mg × 10 / f`` mg of diazepam. Where a table gives a range ``lo–hi`` the caller must choose a
basis: ``"low"`` gives the lower diazepam equivalent (divides by ``hi``), ``"high"`` the higher
(divides by ``lo``). Results are floored to 1 µg, never rounded up.

>>> from decimal import Decimal
>>> diazepam_eq("alprazolam", Decimal(1), "ashton-2002")
Decimal('20.000')
>>> diazepam_eq("alprazolam", Decimal(1), "vadod-2021")
Decimal('10.000')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from types import MappingProxyType
from typing import Literal

from .catalogue import (
    EQUIVALENCE_TABLES,
    SUPPLEMENTARY_TABLES,
    Drug,
    EquivalenceFigure,
    catalogue,
)
from .errors import InputError
from .regimen import Regimen
from .units import floor_to_microgram, format_mg

__all__ = [
    "DEFAULT_TABLE",
    "DISAGREEMENT_RATIO",
    "Basis",
    "Conversion",
    "DrugConversion",
    "convert",
    "diazepam_eq",
    "figure",
    "figure_mg",
    "from_diazepam",
    "table_names",
]

Basis = Literal["low", "high"]

#: The table a conversion or plan uses when the user names none. A benzodetox setting (the
#: Ashton Manual's table, the one the NICE CKS schedules use), never silent: every adapter says
#: "default; choose with …" beside it.
DEFAULT_TABLE = "ashton-2002"

#: A drug whose highest published figure is at least this multiple of its lowest is flagged
#: (drugs.md §0: ⚠ marks max/min ≥ 1.5).
DISAGREEMENT_RATIO = Decimal("1.5")

_TEN = Decimal(10)
_RATIO_PLACES = Decimal("0.001")
#: Every table that counts towards the range across tables, in display order.
_ALL_TABLES: tuple[str, ...] = EQUIVALENCE_TABLES + SUPPLEMENTARY_TABLES


def table_names() -> tuple[str, ...]:
    """The tables a clinician can choose as the basis of a conversion or a plan."""
    return EQUIVALENCE_TABLES


def _drug(drug: str) -> Drug:
    return catalogue().drug(drug)


def _tables_listing(d: Drug) -> tuple[str, ...]:
    return tuple(t for t in _ALL_TABLES if t in d.equivalence)


def figure(drug: str, table: str) -> EquivalenceFigure:
    """The dose of ``drug`` equivalent to diazepam 10 mg under ``table``.

    Refuses a table that is not one of :data:`EQUIVALENCE_TABLES`, and a table that does not
    list the drug (the hint names the tables that do).

    >>> figure("alprazolam", "norway-2021").lo_mg, figure("alprazolam", "norway-2021").hi_mg
    (Decimal('0.5'), Decimal('1'))
    """
    if table not in EQUIVALENCE_TABLES:
        raise InputError("source", table, ", ".join(EQUIVALENCE_TABLES))
    d = _drug(drug)
    found = d.equivalence.get(table)
    if found is None:
        listing = [t for t in EQUIVALENCE_TABLES if t in d.equivalence]
        hint = f"{table} does not list {d.name}; " + (
            f"tables that do: {', '.join(listing)}" if listing else "no table lists it"
        )
        raise InputError("source", table, f"a table that lists {d.name}", hint=hint)
    return found


def figure_mg(drug: str, table: str, basis: str | None = None) -> Decimal:
    """The single mg figure of ``drug`` ≡ diazepam 10 mg that ``diazepam_eq`` divides by.

    For a range this is the end the basis picks: ``"low"`` → ``hi_mg`` (lower diazepam
    equivalent), ``"high"`` → ``lo_mg``; without a basis a range is refused.

    >>> figure_mg("alprazolam", "norway-2021", "low")
    Decimal('1')
    """
    if basis is not None and basis not in ("low", "high"):
        raise InputError("basis", basis, "low or high")
    d = _drug(drug)
    checked: Basis | None = "low" if basis == "low" else "high" if basis == "high" else None
    return _divisor(figure(d.key, table), checked, d.name)


def _fmt_figure(fig: EquivalenceFigure) -> str:
    if fig.is_range:
        return f"{_plain(fig.lo_mg)}–{_plain(fig.hi_mg)} mg"
    return format_mg(fig.lo_mg)


def _plain(value: Decimal) -> str:
    return format_mg(value).removesuffix(" mg")


def _divisor(fig: EquivalenceFigure, basis: Basis | None, drug_name: str) -> Decimal:
    """The figure to divide by: the single figure, or the end of the range the basis names."""
    if not fig.is_range:
        return fig.lo_mg
    if basis is None:
        raise InputError(
            "basis",
            None,
            "low or high",
            hint=f"{fig.table} gives {_fmt_figure(fig)} {drug_name} ≡ diazepam 10 mg",
        )
    if basis == "low":
        return fig.hi_mg
    if basis == "high":
        return fig.lo_mg
    raise InputError("basis", basis, "low or high")


def diazepam_eq(drug: str, mg: Decimal, table: str, basis: Basis | None = None) -> Decimal:
    """``mg`` of ``drug`` as diazepam mg under ``table``, floored to 1 µg.

    A table that gives a range for the drug needs ``basis``: ``"low"`` (the lower diazepam
    equivalent) or ``"high"``.

    >>> diazepam_eq("alprazolam", Decimal(1), "ashton-2002")
    Decimal('20.000')
    >>> diazepam_eq("alprazolam", Decimal(1), "norway-2021", basis="low")
    Decimal('10.000')
    """
    d = _drug(drug)
    divisor = _divisor(figure(d.key, table), basis, d.name)
    return floor_to_microgram(mg * _TEN / divisor)


def from_diazepam(
    drug: str, diazepam_mg: Decimal, table: str, basis: Basis | None = None
) -> Decimal:
    """The dose of ``drug`` equivalent to ``diazepam_mg`` under ``table``, floored to 1 µg.

    Uses the same end of a range as :func:`diazepam_eq` for the same ``basis``, so a round trip
    never comes back higher: ``diazepam_eq(drug, from_diazepam(drug, x, t, b), t, b) <= x``.

    >>> from_diazepam("alprazolam", Decimal(20), "ashton-2002")
    Decimal('1.000')
    """
    d = _drug(drug)
    divisor = _divisor(figure(d.key, table), basis, d.name)
    return floor_to_microgram(diazepam_mg * divisor / _TEN)


@dataclass(frozen=True)
class DrugConversion:
    """One drug of a regimen converted under the chosen table, with every other table's view.

    ``per_table`` maps each table listing the drug (including the partial ``sps`` and
    ``trc-2024``) to the diazepam equivalent (lo, hi) of ``daily_mg`` under it; ``range_mg`` is
    the lowest and highest of those. ``span_ratio`` is the drug's highest published figure over
    its lowest, across all tables (2 for alprazolam, 4 for flunitrazepam).
    """

    drug: str
    daily_mg: Decimal
    figure: EquivalenceFigure
    diazepam_eq_mg: Decimal
    per_table: Mapping[str, tuple[Decimal, Decimal]]
    range_mg: tuple[Decimal, Decimal]
    span_ratio: Decimal
    disagreement: bool


@dataclass(frozen=True)
class Conversion:
    """A regimen as diazepam-equivalent mg/day under ``source``, with the range across tables.

    ``warnings`` has one line per drug whose tables disagree by 1.5× or more (naming the tables
    and figures) and one per figure used that is [V2], [C] or doubled from a diazepam 5 mg basis.
    """

    source: str
    basis: Basis | None
    diazepam_eq_mg_per_day: Decimal
    range_mg_per_day: tuple[Decimal, Decimal]
    drugs: tuple[DrugConversion, ...]
    warnings: tuple[str, ...]


def _span(d: Drug) -> tuple[Decimal, Decimal, Decimal]:
    figures = [d.equivalence[t] for t in _tables_listing(d)]
    lowest = min(f.lo_mg for f in figures)
    highest = max(f.hi_mg for f in figures)
    return lowest, highest, highest / lowest


def _convert_drug(d: Drug, daily_mg: Decimal, table: str, basis: Basis | None) -> DrugConversion:
    chosen = figure(d.key, table)
    per_table = {
        t: (
            floor_to_microgram(daily_mg * _TEN / d.equivalence[t].hi_mg),
            floor_to_microgram(daily_mg * _TEN / d.equivalence[t].lo_mg),
        )
        for t in _tables_listing(d)
    }
    lowest, highest, ratio = _span(d)
    return DrugConversion(
        drug=d.key,
        daily_mg=daily_mg,
        figure=chosen,
        diazepam_eq_mg=floor_to_microgram(daily_mg * _TEN / _divisor(chosen, basis, d.name)),
        per_table=MappingProxyType(per_table),
        range_mg=(min(lo for lo, _ in per_table.values()), max(hi for _, hi in per_table.values())),
        span_ratio=ratio.quantize(_RATIO_PLACES, rounding=ROUND_HALF_EVEN),
        disagreement=highest >= DISAGREEMENT_RATIO * lowest,
    )


def _warnings(d: Drug, conv: DrugConversion) -> list[str]:
    out: list[str] = []
    if conv.disagreement:
        listed = ", ".join(f"{t} {_fmt_figure(d.equivalence[t])}" for t in _tables_listing(d))
        out.append(
            f"{d.name}: the tables disagree {_plain(conv.span_ratio)}-fold on the dose "
            f"equivalent to diazepam 10 mg ({listed}); {format_mg(conv.daily_mg)}/day is "
            f"{_plain(conv.range_mg[0])}–{format_mg(conv.range_mg[1])} diazepam/day across them."
        )
    if d.key == "diazepam":
        return out
    fig = conv.figure
    if fig.label == "V2":
        out.append(
            f"{d.name} under {fig.table} ({_fmt_figure(fig)}) was read only in a secondary "
            "reproduction of the table [V2]."
        )
    if fig.label == "C":
        out.append(
            f"{d.name} under {fig.table} ({_fmt_figure(fig)}) is derived by calculation, not "
            "published as such [C]."
        )
    if fig.doubled:
        out.append(
            f"{fig.table} states {d.name} per diazepam 5 mg; its figure was doubled to the "
            "diazepam 10 mg basis [C]."
        )
    return out


def convert(regimen: Regimen, table: str, basis: Basis | None = None) -> Conversion:
    """Convert every drug of ``regimen`` to diazepam-equivalent mg/day under ``table``.

    ``basis`` is needed only when the table gives a range for one of the drugs.

    >>> from datetime import time
    >>> from benzodetox.core.regimen import Dose
    >>> r = Regimen((Dose(time(8), "alprazolam", Decimal("0.5")),
    ...              Dose(time(20), "alprazolam", Decimal("0.5"))))
    >>> convert(r, "ashton-2002").diazepam_eq_mg_per_day
    Decimal('20.000')
    >>> convert(r, "ashton-2002").range_mg_per_day
    (Decimal('10.000'), Decimal('20.000'))
    """
    if table not in EQUIVALENCE_TABLES:
        raise InputError("source", table, ", ".join(EQUIVALENCE_TABLES))
    if basis is not None and basis not in ("low", "high"):
        raise InputError("basis", basis, "low or high")
    conversions: list[DrugConversion] = []
    warnings: list[str] = []
    for key in regimen.drugs:
        d = _drug(key)
        conv = _convert_drug(d, regimen.daily_mg(key), table, basis)
        conversions.append(conv)
        warnings.extend(_warnings(d, conv))
    total = sum((c.diazepam_eq_mg for c in conversions), Decimal(0))
    lo = sum((c.range_mg[0] for c in conversions), Decimal(0))
    hi = sum((c.range_mg[1] for c in conversions), Decimal(0))
    return Conversion(
        source=table,
        basis=basis,
        diazepam_eq_mg_per_day=total,
        range_mg_per_day=(lo, hi),
        drugs=tuple(conversions),
        warnings=tuple(warnings),
    )
