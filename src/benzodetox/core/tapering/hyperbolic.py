"""Hyperbolic tapering (Maudsley Deprescribing Guidelines 2024; Horowitz & Taylor 2019): each
step removes a percentage of the most recent dose, so the mg steps shrink as the dose falls,
continuing with liquid or small-strength products to a small final dose, then stopping.

The default step sits inside Maudsley's "approximately 20 % (or less)" for low-risk patients;
each step may cut from half the chosen percentage to the chosen percentage (a stated
tolerance, so the engine can choose practical doses); the interval and the final dose are not
given by a confirmed source (drugs.md §4.2), so they are labelled defaults the clinician can
change. The ASAM 2025 ceiling (25 % within 2 weeks) is kept as the hard limit. Figures:
``core/data/tapering.toml`` [hyperbolic].
"""

from __future__ import annotations

from .percent import PercentOfCurrentDose

STRATEGY = PercentOfCurrentDose(
    name="hyperbolic",
    ceiling="never more than 25 % of the dose within any 2 weeks [jcpg-2025 Rec 6]",
    percent_allowed="0.5 to 25 % of the most recent dose (Maudsley: about 20 % or less)",
)
