"""What a plan builder proposes before the clinician changes anything: the strategy for the
recommended level of care, each strategy's default figures, and the drugs a crossover may switch
to.

The rule for the strategy (each part with its source):

- Tapering can typically be managed as an outpatient (Joint Guideline 2025, Rec 5 [jcpg-2025]):
  the outpatient default strategy, ASAM 2025 (5–10 % every 2–4 weeks), is proposed.
- A recommendation of medically monitored or medically managed *inpatient* withdrawal
  management (ASAM Criteria 3.7-WM or 4-WM, whose setting is inpatient [asam-criteria-2013])
  calls for the inpatient protocol: stabilise, then 10 % of the stabilised dose a day, and
  discharge at 20 mg diazepam-eq a day or less to an outpatient taper (eTG [etg-addiction]).
- Residential care (3.2-WM) is clinically, not medically, managed: the outpatient strategy.

It is a proposal: the clinician may choose any strategy, and the builder says why this one was
proposed.

>>> proposal = strategy_for_level("3.7-WM")
>>> proposal.strategy, proposal.sources
('inpatient', ('asam-criteria-2013', 'etg-addiction'))
>>> strategy_for_level("1-WM").strategy
'asam'
>>> strategy_defaults("asam").percent, strategy_defaults("asam").interval_days
(Decimal('10'), 14)
>>> switch_targets()
('diazepam', 'clonazepam')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..assessment._common import read_data
from ..assessment.level_of_care import WM_LEVELS
from ..errors import DataError, InputError
from .crossover import SWITCH_TARGETS
from .figures import figure
from .registry import STRATEGY_NAMES

__all__ = [
    "OUTPATIENT_STRATEGY",
    "StrategyDefaults",
    "StrategyProposal",
    "strategy_defaults",
    "strategy_for_level",
    "switch_targets",
]

#: The strategy proposed outside inpatient care (Joint Guideline 2025 Rec 5).
OUTPATIENT_STRATEGY = "asam"
#: The strategy proposed for an inpatient level of care (eTG inpatient protocol).
INPATIENT_STRATEGY = "inpatient"

_LEVELS = read_data("levels_of_care.toml")["levels"]
for _level in WM_LEVELS:
    if "setting" not in _LEVELS[_level]:
        raise DataError(f"levels_of_care.toml [levels.{_level!r}] has no setting")


@dataclass(frozen=True)
class StrategyProposal:
    """The strategy proposed for a level of care, why, and the sources of the rule."""

    strategy: str
    level: str | None
    setting: str | None
    why: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class StrategyDefaults:
    """A strategy's own percentage a step and days between reductions (None where the strategy
    has none), with the source of each figure."""

    strategy: str
    percent: Decimal | None
    percent_min: Decimal | None
    percent_max: Decimal | None
    interval_days: int | None
    interval_min: int | None
    interval_max: int | None
    sources: tuple[str, ...]


def strategy_for_level(level: str | None) -> StrategyProposal:
    """The strategy to propose for an ASAM Criteria withdrawal-management level ("1-WM" …
    "4-WM"); with no level recorded, the outpatient default. An unknown level is refused."""
    if level is None or level == "":
        return StrategyProposal(
            OUTPATIENT_STRATEGY,
            None,
            None,
            "no level of care is recorded: the outpatient default (ASAM 2025; tapering can "
            "typically be managed as an outpatient, Joint Guideline Rec 5)",
            ("jcpg-2025",),
        )
    if level not in WM_LEVELS:
        raise InputError("level_of_care", level, " | ".join(WM_LEVELS))
    setting = str(_LEVELS[level]["setting"])
    if setting == "inpatient":
        return StrategyProposal(
            INPATIENT_STRATEGY,
            level,
            setting,
            f"the intake recommends {level}, inpatient withdrawal management: stabilise, then "
            "10 % of the stabilised dose a day, and hand over at 20 mg diazepam-eq a day or less "
            "to an outpatient taper (eTG)",
            ("asam-criteria-2013", "etg-addiction"),
        )
    return StrategyProposal(
        OUTPATIENT_STRATEGY,
        level,
        setting,
        f"the intake recommends {level} ({setting}), not inpatient care: the outpatient default "
        "ASAM 2025, 5–10 % every 2–4 weeks (Joint Guideline Rec 5 and 6)",
        ("jcpg-2025", "asam-criteria-2013"),
    )


def _optional(
    section: str, name: str
) -> tuple[Decimal | None, Decimal | None, Decimal | None, str]:
    try:
        found = figure(section, name)
    except DataError:
        return None, None, None, ""
    return found.value, found.min, found.max, found.source


def strategy_defaults(strategy: str) -> StrategyDefaults:
    """The default percentage and interval of ``strategy`` as ``core/data/tapering.toml`` gives
    them (the inpatient and custom strategies have neither; Ashton has an interval only)."""
    if strategy not in STRATEGY_NAMES:
        raise InputError("strategy", strategy, " | ".join(STRATEGY_NAMES))
    if strategy in ("inpatient", "custom"):
        return StrategyDefaults(strategy, None, None, None, None, None, None, ())
    percent, p_min, p_max, p_source = _optional(strategy, "percent")
    days, d_min, d_max, d_source = _optional(strategy, "interval_days")
    return StrategyDefaults(
        strategy=strategy,
        percent=percent,
        percent_min=p_min,
        percent_max=p_max,
        interval_days=int(days) if days is not None else None,
        interval_min=int(d_min) if d_min is not None else None,
        interval_max=int(d_max) if d_max is not None else None,
        sources=tuple(dict.fromkeys(s for s in (p_source, d_source) if s)),
    )


def switch_targets() -> tuple[str, ...]:
    """The drugs a crossover may switch to (long-acting: diazepam by default, clonazepam
    possible); the planner refuses any other."""
    return SWITCH_TARGETS
