"""``benzodetox outcomes``: a programme's outcomes for a period, as on the outcomes page.

The period selects episodes by the day their taper started (``--from``/``--to``, inclusive).
``table`` prints the headline figures, ``json`` every cohort figure (hidden small cells are
null), ``csv`` the de-identified row of each episode (no names, record numbers or dates of
birth; days since the start instead of dates). Running it is an audit event.
"""

from __future__ import annotations

import getpass
import os
from datetime import date
from typing import Any

import click

from ..core.errors import InputError
from ._common import emit, format_option, output_option

__all__ = ["commands", "outcomes"]


def _day(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(field, value, "a date as YYYY-MM-DD") from None


def _table(f: Any) -> str:
    def show(value: Any) -> str:
        return "not shown" if value is None else str(value)

    lines = [f"Patients: {show(f.patients)} (cells under {f.threshold} not shown)", ""]
    lines.append("Outcome")
    lines += [f"  {words:<40} {show(count)}" for _s, words, count in f.statuses]
    lines += ["", "Completion funnel"]
    lines += [f"  {s.label:<40} {show(s.count)}" for s in f.funnel]
    lines += ["", "Aftercare retention (contact attended in the window)"]
    lines += [
        f"  day {r.day:<36} {show(r.retained)} of {show(r.eligible)}"
        + (f" ({r.percent}%)" if r.percent is not None else "")
        for r in f.retention
    ]
    lines += ["", "Still tapering (Kaplan–Meier), every 4 weeks"]
    lines += [f"  day {p.day:<36} {p.percent}% ({p.at_risk} at risk)" for p in f.km_table]
    q = f.time_to_last_dose
    lines += ["", f"Days to the last dose: median {show(q.median)} (IQR {show(q.q1)}–{show(q.q3)})"]
    lines += ["", "CIWA-B peak by phase: median (IQR)"]
    lines += [
        f"  {phase:<40} {show(peak.median)} ({show(peak.q1)}–{show(peak.q3)})"
        for phase, peak, _auc in f.burden
    ]
    return "\n".join(lines)


@click.command()
@click.option("--programme", "programme_name", required=True, help="The programme's name.")
@click.option("--from", "start_from", metavar="YYYY-MM-DD", help="Taper started on or after.")
@click.option("--to", "start_to", metavar="YYYY-MM-DD", help="Taper started on or before.")
@format_option
@output_option
def outcomes(
    programme_name: str,
    start_from: str | None,
    start_to: str | None,
    fmt: str,
    output: str | None,
) -> None:
    """A programme's outcomes: completion, time to the last dose, CIWA-B burden, aftercare
    retention; small cells suppressed; the CSV is de-identified."""
    lo, hi = _day(start_from, "from"), _day(start_to, "to")
    if lo and hi and hi < lo:
        raise InputError("to", start_to, f"a day on or after --from {start_from}")
    from .server import setup_django

    setup_django()
    from django.utils import timezone

    from benzodetox.core.outcomes import CSV_COLUMNS, CohortFilter, csv_row, select
    from benzodetox.web.audit.services import record
    from benzodetox.web.outcomes import services
    from benzodetox.web.outcomes.report import figures, figures_as_dict
    from benzodetox.web.programmes.models import Programme
    from benzodetox.web.programmes.scoping import scope_programmes

    programme = Programme.objects.filter(name=programme_name).first()
    if programme is None:
        names = ", ".join(Programme.objects.values_list("name", flat=True)[:10]) or "none yet"
        raise InputError("programme", programme_name, f"a programme's name ({names})")
    with scope_programmes({programme.pk}):
        everyone = services.outcomes_for(programme.pk, timezone.localdate())
        cohort = select(everyone, CohortFilter(start_from=lo, start_to=hi))
        f = figures(cohort, services.definitions_for(programme.pk), draw=False)
        try:
            actor = getpass.getuser()
        except (KeyError, OSError):
            actor = f"uid {os.getuid()}"
        record(
            None,
            "outcomes.exported",
            programme=programme.pk,
            summary=f"outcomes of {programme.name} by benzodetox outcomes ({fmt})",
            detail={
                "via": "benzodetox outcomes",
                "os_user": actor,
                "format": fmt,
                "from": start_from or "",
                "to": start_to or "",
                "rows": len(cohort),
            },
        )
    rows = [
        dict(zip(CSV_COLUMNS, csv_row(o), strict=True))
        for o in sorted(cohort, key=lambda o: o.episode)
    ]
    data = {
        "programme": programme.name,
        "from": start_from,
        "to": start_to,
        "as_of": timezone.localdate().isoformat(),
        **figures_as_dict(f),
    }
    emit(data, rows, fmt, output, text=_table(f))


commands = [outcomes]
