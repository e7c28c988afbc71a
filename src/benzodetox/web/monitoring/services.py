"""Monitoring operations, one module per concern — this module re-exports their public names
so callers may keep importing ``monitoring.services``:

- ``recording``: record an assessment or its correction (scored, alerts raised, audited);
- ``advice``: the core's taper advice from the observations, applied as a new plan version;
- ``state``: the plan in force, what is due, the escalation, the scan's per-patient state;
- ``programme_settings``: a programme's settings and the policy made from them;
- ``alerts`` (raising, closing, acknowledging) and ``overdue`` (the scan) stand on their own.

Views and the management command stay thin and call these; every change checks the role and
appends an audit event.
"""

from __future__ import annotations

from .advice import (
    advice_key,
    advice_now,
    apply_advice,
    keep_advice,
    observation_of,
    observations,
    score_of,
)
from .clock import local_naive
from .programme_settings import policy_for, save_settings, settings_for
from .recording import Entry, action_for, describe, record_assessment
from .state import (
    current_plan,
    current_version,
    due_items,
    due_now,
    escalated_at,
    follow_escalation,
    refresh_state,
    setting_of,
)

__all__ = [
    "Entry",
    "action_for",
    "advice_key",
    "advice_now",
    "apply_advice",
    "current_plan",
    "current_version",
    "describe",
    "due_items",
    "due_now",
    "escalated_at",
    "follow_escalation",
    "keep_advice",
    "local_naive",
    "observation_of",
    "observations",
    "policy_for",
    "record_assessment",
    "refresh_state",
    "save_settings",
    "score_of",
    "setting_of",
    "settings_for",
]
