"""The trend charts of a patient's monitoring page, as data for ``reports.charts``: the
CIWA-B and BWSQ totals over the plan's diazepam-equivalent dose steps (with the programme's
CIWA-B bands), each vital sign against the programme's thresholds, and the PHQ-9 and GAD-7
totals. Each chart is a (title, SVG) pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from benzodetox.core.assessment import instrument
from benzodetox.core.plan import Plan

from . import charts
from .clock import local_naive
from .models import Assessment
from .policy import Policy

__all__ = ["trend_charts"]

Chart = tuple[str, str]


def _by_kind(rows: Sequence[Assessment]) -> dict[str, list[Assessment]]:
    by_kind: dict[str, list[Assessment]] = {}
    for row in sorted(rows, key=lambda r: r.at):
        by_kind.setdefault(row.kind, []).append(row)
    return by_kind


def _line(
    by_kind: dict[str, list[Assessment]], kind: str, name: str, value: str = "total"
) -> charts.Line:
    """One line: the rows of ``kind`` that have ``value``, with their bands for totals."""
    found = [r for r in by_kind.get(kind, []) if getattr(r, value) is not None]
    return charts.Line(
        name,
        tuple((local_naive(r.at), Decimal(getattr(r, value))) for r in found),
        tuple(r.band for r in found) if value == "total" else (),
    )


def _limits(policy: Policy, sign: str) -> list[charts.Threshold]:
    """The programme's threshold of ``sign`` as a chart line (a temperature in °C)."""
    found = {t.sign: t for t in policy.vitals.thresholds}.get(sign)
    if found is None:
        return []
    value = found.value
    if sign == "temperature" and found.unit == "°F":
        value = ((value - 32) * 5 / 9).quantize(Decimal("0.1"))
    return [charts.Threshold(f"{found.op} {value}", value)]


def _withdrawal(
    by_kind: dict[str, list[Assessment]],
    plan: Plan | None,
    policy: Policy,
    start: date,
    end: date,
    today: date,
) -> Chart:
    steps = (
        charts.Steps(
            "dose",
            tuple((s.start, s.end, Decimal(s.diazepam_eq_mg)) for s in plan.steps),
        )
        if plan is not None
        else None
    )
    return (
        "Withdrawal: CIWA-B and BWSQ totals over the dose steps",
        charts.trend_chart(
            "chart-withdrawal",
            "CIWA-B and BWSQ totals over the plan's diazepam-equivalent dose",
            start,
            end,
            [_line(by_kind, "ciwa-b", "CIWA-B"), _line(by_kind, "bwsq", "BWSQ")],
            "total score",
            Decimal(instrument("ciwa-b").max_total),
            bands=tuple(charts.Band(b.name, b.lo, b.hi) for b in policy.bands.bands),
            steps=steps,
            today=today,
        ),
    )


def _vitals(
    by_kind: dict[str, list[Assessment]], policy: Policy, start: date, end: date, today: date
) -> list[Chart]:
    def line(name: str, sign: str) -> charts.Line:
        return _line(by_kind, "vitals", name, sign)

    def limits(*signs: str) -> list[charts.Threshold]:
        return [t for sign in signs for t in _limits(policy, sign)]

    vitals = [
        ("Pulse (/min)", [line("pulse", "pulse")], limits("pulse"), None),
        (
            "Blood pressure (mmHg)",
            [line("systolic", "sbp"), line("diastolic", "dbp")],
            limits("sbp", "dbp"),
            None,
        ),
        (
            "Temperature (°C)",
            [line("temperature", "temperature")],
            limits("temperature"),
            Decimal(42),
        ),
        ("SpO₂ (%)", [line("SpO₂", "spo2")], limits("spo2"), Decimal(100)),
    ]
    return [
        (
            title,
            charts.trend_chart(
                f"chart-vitals-{n}",
                title,
                start,
                end,
                lines,
                title,
                top,
                thresholds=found,
                today=today,
            ),
        )
        for n, (title, lines, found, top) in enumerate(vitals)
        if any(line_.points for line_ in lines)
    ]


def _mood(
    by_kind: dict[str, list[Assessment]], start: date, end: date, today: date
) -> list[Chart]:
    mood = [_line(by_kind, "phq-9", "PHQ-9"), _line(by_kind, "gad-7", "GAD-7")]
    if not any(m.points for m in mood):
        return []
    phq9_bands = instrument("phq-9").bands
    return [
        (
            "Mood and anxiety: PHQ-9 and GAD-7",
            charts.trend_chart(
                "chart-mood",
                "PHQ-9 and GAD-7 totals",
                start,
                end,
                mood,
                "total score",
                Decimal(instrument("phq-9").max_total),
                bands=tuple(
                    charts.Band(b.name, b.lo, b.hi)
                    for b in (phq9_bands.bands if phq9_bands is not None else ())
                ),
                today=today,
            ),
        )
    ]


def trend_charts(
    rows: Sequence[Assessment],
    plan: Plan | None,
    policy: Policy,
    start: date,
    end: date,
    today: date,
) -> list[Chart]:
    """The withdrawal chart always; a vital-sign chart per sign and the mood chart only when
    they have readings."""
    by_kind = _by_kind(rows)
    return [
        _withdrawal(by_kind, plan, policy, start, end, today),
        *_vitals(by_kind, policy, start, end, today),
        *_mood(by_kind, start, end, today),
    ]
