"""ASAM 2025 (Joint Clinical Practice Guideline on Benzodiazepine Tapering, Rec 6): reduce 5–10 %
of the current dose every 2–4 weeks; typically not more than 25 % every 2 weeks.

Each step cuts from half the chosen percentage to the chosen percentage (5–10 % by default);
the 25 %-in-any-2-weeks ceiling is a hard limit, kept by the engine on every path unless the
clinician records an override reason (which also allows a larger step). Figures:
``core/data/tapering.toml`` [asam].
"""

from __future__ import annotations

from .percent import PercentOfCurrentDose

STRATEGY = PercentOfCurrentDose(
    name="asam",
    ceiling="never more than 25 % of the dose within any 2 weeks [jcpg-2025 Rec 6]",
    percent_allowed="0.5 to 25 % a step (ASAM 2025: 5–10 %; more needs an override reason)",
    override_allows_more=True,
)
