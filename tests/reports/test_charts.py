"""The shared SVG charts: the web's accessible line chart and the CLI's simulation chart."""

from __future__ import annotations

import re

import numpy as np

from benzodetox.core.kinetics import simulate
from benzodetox.core.kinetics.events import DoseEvents
from benzodetox.reports.charts import Line, line_chart, simulation_svg


def _lines(n: int) -> list[Line]:
    days = np.arange(0, 366) / 1.0
    return [Line(f"series {i}", days, np.sin(days / 20.0 + i) + 2.0) for i in range(n)]


def test_a_line_chart_is_an_image_with_a_title_and_a_description():
    """role=img, labelled by its own title and desc (ids from chart_id)."""
    svg = line_chart(_lines(2), title="T", desc="D", unit="ng/mL", chart_id="c1")
    assert 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">T</title>' in svg and '<desc id="c1-desc">D</desc>' in svg


def test_every_line_differs_by_its_dash_pattern_so_it_reads_in_black_and_white():
    """Up to seven lines: each polyline has its own stroke-dasharray (or none, for one)."""
    svg = line_chart(_lines(7), title="T", desc="D", unit="%", chart_id="c2")
    polylines = re.findall(r"<polyline[^>]*>", svg)
    assert len(polylines) == 7
    dashes = [re.search(r'stroke-dasharray="([^"]+)"', p) for p in polylines]
    assert len({d.group(1) if d else "" for d in dashes}) == 7


def test_a_stepped_line_keeps_only_its_corners():
    """A constant stretch is drawn with its ends, not a point per sample."""
    days = np.arange(0, 1000) / 24.0
    values = np.where(days < 20, 30.0, 10.0)
    svg = line_chart([Line("steps", days, values)], title="T", desc="D", unit="%", chart_id="c3")
    points = re.search(r'points="([^"]+)"', svg).group(1).split()  # type: ignore[union-attr]
    assert len(points) <= 6


def test_a_short_peak_survives_the_thinning():
    """One high hour among 10,000 still reaches the top of the y axis."""
    days = np.arange(10_000) / 24.0
    values = np.ones(10_000)
    values[5_000] = 100.0
    svg = line_chart([Line("spike", days, values)], title="T", desc="D", unit="x", chart_id="c4")
    ys = [float(p.split(",")[1]) for p in re.search(r'points="([^"]+)"', svg).group(1).split()]  # type: ignore[union-attr]
    assert min(ys) == 12.0  # the plot's top edge


def test_the_cli_simulation_chart_is_titled_and_described():
    """simulate --format svg's document carries a title and a desc naming its panels."""
    events = {"diazepam": DoseEvents("diazepam", np.array([8.0, 32.0]), np.array([10.0, 10.0]))}
    svg = simulation_svg(simulate(events, days=3), title="My chart")
    assert "<title>My chart</title>" in svg
    assert "<desc>Plasma concentration (ng/mL)</desc>" in svg
