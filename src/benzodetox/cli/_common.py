"""Helpers shared by the CLI command modules.

- :func:`regimen_from_takes` turns repeatable ``--take "DRUG AMOUNT UNIT at HH:MM"`` options into a
  checked :class:`~benzodetox.core.regimen.Regimen` (drug names resolved through the catalogue,
  amounts above a drug's plausible daily maximum refused).
- :func:`emit` writes a result as a readable table (default), JSON or CSV, to stdout or a file.
  Give it ``data`` (anything :func:`jsonable` understands) for JSON, and ``rows`` (a list of flat
  dicts, all with the same keys) for CSV and the table; ``text`` replaces the rendered table when a
  command wants a richer layout than one grid.
- :func:`format_option` and :func:`output_option` are the two click options every command takes.
  ``--output`` is checked as soon as it is parsed (an existing, writable folder; not a folder
  itself), so a bad path exits with status 2 and one line before any work is done;
  :func:`write_output` turns a failure while writing into the same one line.
- :func:`read_json_file` reads a JSON input file (``--intake``, ``--plan``, ``--assessments``),
  refusing an unreadable, non-UTF-8 or invalid file with one line naming the option.

Example (inside a click command)::

    regimen = regimen_from_takes(take)
    emit({"source": "ashton-2002"}, [{"drug": "alprazolam", "mg": Decimal(1)}], fmt, output)
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import click

from ..core.catalogue import catalogue
from ..core.errors import InputError
from ..core.regimen import Dose, Regimen, parse_take
from ..core.units import plain_decimal
from ..interop.json_contract import jsonable

__all__ = [
    "FORMATS",
    "OUTPUT_ALLOWED",
    "OUTPUT_META",
    "check_output_path",
    "emit",
    "format_option",
    "jsonable",
    "output_option",
    "read_json_file",
    "regimen_from_takes",
    "render_table",
    "write_output",
]

FORMATS = ("table", "json", "csv")
F = TypeVar("F", bound=Callable[..., Any])
#: What ``--output`` accepts, in the words of every refusal.
OUTPUT_ALLOWED = "a file in an existing folder that can be written to"
#: Key in ``click.Context.meta`` (shared by every context of one run) holding the ``--output``
#: path, so the entry point can name ``output`` if writing it still fails.
OUTPUT_META = "benzodetox.output"


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


def check_output_path(value: str) -> str:
    """``value`` if a file can be written there, else an ``InputError`` on ``output``.

    Refused: an empty name, a NUL character, a folder, a file in a folder that does not exist
    (or under a file), a read-only file or folder, a name the system cannot take (too long).
    """
    if not value.strip():
        raise InputError("output", value, OUTPUT_ALLOWED, hint="the name is empty")
    if "\x00" in value:
        raise InputError("output", value, OUTPUT_ALLOWED, hint="the name contains a NUL character")
    path = Path(value)
    folder = path.parent
    try:
        if path.is_dir():
            raise InputError("output", value, "a file, not a folder")
        if not folder.is_dir():
            why = "is not a folder" if folder.exists() else "does not exist"
            raise InputError("output", value, OUTPUT_ALLOWED, hint=f"{folder} {why}")
        writable = os.access(path if path.exists() else folder, os.W_OK)
    except OSError as error:
        raise InputError("output", value, OUTPUT_ALLOWED, hint=error.strerror or "") from None
    if not writable:
        raise InputError("output", value, OUTPUT_ALLOWED, hint="permission denied")
    return value


def _output_callback(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    ctx.meta[OUTPUT_META] = value
    return check_output_path(value)


def output_option(function: F) -> F:
    """``--output FILE``: write there instead of standard output (checked when parsed)."""
    return click.option(
        "--output",
        "output",
        type=str,
        default=None,
        metavar="FILE",
        callback=_output_callback,
        help="Write to FILE instead of standard output.",
    )(function)


def write_output(output: str, body: str | bytes) -> None:
    """Write ``body`` to ``output`` (text as UTF-8) and say so on stderr; a failure is an
    ``InputError`` on ``output`` (exit 2, one line), never a traceback."""
    try:
        if isinstance(body, bytes):
            Path(output).write_bytes(body)
        else:
            Path(output).write_text(body, encoding="utf-8")
    except (OSError, ValueError) as error:
        hint = error.strerror if isinstance(error, OSError) else str(error)
        raise InputError("output", output, OUTPUT_ALLOWED, hint=hint or "") from None
    click.echo(f"written to {output}", err=True)


def read_json_file(path: str, option: str) -> Any:
    """The JSON value in the file ``path`` (numbers with a fraction as Decimal), or an
    ``InputError`` on ``option`` saying what is wrong with the file (unreadable, not UTF-8,
    not valid JSON, nested too deeply). A UTF-8 byte-order mark is accepted."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise InputError(option, path, "a readable JSON file", hint=error.strerror or "") from None
    except ValueError as error:  # e.g. a NUL character in the name
        raise InputError(option, path, "a readable JSON file", hint=str(error)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            option, path, "a UTF-8 JSON file", hint=f"byte {error.start} is not UTF-8"
        ) from None
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}: {error.msg}"
        raise InputError(option, path, "valid JSON", hint=where) from None
    except RecursionError:
        raise InputError(option, path, "valid JSON", hint="nested too deeply") from None


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
        try:
            name, mg, at = parse_take(text)
        except ArithmeticError:  # an amount with more digits than exact arithmetic holds
            raise InputError(
                "take", text, "'DRUG AMOUNT UNIT at HH:MM' with a dose such as 0.5 or 10"
            ) from None
        drug = cat.drug(name)
        doses.append(Dose(time=at, drug=drug.key, mg=mg))
    regimen = Regimen(tuple(doses))
    for key in regimen.drugs:
        warning = cat.check_daily_dose(key, regimen.daily_mg(key))
        if warning:
            click.echo(f"Warning: {warning}", err=True)
    return regimen


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
        write_output(output, body)
    else:
        click.echo(body, nl=False)
