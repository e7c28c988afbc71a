"""The monitoring trend charts are drawn by ``reports.charts`` (scores over the plan's dose
steps, vital signs against thresholds, mood and anxiety scores); the views build the data with
these names.
"""

from __future__ import annotations

from benzodetox.reports.charts import Band, Steps, Threshold, trend_chart
from benzodetox.reports.charts import TrendLine as Line

__all__ = ["Band", "Line", "Steps", "Threshold", "trend_chart"]
