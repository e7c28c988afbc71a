"""A programme's monitoring settings: read them, turn them into the policy every monitoring
decision uses (thresholds, bands, schedule; blank fields take the core's cited defaults), and
save a change (role checked, audited; a schedule change makes the next scan look at once).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from benzodetox.web.audit.services import record
from benzodetox.web.programmes.services import require

from .models import MonitoringSettings, MonitoringState
from .policy import SCHEDULE_FIELDS, Policy, policy_from

__all__ = ["policy_for", "save_settings", "settings_for"]


def settings_for(programme_id: int) -> MonitoringSettings | None:
    return MonitoringSettings.objects.filter(programme_id=programme_id).first()


def policy_for(programme_id: int) -> Policy:
    return policy_from(settings_for(programme_id))


@transaction.atomic
def save_settings(
    request: HttpRequest, programme_id: int, values: dict[str, Any]
) -> MonitoringSettings:
    require(request.user, "monitoring.settings", programme_id)
    current = settings_for(programme_id) or MonitoringSettings(programme_id=programme_id)
    before = {k: getattr(current, k) for k in values}
    for name, value in values.items():
        setattr(current, name, value)
    policy_from(current)  # refuses an impossible combination before anything is stored
    current.updated_by = request.user  # type: ignore[assignment]
    current.save()
    changed = {k: [str(before[k]), str(v)] for k, v in values.items() if before[k] != v}
    if set(changed) & set(SCHEDULE_FIELDS):
        # a new schedule may make something overdue sooner: the next scan looks at once
        MonitoringState.objects.filter(
            programme_id=programme_id, next_check_at__isnull=False
        ).update(next_check_at=timezone.now())
    record(
        request,
        "monitoring.settings_changed",
        obj=current,
        programme=programme_id,
        summary=", ".join(f"{k}: {a} → {b}" for k, (a, b) in changed.items())[:300],
        detail={"changed": changed},
    )
    return current
