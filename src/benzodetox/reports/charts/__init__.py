"""Every chart of benzodetox, drawn as hand-written SVG (and the simulation also as PNG): the
plan's doses, monitoring trends over score bands and dose steps, pharmacology curves, the
simulation panels of the CLI and the programme's outcomes.

One palette (``palette``: Okabe–Ito colours, each with its own dash pattern and marker), one set
of axis rules (``scales``: nice tops, exact tick labels) and one set of SVG primitives (``svg``:
an accessible root with title and description, presentation attributes only so pages keep their
Content-Security-Policy). Callers build plain data (dataclasses of Decimals, dates or numpy
arrays) and call one function per chart.
"""

from __future__ import annotations

from .doses import Steps, dose_chart
from .lines import Line, line_chart
from .outcomes import funnel_svg, km_svg, trajectory_svg
from .simulation import simulation_png, simulation_svg
from .trends import Band, Threshold, TrendLine, trend_chart

__all__ = [
    "Band",
    "Line",
    "Steps",
    "Threshold",
    "TrendLine",
    "dose_chart",
    "funnel_svg",
    "km_svg",
    "line_chart",
    "simulation_png",
    "simulation_svg",
    "trajectory_svg",
    "trend_chart",
]
