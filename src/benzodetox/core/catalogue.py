"""The drug catalogue: drugs, their equivalence figures per named table, and products per market.

Everything is read once from ``core/data/*.toml``; every figure carries a source key that resolves
in ``sources.toml``. Figures the reference marks unconfirmed keep ``confirmed = False`` and are
shown as such.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, Literal

from .errors import DataError, InputError, closest_names
from .units import plain_decimal

__all__ = [
    "EQUIVALENCE_TABLES",
    "MARKETS",
    "Catalogue",
    "Drug",
    "EquivalenceFigure",
    "HalfLife",
    "MaxDose",
    "Product",
    "Source",
    "catalogue",
]

#: The named equivalence tables a clinician can choose, in the order they are shown.
#: Keys are also source keys in sources.toml (drugs.md §1.1).
EQUIVALENCE_TABLES: tuple[str, ...] = (
    "ashton-2002",
    "vadod-2021",
    "scotland-2024",
    "who-2009",
    "norway-2021",
)
#: Tables that count towards the range across tables but are not offered as a planning basis
#: (partial tables: only a few drugs each).
SUPPLEMENTARY_TABLES: tuple[str, ...] = ("sps", "trc-2024")
MARKETS: tuple[str, ...] = ("us", "uk")

#: A daily dose up to this many times the label maximum is taken as plausible: people dependent
#: on benzodiazepines often take more than a label allows. Above it an entry is refused as a
#: probable typing error. A labelled benzodetox default (source "benzodetox-plausible-dose").
PLAUSIBLE_OVER_LABEL = Decimal(4)
PLAUSIBLE_SOURCE = "benzodetox-plausible-dose"

Label = Literal["V", "V2", "R", "C"]


@dataclass(frozen=True)
class Source:
    key: str
    citation: str
    label: str
    url: str = ""


@dataclass(frozen=True)
class EquivalenceFigure:
    """The oral dose (mg) of a drug taken as equivalent to diazepam 10 mg under one table.

    ``lo == hi`` for a single figure; a range stays a range (drugs.md §1.2). ``doubled`` marks a
    figure published per diazepam 5 mg and doubled to the 10 mg basis [C].
    """

    table: str
    lo_mg: Decimal
    hi_mg: Decimal
    label: str
    doubled: bool = False

    @property
    def is_range(self) -> bool:
        return self.lo_mg != self.hi_mg


@dataclass(frozen=True)
class HalfLife:
    """Elimination half-life range in hours, with what it is of (parent or a metabolite)."""

    lo_h: Decimal
    hi_h: Decimal
    source: str
    of: str = "parent"
    label: str = "V"
    note: str = ""


@dataclass(frozen=True)
class MaxDose:
    """The highest daily dose a product label allows adults, across its indications.

    ``note`` names the indication (and any caveat, e.g. a label that gives no daily cap for one
    indication). ``confirmed`` is False where no label was read for the figure.
    """

    mg: Decimal
    source: str
    confirmed: bool
    note: str = ""


@dataclass(frozen=True)
class Drug:
    key: str
    name: str
    brands: tuple[str, ...]
    drug_class: str  # "benzodiazepine" or "z-drug"
    duration_class: str  # "short", "short-intermediate", "intermediate" or "long"
    duration_conflict: str  # empty, or how the sources disagree
    half_lives: tuple[HalfLife, ...]
    max_daily: MaxDose
    equivalence: Mapping[str, EquivalenceFigure] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    #: The label maximum per market where that market's label differs or was read on its own;
    #: ``max_daily`` stays the highest figure of all (the implausible-input check uses it).
    max_daily_by_market: Mapping[str, MaxDose] = field(default_factory=dict)

    @property
    def is_long_acting(self) -> bool:
        return self.duration_class == "long" and not self.duration_conflict

    def label_max(self, market: str) -> MaxDose:
        """The label maximum daily dose in ``market`` (its own label's figure, else the general
        ``max_daily``): e.g. diazepam is 40 mg/day in the US label and 60 mg/day in the UK SmPC."""
        if market not in MARKETS:
            raise InputError("market", market, " or ".join(MARKETS))
        return self.max_daily_by_market.get(market, self.max_daily)


@dataclass(frozen=True)
class Product:
    """A product a pharmacy can dispense.

    Tablets and capsules: ``strength_mg`` per unit; ``split_parts`` is 1 (never split), 2, 3 or 4
    equal parts along its score. Liquids: ``strength_mg`` per mL and ``smallest_ml`` is the
    measuring resolution (e.g. 0.1 mL with an oral syringe).
    """

    id: str
    market: str
    drug: str
    form: str  # "tablet", "capsule", "odt" or "liquid"
    name: str
    strength_mg: Decimal
    source: str
    confirmed: bool
    split_parts: int = 1
    smallest_ml: Decimal | None = None
    bottle_ml: Decimal | None = None
    pack_size: int | None = None
    rxnorm: str | None = None
    note: str = ""

    @property
    def is_liquid(self) -> bool:
        return self.form == "liquid"

    def __hash__(self) -> int:
        # Product sets key the dispensing caches; ids are unique, so hash by id alone.
        return hash(self.id)


@dataclass(frozen=True)
class Catalogue:
    sources: Mapping[str, Source]
    drugs: Mapping[str, Drug]
    products: tuple[Product, ...]

    def drug(self, name: str, field_name: str = "drug") -> Drug:
        """Find a drug by key, name or brand (case-insensitive); unknown names are refused
        with the nearest names as suggestions."""
        wanted = name.strip().lower().replace(" ", "_")
        if wanted in self.drugs:
            return self.drugs[wanted]
        for drug in self.drugs.values():
            if wanted.replace("_", " ") in (b.lower() for b in drug.brands):
                return drug
            if wanted.replace("_", " ") == drug.name.lower():
                return drug
        names = list(self.drugs) + [b.lower() for d in self.drugs.values() for b in d.brands]
        hint = closest_names(wanted, names)
        raise InputError(
            field_name,
            name,
            "a benzodiazepine or Z-drug in the catalogue (benzodetox drugs lists them)",
            hint=f"did you mean {', '.join(hint)}?" if hint else "",
        )

    def check_daily_dose(self, drug: str, mg: Decimal, field_name: str = "amount") -> str:
        """Refuse an implausible daily total of ``drug`` (above PLAUSIBLE_OVER_LABEL × the label
        maximum), stating the range; return a warning when it is above the label maximum."""
        found = self.drug(drug)
        label = found.max_daily
        status = "confirmed" if label.confirmed else "unconfirmed"
        limit = label.mg * PLAUSIBLE_OVER_LABEL
        if mg > limit:
            raise InputError(
                field_name,
                f"{plain_decimal(mg)} mg/day of {found.name}",
                f"up to {plain_decimal(limit)} mg/day ({PLAUSIBLE_OVER_LABEL}× the {status} label "
                f"maximum of {plain_decimal(label.mg)} mg/day)",
                hint="check the amount and unit; this limit only catches typing errors",
            )
        if mg > label.mg:
            return (
                f"{found.name} {plain_decimal(mg)} mg/day is above the {status} label maximum of "
                f"{plain_decimal(label.mg)} mg/day [{label.source}]"
            )
        return ""

    def products_for(self, drug: str, market: str) -> tuple[Product, ...]:
        if market not in MARKETS:
            raise InputError("market", market, " or ".join(MARKETS))
        return tuple(p for p in self.products if p.drug == drug and p.market == market)

    def source(self, key: str) -> Source:
        try:
            return self.sources[key]
        except KeyError:
            raise DataError(f"unknown source key {key!r}") from None


def _read(name: str) -> dict[str, Any]:
    text = resources.files("benzodetox.core").joinpath("data", name).read_text("utf-8")
    return tomllib.loads(text, parse_float=Decimal)


def _dec(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _max_dose(row: Mapping[str, Any]) -> MaxDose:
    return MaxDose(
        mg=_dec(row["mg"]),
        source=row["source"],
        confirmed=bool(row.get("confirmed", False)),
        note=row.get("note", ""),
    )


def _max_by_market(drug: str, rows: Mapping[str, Any]) -> dict[str, MaxDose]:
    unknown = sorted(set(rows) - set(MARKETS))
    if unknown:
        raise DataError(f"drugs.toml [{drug}] max_daily_by_market: unknown market(s) {unknown}")
    return {market: _max_dose(row) for market, row in rows.items()}


def _load() -> Catalogue:
    sources = {
        key: Source(
            key=key,
            citation=row["citation"],
            label=row["label"],
            url=row.get("url", ""),
        )
        for key, row in _read("sources.toml").items()
    }
    equivalence = _read("equivalence.toml")
    drugs: dict[str, Drug] = {}
    for key, row in _read("drugs.toml").items():
        figures = {
            table: EquivalenceFigure(
                table=table,
                lo_mg=_dec(fig["lo"]),
                hi_mg=_dec(fig["hi"]),
                label=fig.get("label", "V"),
                doubled=bool(fig.get("doubled", False)),
            )
            for table, fig in equivalence.get(key, {}).items()
        }
        drugs[key] = Drug(
            key=key,
            name=row["name"],
            brands=tuple(row.get("brands", ())),
            drug_class=row["class"],
            duration_class=row["duration_class"],
            duration_conflict=row.get("duration_conflict", ""),
            half_lives=tuple(
                HalfLife(
                    lo_h=_dec(h["lo"]),
                    hi_h=_dec(h["hi"]),
                    source=h["source"],
                    of=h.get("of", "parent"),
                    label=h.get("label", "V"),
                    note=h.get("note", ""),
                )
                for h in row.get("half_life", ())
            ),
            max_daily=_max_dose(row["max_daily"]),
            equivalence=figures,
            notes=tuple(row.get("notes", ())),
            max_daily_by_market=_max_by_market(key, row.get("max_daily_by_market", {})),
        )
    products = tuple(
        Product(
            id=row["id"],
            market=row["market"],
            drug=row["drug"],
            form=row["form"],
            name=row["name"],
            strength_mg=_dec(row["strength_mg"]),
            source=row["source"],
            confirmed=bool(row.get("confirmed", False)),
            split_parts=int(row.get("split_parts", 1)),
            smallest_ml=_dec(row["smallest_ml"]) if "smallest_ml" in row else None,
            bottle_ml=_dec(row["bottle_ml"]) if "bottle_ml" in row else None,
            pack_size=row.get("pack_size"),
            rxnorm=row.get("rxnorm"),
            note=row.get("note", ""),
        )
        for row in _read("products.toml")["product"]
    )
    return Catalogue(sources=sources, drugs=drugs, products=products)


@cache
def catalogue() -> Catalogue:
    """The catalogue, loaded once per process."""
    return _load()
