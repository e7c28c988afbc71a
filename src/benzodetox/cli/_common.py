"""Helpers shared by the CLI command modules.

- :func:`regimen_from_takes` turns repeatable ``--take "DRUG AMOUNT UNIT at HH:MM"`` options into a
  checked :class:`~benzodetox.core.regimen.Regimen` (drug names resolved through the catalogue,
  amounts above a drug's plausible daily maximum refused).
- :func:`emit` writes a result as a readable table (default), JSON or CSV, to stdout or a file.
  Give it ``data`` (anything :func:`jsonable` understands) for JSON, and ``rows`` (a list of flat
  dicts, all with the same keys) for CSV and the table; ``text`` replaces the rendered table when a
  command wants a richer layout than one grid.
- :func:`format_option` and :func:`output_option` are the two click options every command takes.

Example (inside a click command)::

    regimen = regimen_from_takes(take)
    emit({"source": "ashton-2002"}, [{"drug": "alprazolam", "mg": Decimal(1)}], fmt, output)
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

import click

from ..core.catalogue import catalogue
from ..core.errors import InputError
from ..core.regimen import Dose, Regimen, parse_take
from ..core.units import plain_decimal

__all__ = [
    "FORMATS",
    "emit",
    "format_option",
    "jsonable",
    "output_option",
    "regimen_from_takes",
    "render_table",
]

FORMATS = ("table", "json", "csv")
F = TypeVar("F", bound=Callable[..., Any])


def format_option(function: F) -> F:
    """``--format table|json|csv`` (default table), passed as ``fmt``."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format.",
    )(function)


def output_option(function: F) -> F:
    """``--output FILE``: write there instead of standard output."""
    return click.option(
        "--output",
        "output",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="Write to FILE instead of standard output.",
    )(function)


def regimen_from_takes(takes: tuple[str, ...]) -> Regimen:
    """Parse ``--take`` strings into a Regimen of catalogue drugs.

    Each take is ``"DRUG AMOUNT UNIT at HH:MM"`` (unit mg, µg or mcg). Unknown drugs are refused
    with the nearest names; a drug's total per day above its plausible maximum is refused with the
    allowed range (that maximum is a typing-error check, shown as unconfirmed when it is).
    """
    if not takes:
        raise InputError("take", "nothing", "at least one --take 'DRUG AMOUNT UNIT at HH:MM'")
    cat = catalogue()
    doses: list[Dose] = []
    for text in takes:
        name, mg, at = parse_take(text)
        drug = cat.drug(name)
        doses.append(Dose(time=at, drug=drug.key, mg=mg))
    regimen = Regimen(tuple(doses))
    for key in regimen.drugs:
        warning = cat.check_daily_dose(key, regimen.daily_mg(key))
        if warning:
            click.echo(f"Warning: {warning}", err=True)
    return regimen


def jsonable(value: Any) -> Any:
    """Plain JSON values: Decimal and Fraction as decimal strings, dates as ISO text,
    dataclasses and mappings as objects, tuples as arrays."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, (date, datetime, time)):
        return value.isoformat(timespec="minutes") if isinstance(value, time) else value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Iterable):
        return [jsonable(v) for v in value]
    if isinstance(value, float):  # pragma: no cover - floats are not used for doses
        return value
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    return str(value)


def render_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows as an aligned text grid with a header line; empty rows give an empty string."""
    if not rows:
        return ""
    headers = list(rows[0])
    cells = [[_cell(row.get(h)) for h in headers] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )
    return "\n".join(lines)


def _csv(rows: Sequence[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
    return buffer.getvalue()


def emit(
    data: Any,
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    output: str | None,
    *,
    text: str | None = None,
) -> None:
    """Write ``data`` as JSON, ``rows`` as CSV, or ``text`` (else ``rows`` as a table)."""
    if fmt == "json":
        body = json.dumps(jsonable(data), indent=2, ensure_ascii=False) + "\n"
    elif fmt == "csv":
        body = _csv(rows)
    elif fmt == "table":
        body = (text if text is not None else render_table(rows)).rstrip("\n") + "\n"
    else:
        raise InputError("format", fmt, " or ".join(FORMATS))
    if output:
        Path(output).write_text(body, encoding="utf-8")
        click.echo(f"written to {output}", err=True)
    else:
        click.echo(body, nl=False)
