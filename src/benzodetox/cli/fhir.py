"""``benzodetox fhir import FILE``: the draft regimen a FHIR Bundle, MedicationStatement or
MedicationRequest gives (docs/api/fhir.md, "Import"). Nothing is saved: the CLI has no patient
record; the output is the regimen as ``--take`` options for ``benzodetox plan``.

Exit status 0 when every medication entry was read; 2 when the file is not FHIR JSON, or when
an entry was refused (each named with its reason on standard error).
"""

from __future__ import annotations

import shlex
from datetime import date
from typing import Any

import click

from ..core.errors import InputError
from ..core.units import plain_decimal
from ..interop.fhir import Draft, read_fhir
from ._common import emit, format_option, output_option, read_json_file

__all__ = ["commands"]


def _day(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError("on", value, "a date as YYYY-MM-DD") from None


def _rows(draft: Draft) -> list[dict[str, Any]]:
    return [
        {"drug": d.drug, "mg": d.mg, "time": d.time.strftime("%H:%M"), "entry": d.entry}
        for d in draft.doses
    ]


def _takes(draft: Draft) -> str:
    return " ".join(
        f"--take {shlex.quote(f'{d.drug} {plain_decimal(d.mg)} mg at {d.time:%H:%M}')}"
        for d in draft.doses
    )


def _text(draft: Draft) -> str:
    lines = [
        f"{d.time:%H:%M}  {plain_decimal(d.mg):>8} mg  {d.drug}   ({d.entry})" for d in draft.doses
    ]
    if draft.doses:
        lines += ["", f"as plan options: {_takes(draft)}"]
    else:
        lines.append("no dose could be read")
    lines += [f"left aside: {item}" for item in draft.ignored]
    return "\n".join(lines)


@click.group("fhir")
def fhir_group() -> None:
    """FHIR R4: read a regimen from an EHR's medication resources."""


@fhir_group.command("import")
@click.argument("file", metavar="FILE")
@click.option(
    "--on",
    "on",
    default=None,
    metavar="YYYY-MM-DD",
    help="The day the regimen is read for (a taper's step in force); default today.",
)
@format_option
@output_option
def import_command(file: str, on: str | None, fmt: str, output: str | None) -> None:
    """Print the draft regimen FILE (FHIR JSON) gives; refused entries exit 2."""
    day = _day(on)
    draft = read_fhir(read_json_file(file, "file"), day)
    data = {
        "on": day.isoformat(),
        "regimen": _rows(draft),
        "refused": [{"entry": r.entry, "reason": r.reason} for r in draft.refused],
        "ignored": list(draft.ignored),
    }
    emit(data, _rows(draft), fmt, output, text=_text(draft))
    if draft.refused:
        for refusal in draft.refused:
            click.echo(f"Error: {refusal.entry}: {refusal.reason}", err=True)
        click.get_current_context().exit(2)


commands = [fhir_group]
