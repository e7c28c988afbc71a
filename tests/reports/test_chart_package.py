"""Every chart comes from the one package reports.charts: each is an image labelled by its own
title and description, uses presentation attributes only (the pages' CSP refuses inline styles),
and tells its lines apart without colour."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

from benzodetox.core.kinetics import simulate
from benzodetox.core.kinetics.events import DoseEvents
from benzodetox.core.outcomes import FunnelStage, KMPoint, Quartiles
from benzodetox.reports.charts import (
    Band,
    Line,
    Steps,
    Threshold,
    TrendLine,
    dose_chart,
    funnel_svg,
    km_svg,
    line_chart,
    simulation_svg,
    trajectory_svg,
    trend_chart,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "benzodetox"
START = date(2026, 3, 2)


def _steps(n: int) -> list[Steps]:
    """n stepped series over four weeks, each tapering from its own dose."""
    return [
        Steps(
            f"drug {i}",
            tuple(
                (
                    START + timedelta(days=7 * w),
                    START + timedelta(days=7 * w + 6),
                    Decimal(10 + 5 * i) - w * Decimal("2.5"),
                )
                for w in range(4)
            ),
        )
        for i in range(n)
    ]


def _trend(n: int) -> str:
    at = datetime(2026, 3, 2, 9)
    lines = [
        TrendLine(
            f"score {i}", tuple((at + timedelta(days=d), Decimal(10 * i + d)) for d in range(5))
        )
        for i in range(n)
    ]
    return trend_chart(
        "t", "Scores", START, START + timedelta(days=10), lines, "score",
        bands=[Band("mild", 0, 20), Band("severe", 21, 80)],
        thresholds=[Threshold("> 60", Decimal(60))], steps=_steps(1)[0], today=START,
    )  # fmt: skip


def _every_chart() -> dict[str, str]:
    days = np.arange(0, 30) / 1.0
    events = {"diazepam": DoseEvents("diazepam", np.array([8.0, 32.0]), np.array([10.0, 10.0]))}
    km = [KMPoint(0, Decimal(1), 40), KMPoint(20, Decimal("0.75"), 30)]
    week = Quartiles(12, Decimal(10), Decimal(15), Decimal(22))
    return {
        "dose": dose_chart(_steps(3), title="Doses", desc="From 20 mg to 2.5 mg."),
        "line": line_chart([Line("a", days, days)], title="L", desc="D", unit="%", chart_id="l"),
        "simulation": simulation_svg(simulate(events, days=2)),
        "trend": _trend(2),
        "km": km_svg(km, 60),
        "trajectory": trajectory_svg([(0, week), (1, week)], 12),
        "funnel": funnel_svg([FunnelStage("Started", 40, 2), FunnelStage("Zero", None, None)]),
        "empty km": km_svg([], 60),
    }


def test_every_chart_is_an_image_with_a_title_and_a_description():
    """role=img and a <title> and <desc> — the web charts also named by aria-labelledby ids
    that exist in the same SVG."""
    for name, svg in _every_chart().items():
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg, name
        labelled = re.search(r'aria-labelledby="([^"]+)"', svg)
        if name != "simulation":  # a standalone file: its first <title> names it
            assert labelled is not None, name
            for ref in labelled.group(1).split():
                assert f'id="{ref}"' in svg, (name, ref)


def test_no_chart_carries_a_style_attribute_or_element():
    """CSP-clean: presentation attributes only."""
    for name, svg in _every_chart().items():
        assert "style=" not in svg and "<style" not in svg, name


def test_the_outcome_charts_can_share_a_page_without_duplicate_ids():
    """The three outcome charts are shown together: no id appears twice."""
    charts = _every_chart()
    page = charts["km"] + charts["trajectory"] + charts["funnel"]
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert ids and len(ids) == len(set(ids))


def test_seven_dose_lines_each_have_their_own_dash_pattern():
    """A switch plan with many drugs still reads in black and white: no two lines alike."""
    svg = dose_chart(_steps(7), title="T", desc="D")
    dashes = [
        (m.group(1) if (m := re.search(r'stroke-dasharray="([^"]+)"', p)) else "")
        for p in re.findall(r"<polyline[^>]*>", svg)
    ]
    assert len(dashes) == 7 and len(set(dashes)) == 7


def test_trend_lines_differ_by_dash_and_marker_shape():
    """Four score lines: four dash patterns and four marker shapes, the band names written."""
    svg = _trend(4)
    polylines = [p for p in re.findall(r"<polyline[^>]*>", svg) if "stroke-opacity" not in p]
    dashes = {m.group(1) if (m := re.search(r'dasharray="([^"]+)"', p)) else "" for p in polylines}
    assert len(polylines) == 4 and len(dashes) == 4
    assert all(shape in svg for shape in ("<circle", "<rect x=", "<polygon"))
    assert "mild 0–20" in svg and "severe 21–80" in svg and "&gt; 60" in svg


def test_every_number_written_on_a_chart_is_short_and_exact():
    """Tick labels of all the charts are plain numbers with few decimals (no float noise)."""
    for name, svg in _every_chart().items():
        for text in re.findall(r">([0-9][0-9.,]*)%?</text>", svg):
            assert len(text.partition(".")[2]) <= 4, (name, text)


def test_no_module_outside_the_chart_package_draws_svg():
    """One chart engine: only reports/charts writes SVG elements (a new chart goes there);
    the tablet pictures of the handout are drawings, not charts."""
    package = SRC / "reports" / "charts"
    pictures = {"reports/svg_tablets.py"}
    drawing = [
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if package not in path.parents and re.search(r"<(svg|polyline|polygon)\b", path.read_text())
    ]
    assert set(drawing) <= pictures
