"""``benzodetox drugs`` (the catalogue) and ``benzodetox convert`` (diazepam equivalence)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import click

from ..core.catalogue import (
    EQUIVALENCE_TABLES,
    MARKETS,
    SUPPLEMENTARY_TABLES,
    Drug,
    EquivalenceFigure,
    Product,
    catalogue,
)
from ..core.equivalence import DISAGREEMENT_RATIO, Basis, Conversion
from ..core.equivalence import convert as convert_regimen
from ..core.units import format_mg, plain_decimal
from ..interop.json_contract import conversion_data
from ._common import emit, format_option, output_option, regimen_from_takes, render_table

__all__ = ["commands", "convert", "drugs"]

DEFAULT_SOURCE = "ashton-2002"
_ALL_TABLES = EQUIVALENCE_TABLES + SUPPLEMENTARY_TABLES


def _fig_text(fig: EquivalenceFigure) -> str:
    if fig.is_range:
        return f"{plain_decimal(fig.lo_mg)}–{plain_decimal(fig.hi_mg)}"
    return plain_decimal(fig.lo_mg)


def _span(drug: Drug) -> tuple[Decimal, Decimal, Decimal] | None:
    figs = list(drug.equivalence.values())
    if not figs:
        return None
    lo = min(f.lo_mg for f in figs)
    hi = max(f.hi_mg for f in figs)
    return lo, hi, (hi / lo).quantize(Decimal("0.001"))


def _product_data(p: Product) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": p.id,
        "market": p.market,
        "form": p.form,
        "name": p.name,
        "strength_mg": p.strength_mg,
        "split_parts": p.split_parts,
        "confirmed": p.confirmed,
        "source": p.source,
    }
    if p.is_liquid:
        data["strength_unit"] = "mg/mL"
        data["smallest_ml"] = p.smallest_ml
        data["bottle_ml"] = p.bottle_ml
    if p.rxnorm:
        data["rxnorm"] = p.rxnorm
    if p.note:
        data["note"] = p.note
    return data


def _drug_data(drug: Drug, markets: tuple[str, ...]) -> dict[str, Any]:
    cat = catalogue()
    span = _span(drug)
    return {
        "drug": drug.key,
        "name": drug.name,
        "brands": list(drug.brands),
        "class": drug.drug_class,
        "duration_class": drug.duration_class,
        "duration_conflict": drug.duration_conflict or None,
        "half_lives": [
            {
                "of": h.of,
                "lo_h": h.lo_h,
                "hi_h": h.hi_h,
                "source": h.source,
                "label": h.label,
                "note": h.note or None,
            }
            for h in drug.half_lives
        ],
        "equivalence": {
            t: {
                "lo_mg": f.lo_mg,
                "hi_mg": f.hi_mg,
                "label": f.label,
                "doubled": f.doubled,
                "planning_basis": t in EQUIVALENCE_TABLES,
            }
            for t in _ALL_TABLES
            if (f := drug.equivalence.get(t)) is not None
        },
        "span": None
        if span is None
        else {
            "lo_mg": span[0],
            "hi_mg": span[1],
            "ratio": span[2],
            "disagreement": span[1] >= DISAGREEMENT_RATIO * span[0],
        },
        "max_daily": {
            "mg": drug.max_daily.mg,
            "source": drug.max_daily.source,
            "confirmed": drug.max_daily.confirmed,
        },
        "products": [_product_data(p) for m in markets for p in cat.products_for(drug.key, m)],
        "notes": list(drug.notes),
    }


def _product_line(p: Product) -> str:
    if p.is_liquid:
        step = plain_decimal(p.smallest_ml or Decimal(0))
        how = f"{plain_decimal(p.strength_mg)} mg/mL, measure to {step} mL"
        if p.bottle_ml:
            how += f", {plain_decimal(p.bottle_ml)} mL bottle"
    elif p.split_parts > 1:
        how = f"{format_mg(p.strength_mg)}, may be split into {p.split_parts} parts"
    else:
        how = f"{format_mg(p.strength_mg)}, not split"
    mark = "" if p.confirmed else "  [unconfirmed]"
    rx = f"  RxNorm {p.rxnorm}" if p.rxnorm else ""
    return f"  {p.market}  {p.name}: {how}{rx}{mark}"


def _card_text(drug: Drug, markets: tuple[str, ...]) -> str:
    cat = catalogue()
    lines = [f"{drug.name} ({drug.drug_class})"]
    if drug.brands:
        lines.append(f"brands: {', '.join(drug.brands)}")
    duration = drug.duration_class
    if drug.duration_conflict:
        duration += f"  [!] CONFLICT: {drug.duration_conflict}"
    lines.append(f"duration class: {duration}")
    lines.append("half-lives:")
    for h in drug.half_lives:
        value = (
            plain_decimal(h.lo_h)
            if h.lo_h == h.hi_h
            else f"{plain_decimal(h.lo_h)}–{plain_decimal(h.hi_h)}"
        )
        note = f" ({h.note})" if h.note else ""
        lines.append(f"  {h.of}: {value} h{note}  [{h.label}] {h.source}")
    lines.append("dose equivalent to diazepam 10 mg:")
    for t in _ALL_TABLES:
        fig = drug.equivalence.get(t)
        if fig is None:
            continue
        extra = " ×2 (published per diazepam 5 mg)" if fig.doubled else ""
        partial = "" if t in EQUIVALENCE_TABLES else " (partial table; range only)"
        lines.append(f"  {t:<14} {_fig_text(fig)} mg  [{fig.label}]{extra}{partial}")
    span = _span(drug)
    if span is None:
        lines.append("  no table lists it: switch to another drug to plan")
    else:
        warn = (
            "  ⚠ tables disagree by 1.5× or more" if span[1] >= DISAGREEMENT_RATIO * span[0] else ""
        )
        lines.append(
            f"  span: {plain_decimal(span[0])}–{plain_decimal(span[1])} mg "
            f"(×{plain_decimal(span[2])}){warn}"
        )
    md = drug.max_daily
    status = "" if md.confirmed else " (unconfirmed, input check only)"
    lines.append(f"plausible maximum: {format_mg(md.mg)}/day{status}  {md.source}")
    for market in markets:
        products = cat.products_for(drug.key, market)
        lines.append(f"products ({market}):" if products else f"products ({market}): none")
        lines.extend(_product_line(p) for p in products)
    if drug.notes:
        lines.append("notes:")
        lines.extend(f"  - {n}" for n in drug.notes)
    return "\n".join(lines)


def _card_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(section: str, item: str, value: Any, source: str = "", label: str = "") -> None:
        rows.append(
            {"section": section, "item": item, "value": value, "source": source, "label": label}
        )

    add("drug", "name", data["name"])
    add("drug", "brands", data["brands"])
    add("drug", "class", data["class"])
    add("drug", "duration_class", data["duration_class"])
    if data["duration_conflict"]:
        add("drug", "duration_conflict", data["duration_conflict"])
    for h in data["half_lives"]:
        add(
            "half_life",
            h["of"],
            f"{plain_decimal(h['lo_h'])}-{plain_decimal(h['hi_h'])} h",
            h["source"],
            h["label"],
        )
    for t, f in data["equivalence"].items():
        lohi = (
            f"{plain_decimal(f['lo_mg'])}-{plain_decimal(f['hi_mg'])}"
            if f["lo_mg"] != f["hi_mg"]
            else (plain_decimal(f["lo_mg"]))
        )
        add("equivalence", t, f"{lohi} mg", t, f["label"])
    md = data["max_daily"]
    add("max_daily", "mg", md["mg"], md["source"], "" if md["confirmed"] else "R")
    for p in data["products"]:
        add("product", p["id"], p["name"], p["source"], "" if p["confirmed"] else "unconfirmed")
    return rows


def _list_row(drug: Drug, market: str | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "drug": drug.key,
        "class": drug.drug_class,
        "duration": drug.duration_class + (" [!]" if drug.duration_conflict else ""),
    }
    for t in _ALL_TABLES:
        fig = drug.equivalence.get(t)
        row[t] = _fig_text(fig) if fig else ""
    span = _span(drug)
    if span is not None:
        flag = " ⚠" if span[1] >= DISAGREEMENT_RATIO * span[0] else ""
        row["span"] = f"×{plain_decimal(span[2])}{flag}"
    else:
        row["span"] = ""
    row["max_mg_day"] = plain_decimal(drug.max_daily.mg) + ("" if drug.max_daily.confirmed else "*")
    if market:
        row[f"products_{market}"] = len(catalogue().products_for(drug.key, market))
    return row


@click.command()
@click.argument("name", required=False)
@click.option(
    "--market", type=click.Choice(MARKETS), default=None, help="Show products of one market."
)
@format_option
@output_option
def drugs(name: str | None, market: str | None, fmt: str, output: str | None) -> None:
    """List the catalogue, or show one drug's card (NAME: generic or brand name).

    Equivalence figures are mg ≡ diazepam 10 mg per table; ⚠ marks drugs whose tables disagree
    by 1.5× or more; * marks an unconfirmed maximum daily dose (input check only).
    """
    cat = catalogue()
    markets = (market,) if market else MARKETS
    if name:
        drug = cat.drug(name, field_name="name")
        data = _drug_data(drug, markets)
        emit(data, _card_rows(data), fmt, output, text=_card_text(drug, markets))
        return
    all_drugs = list(cat.drugs.values())
    rows = [_list_row(d, market) for d in all_drugs]
    legend = (
        "mg equivalent to diazepam 10 mg per table; ⚠ tables disagree ≥1.5×; "
        "[!] duration class disputed; * unconfirmed maximum (input check only)"
    )

    emit(
        {"drugs": [_drug_data(d, markets) for d in all_drugs]},
        rows,
        fmt,
        output,
        text=render_table(rows) + "\n\n" + legend,
    )


def _conversion_text(conv: Conversion, defaulted: bool) -> str:
    cat = catalogue()
    source = conv.source + (" (default; choose with --source)" if defaulted else "")
    lines = [f"source: {source}"]
    if conv.basis:
        lines.append(f"basis: {conv.basis} end of ranges")
    rows = []
    for d in conv.drugs:
        rows.append(
            {
                "drug": cat.drugs[d.drug].name,
                "mg/day": plain_decimal(d.daily_mg),
                "≡ diazepam 10 mg": f"{_fig_text(d.figure)} mg [{d.figure.label}]",
                "diazepam-eq mg/day": plain_decimal(d.diazepam_eq_mg),
                "all tables": f"{plain_decimal(d.range_mg[0])}–{plain_decimal(d.range_mg[1])}",
                "span": f"×{plain_decimal(d.span_ratio)}" + (" ⚠" if d.disagreement else ""),
            }
        )

    lines += ["", render_table(rows), ""]
    lo, hi = conv.range_mg_per_day
    lines.append(
        f"total: {format_mg(conv.diazepam_eq_mg_per_day)} diazepam/day under {conv.source}"
        f" (all tables: {plain_decimal(lo)}–{format_mg(hi)}/day)"
    )
    lines.append("per table (diazepam-eq mg/day):")
    for d in conv.drugs:
        parts = [
            f"{t} {plain_decimal(a)}" if a == b else f"{t} {plain_decimal(a)}–{plain_decimal(b)}"
            for t, (a, b) in d.per_table.items()
        ]
        lines.append(f"  {cat.drugs[d.drug].name}: " + "; ".join(parts))
    if conv.warnings:
        lines.append("warnings:")
        lines.extend(f"  - {w}" for w in conv.warnings)
    return "\n".join(lines)


@click.command()
@click.option(
    "--take",
    "takes",
    multiple=True,
    required=True,
    help="A daily dose as 'DRUG AMOUNT UNIT at HH:MM', e.g. 'alprazolam 1 mg at 08:00'. Repeat.",
)
@click.option(
    "--source",
    default=None,
    help=f"Equivalence table: {', '.join(EQUIVALENCE_TABLES)} (default {DEFAULT_SOURCE}).",
)
@click.option(
    "--basis",
    type=click.Choice(("low", "high")),
    default=None,
    help="Which end of a table's range to use (low = lower diazepam equivalent).",
)
@format_option
@output_option
def convert(
    takes: tuple[str, ...],
    source: str | None,
    basis: str | None,
    fmt: str,
    output: str | None,
) -> None:
    """Convert a regimen to diazepam-equivalent mg/day under one table, with the range across
    all tables and a warning for every drug whose tables disagree by 1.5× or more."""
    defaulted = source is None
    table = DEFAULT_SOURCE if source is None else source.strip().lower()
    regimen = regimen_from_takes(takes)
    chosen: Basis | None = "low" if basis == "low" else "high" if basis == "high" else None
    conv = convert_regimen(regimen, table, chosen)
    rows = [
        {
            "drug": d.drug,
            "daily_mg": d.daily_mg,
            "source": conv.source,
            "figure_lo_mg": d.figure.lo_mg,
            "figure_hi_mg": d.figure.hi_mg,
            "label": d.figure.label,
            "diazepam_eq_mg": d.diazepam_eq_mg,
            "range_lo_mg": d.range_mg[0],
            "range_hi_mg": d.range_mg[1],
            "span_ratio": d.span_ratio,
            "disagreement": d.disagreement,
        }
        for d in conv.drugs
    ]
    emit(
        conversion_data(conv, defaulted),
        rows,
        fmt,
        output,
        text=_conversion_text(conv, defaulted),
    )
    if defaulted and fmt != "table":
        click.echo(f"source: {DEFAULT_SOURCE} (default; choose with --source)", err=True)


commands = [drugs, convert]
