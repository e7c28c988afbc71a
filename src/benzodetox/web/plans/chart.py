"""The plan page's dose chart: this module builds the data from the plan — diazepam-equivalent
mg/day per step for the total and for each drug — and ``reports.charts`` draws it.
"""

from __future__ import annotations

from decimal import Decimal

from benzodetox.core.equivalence import diazepam_eq
from benzodetox.core.plan import Plan
from benzodetox.core.units import format_mg
from benzodetox.reports.charts import Steps
from benzodetox.reports.charts import dose_chart as draw_doses

__all__ = ["Series", "dose_chart", "series_of"]

#: One stepped line of the chart: (from, to inclusive, diazepam-eq mg/day) per step.
Series = Steps


def _basis(plan: Plan) -> str | None:
    return plan.request.basis if plan.request is not None else None


def series_of(plan: Plan) -> list[Steps]:
    """The total and, when there is more than one drug, each drug's diazepam-eq per step."""
    total = Steps("Total", tuple((s.start, s.end, Decimal(s.diazepam_eq_mg)) for s in plan.steps))
    drugs: dict[str, None] = {}
    for step in plan.steps:
        for dose in step.doses:
            drugs.setdefault(dose.drug, None)
    if len(drugs) <= 1:
        return [total]
    out = [total]
    for drug in drugs:
        points = []
        for step in plan.steps:
            mg = step.daily_mg(drug)
            eq = diazepam_eq(drug, mg, plan.source, _basis(plan)) if mg > 0 else Decimal(0)  # type: ignore[arg-type]
            points.append((step.start, step.end, eq))
        # Draw a drug until the step after its last dose (its drop to zero), not along the axis.
        last = max((i for i, p in enumerate(points) if p[2] > 0), default=-1)
        first = min((i for i, p in enumerate(points) if p[2] > 0), default=0)
        out.append(Steps(drug.replace("_", " "), tuple(points[first : last + 2])))
    return out


def dose_chart(plan: Plan, title: str = "Diazepam-equivalent dose over the plan") -> str:
    """The SVG dose chart of ``plan`` ("" for a plan without steps)."""
    if not plan.steps:
        return ""
    first, last = plan.steps[0], plan.steps[-1]
    desc = (
        f"From {format_mg(first.diazepam_eq_mg)} on {first.start:%Y-%m-%d} to "
        f"{format_mg(last.diazepam_eq_mg)} on {last.end:%Y-%m-%d}; the step table gives every "
        "figure."
    )
    return draw_doses(series_of(plan), title=title, desc=desc)
