"""The outcomes page's charts (Kaplan–Meier, CIWA-B medians and interquartile ranges by
phase, completion funnel) are drawn by ``reports.charts``; the report builds their data from
the core."""

from __future__ import annotations

from benzodetox.reports.charts import funnel_svg, km_svg, trajectory_svg
from benzodetox.reports.charts.outcomes import phase_trajectory_svg

__all__ = ["funnel_svg", "km_svg", "phase_trajectory_svg", "trajectory_svg"]
