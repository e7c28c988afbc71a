"""CIWA-B trajectories by phase on the outcomes page: one chart with a line and band per phase,
each phase's table as its text alternative, small weeks hidden, and outcomes kept in the shape
before phases recomputed."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from benzodetox.web.monitoring.models import Assessment
from benzodetox.web.outcomes import services
from benzodetox.web.outcomes.demo_history import _at
from benzodetox.web.outcomes.models import EpisodeSnapshot, OutcomeRefresh
from benzodetox.web.programmes.scoping import unscoped

from .conftest import add_episode

URL = "/programme/outcomes/"


@pytest.fixture
def finished(programme_a: Any, prescriber: Any) -> list[Any]:
    """Six patients who finished a taper a year ago, scored on days 3, 10 and 17 of it and
    once two days after their last dose (1 to 6), and four more who scored only on day 3."""
    today = timezone.localdate()
    out = []
    for i in range(6):
        patient, last = add_episode(
            programme_a,
            prescriber,
            f"DONE-{i}",
            today - timedelta(days=400),
            scores=((3, 8), (10, 12), (17, 6)),
        )
        assert last is not None
        with unscoped():
            Assessment(
                programme=programme_a,
                patient=patient,
                kind="ciwa-b",
                at=_at(last + timedelta(days=2)),
                total=i + 1,
                entered_by=prescriber,
            ).save()
        out.append(patient)
    for i in range(4):
        out.append(
            add_episode(
                programme_a,
                prescriber,
                f"SHORT-{i}",
                today - timedelta(days=60),
                scores=((3, 4),),
            )[0]
        )
    return out


def _table(body: str, words: str) -> dict[str, tuple[str, ...]]:
    """The rows (week → patients, median, interquartile range) of one phase's table."""
    caption = f"CIWA-B by week since the phase began: {words}</caption>"
    assert caption in body, words
    table = body.split(caption, 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>", table)
    return {week: (n, median, iqr) for week, n, median, iqr in rows}


def test_the_page_shows_each_phase_with_its_table_and_hides_small_weeks(
    prescriber, client_for, finished
):
    response = client_for(prescriber).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<svg") == 3 and "style=" not in body.split("<main", 1)[-1]
    assert "CIWA-B by phase: median and interquartile range" in body
    tapering = _table(body, "Tapering")
    # week 0: six 8s and four 4s → quartile positions 2.25, 4.5, 6.75 → 4, 8, 8
    assert tapering["0"] == ("10", "8.0", "4.0–8.0")
    assert tapering["1"] == ("6", "12.0", "12.0–12.0")
    aftercare = _table(body, "After the last dose")
    # 1 to 6, two days after the last dose: week 0 since that phase began
    assert aftercare["0"] == ("6", "3.5", "2.3–4.8")
    # a week with fewer than 5 patients is listed but not shown
    for patients, median, iqr in list(tapering.values()) + list(aftercare.values()):
        assert patients == "not shown" or int(patients) >= 5
        if patients == "not shown":
            assert median == "—" and iqr == "—"
    # the chart names every phase with scores, in its legend and at its line
    chart = body.split('id="trajectory-title"', 1)[1].split("</svg>", 1)[0]
    assert chart.count(">Tapering</text>") == 2 and chart.count(">After the last dose</text>") == 2


def test_outcomes_kept_before_phases_are_recomputed(programme_a, prescriber, client_for, finished):
    """Snapshots in the shape before OUTCOME_VERSION 2 (no ciwa_by_phase) are dropped and
    computed again on the next view instead of failing to load."""
    today = timezone.localdate()
    with unscoped():
        services.refresh(programme_a.pk, today)
        for snap in EpisodeSnapshot.objects.filter(programme_id=programme_a.pk):
            snap.outcome.pop("ciwa_by_phase")
            snap.save()
        mark = OutcomeRefresh.objects.get(programme_id=programme_a.pk)
        mark.definitions.pop("outcome_version")
        mark.save()
    response = client_for(prescriber).get(URL)
    assert response.status_code == 200
    assert _table(response.content.decode(), "Tapering")["0"][0] == "10"
    with unscoped():
        kept = EpisodeSnapshot.objects.filter(programme_id=programme_a.pk)
        assert kept.count() == 10 and all("ciwa_by_phase" in s.outcome for s in kept)


def test_the_phase_chart_draws_a_line_band_and_marker_per_phase_without_style_attributes():
    """Each phase gets its own dash pattern and marker; a phase with one shown week is drawn as
    a marker and an interquartile bar (a one-point line would be invisible); a phase with
    only hidden weeks is left out; nothing there is for CSP to refuse."""
    from decimal import Decimal

    from benzodetox.core.outcomes import Quartiles
    from benzodetox.reports.charts.outcomes import phase_trajectory_svg

    q = Quartiles(8, Decimal(4), Decimal(6), Decimal(9))
    hidden = Quartiles(None, None, None, None)
    chart = phase_trajectory_svg(
        [("Tapering", [(0, q), (1, q), (2, hidden)]), ("Hold", [(0, q)]), ("Stab", [(0, hidden)])],
        52,
    )
    assert "style=" not in chart and "<script" not in chart
    assert chart.count("<polyline") == 1 and chart.count("<polygon") >= 1
    assert 'stroke-dasharray="7 3"' in chart  # the second phase's dash pattern (legend)
    assert chart.count(">Hold</text>") == 2 and "Stab" not in chart.split("</desc>", 1)[1]
    assert "Hold, week 0: median 6 (IQR 4–9, 8 patients)" in chart
    ids = re.findall(r'\bid="([^"]+)"', chart)
    assert len(ids) == len(set(ids))
    empty = phase_trajectory_svg([("Tapering", [(0, hidden)])], 52)
    assert "Too few CIWA-B scores" in empty
