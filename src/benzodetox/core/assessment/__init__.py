"""Assessment and monitoring: withdrawal risk, level of care, instruments, vital signs,
emergencies, the alerts a result raises (and when severe withdrawal escalates), taper advice and
the monitoring schedule.

>>> from benzodetox.core.assessment import score
>>> score("gad-7", [0, 1, 1, 0, 0, 1, 0]).band
'minimal'
"""

from ._common import Reason, read_data
from .advice import (
    Adjustment,
    Advice,
    Observation,
    advise,
    assessments_from_dict,
    observations_from_dict,
)
from .alerts import AlertDecision, Facts, alerts_for
from .emergencies import escalation, escalation_for
from .instruments import INSTRUMENTS, instrument, score
from .intake import Intake, intake_from_dict
from .level_of_care import Assessment, assess, level_of_care, monitoring_setting
from .propose import advise_and_propose, propose
from .risk import condition_labels, substance_labels, withdrawal_risk
from .schedule import (
    SchedulePolicy,
    default_schedule,
    due,
    due_inpatient,
    due_outpatient,
    programme_schedule,
)
from .vitals import VitalSigns, check_vitals, threshold_set, threshold_set_labels

__all__ = [
    "INSTRUMENTS",
    "Adjustment",
    "Advice",
    "AlertDecision",
    "Assessment",
    "Facts",
    "Intake",
    "Observation",
    "Reason",
    "SchedulePolicy",
    "VitalSigns",
    "advise",
    "advise_and_propose",
    "alerts_for",
    "assess",
    "assessments_from_dict",
    "check_vitals",
    "condition_labels",
    "default_schedule",
    "due",
    "due_inpatient",
    "due_outpatient",
    "escalation",
    "escalation_for",
    "instrument",
    "intake_from_dict",
    "level_labels",
    "level_of_care",
    "monitoring_setting",
    "observations_from_dict",
    "programme_schedule",
    "propose",
    "score",
    "substance_labels",
    "threshold_set",
    "threshold_set_labels",
    "withdrawal_risk",
]


def level_labels() -> tuple[tuple[str, str], ...]:
    """(key, "key name") of each ASAM withdrawal-management level, lowest first, worded as in
    levels_of_care.toml (the one place adapters take the levels from).

    >>> level_labels()[0]
    ('1-WM', '1-WM Ambulatory withdrawal management without extended on-site monitoring')
    """
    levels = read_data("levels_of_care.toml")["levels"]
    return tuple((key, f"{key} {row['name']}") for key, row in levels.items())
