"""ASAM 2025 (Joint Clinical Practice Guideline on Benzodiazepine Tapering, Rec 6): reduce 5–10 %
of the current dose every 2–4 weeks; typically not more than 25 % every 2 weeks.

The 25 %-in-any-2-weeks ceiling is enforced: a step the products would push beyond it is made
gentler, and a plan that cannot keep to it is refused unless the clinician records an override
reason (which also allows a larger step). Figures: ``core/data/tapering.toml`` [asam].
"""

from __future__ import annotations

from .percent import PercentOfCurrentDose

STRATEGY = PercentOfCurrentDose(
    name="asam",
    ceiling="never more than 25 % of the dose within any 2 weeks [jcpg-2025 Rec 6]",
    percent_allowed="0.5 to 25 % a step (ASAM 2025: 5–10 %; more needs an override reason)",
    override_allows_more=True,
)
