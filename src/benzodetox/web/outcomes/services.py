"""Programme outcomes for the page, the exports and the CLI.

:func:`outcomes_for` returns every episode outcome of a programme as of a day. Outcomes are kept
in ``EpisodeSnapshot`` rows and recomputed only for patients with a new record since the last
refresh (the watermarks in ``OutcomeRefresh``) or whose outcome may change by itself (the core's
``changes_after`` day has come). So a page view reads one row per patient instead of every
assessment; the first view of a programme computes them all.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import CharField, Max
from django.db.models.functions import Cast
from django.utils import timezone

from benzodetox.core.outcomes import (
    OUTCOME_VERSION,
    Definitions,
    EpisodeOutcome,
    changes_after,
    default_definitions,
    episode_outcome,
    outcome_from_dict,
    outcome_to_dict,
)
from benzodetox.web.careplans.models import AftercareItem, AftercarePlan, ReturnToUseReport
from benzodetox.web.monitoring.models import Assessment
from benzodetox.web.patients.models import Intake, Patient
from benzodetox.web.plans.models import PlanApproval

from .models import EpisodeSnapshot, OutcomeRefresh, OutcomeSettings
from .query import BATCH, histories

__all__ = [
    "Refreshed",
    "definitions_for",
    "outcomes_for",
    "outcomes_within",
    "refresh",
    "save_settings",
]

SETTING_FIELDS = ("lost_to_follow_up_days", "small_cell_threshold", "stayed_off_days")


def definitions_for(programme_id: int) -> Definitions:
    """The core's definitions with the programme's own values where it set them."""
    row = OutcomeSettings.objects.filter(programme_id=programme_id).first()
    defaults = default_definitions()
    if row is None:
        return defaults
    changes = {f: getattr(row, f) for f in SETTING_FIELDS if getattr(row, f) is not None}
    return defaults.with_changes(**changes) if changes else defaults


def _fingerprint(defs: Definitions) -> dict[str, Any]:
    """The definitions an episode's outcome depends on (the smallest cell shown only changes
    the cohort figures, so changing it recomputes nothing), and the shape of a kept outcome:
    a new ``OUTCOME_VERSION`` drops the snapshots kept in the older shape."""
    kept = {k: str(v) for k, v in asdict(defs).items() if k != "small_cell_threshold"}
    return {**kept, "outcome_version": str(OUTCOME_VERSION)}


def _changed_patients(programme_id: int, mark: OutcomeRefresh) -> set[int]:
    changed: set[int] = set()
    changed.update(
        Assessment.objects.filter(programme_id=programme_id, id__gt=mark.assessment_id)
        .order_by()
        .values_list("patient_id", flat=True)
        .distinct()
    )
    changed.update(
        PlanApproval.objects.filter(
            plan_version__patient__programme_id=programme_id, id__gt=mark.approval_id
        ).values_list("plan_version__patient_id", flat=True)
    )
    changed.update(
        Patient.history.filter(programme_id=programme_id, history_id__gt=mark.patient_history_id)
        .order_by()
        .values_list("id", flat=True)
        .distinct()
    )
    if mark.checked_at is not None:
        since = mark.checked_at
        changed.update(
            AftercareItem.objects.filter(
                aftercare__patient__programme_id=programme_id, recorded_at__gte=since
            ).values_list("aftercare__patient_id", flat=True)
        )
        changed.update(
            AftercarePlan.objects.filter(
                patient__programme_id=programme_id, created_at__gte=since
            ).values_list("patient_id", flat=True)
        )
        changed.update(  # a report, its correction or its withdrawal
            ReturnToUseReport.objects.filter(
                patient__programme_id=programme_id, recorded_at__gte=since
            ).values_list("patient_id", flat=True)
        )
        changed.update(
            Intake.objects.filter(
                patient__programme_id=programme_id, updated_at__gte=since
            ).values_list("patient_id", flat=True)
        )
    return changed


def _marks(programme_id: int) -> dict[str, Any]:
    """The highest ids now (read before the data, so nothing written meanwhile is missed)."""
    return {
        "assessment_id": Assessment.objects.filter(programme_id=programme_id).aggregate(
            m=Max("id")
        )["m"]
        or 0,
        "approval_id": PlanApproval.objects.filter(
            plan_version__patient__programme_id=programme_id
        ).aggregate(m=Max("id"))["m"]
        or 0,
        "patient_history_id": Patient.history.filter(programme_id=programme_id).aggregate(
            m=Max("history_id")
        )["m"]
        or 0,
        "checked_at": timezone.now(),
    }


@dataclass(frozen=True)
class Refreshed:
    recomputed: int
    #: patients still to compute (a time budget ran out); the next view continues
    remaining: int


def _approved(programme_id: int) -> set[int]:
    return set(
        PlanApproval.objects.filter(plan_version__patient__programme_id=programme_id).values_list(
            "plan_version__patient_id", flat=True
        )
    )


def refresh(
    programme_id: int, today: date, everything: bool = False, budget: float | None = None
) -> Refreshed:
    """Bring the programme's snapshots up to date for ``today``. With a ``budget`` (seconds),
    stop after the batch that passes it: the patients left are recomputed by the next call."""
    started = time.monotonic()
    defs = definitions_for(programme_id)
    mark, _ = OutcomeRefresh.objects.get_or_create(programme_id=programme_id)
    fingerprint = _fingerprint(defs)
    if everything or mark.definitions != fingerprint:
        EpisodeSnapshot.objects.filter(programme_id=programme_id).delete()
        mark.definitions, mark.complete, mark.checked_at = fingerprint, False, None
    marks = _marks(programme_id)
    todo: set[int] = set()
    if mark.checked_at is not None:
        todo |= _changed_patients(programme_id, mark)
    todo.update(
        EpisodeSnapshot.objects.filter(programme_id=programme_id, valid_until__lte=today)
        .order_by()
        .values_list("patient_id", flat=True)
    )
    todo.update(
        EpisodeSnapshot.objects.filter(programme_id=programme_id, as_of__gt=today)
        .order_by()
        .values_list("patient_id", flat=True)
    )
    if not mark.complete:
        have = set(
            EpisodeSnapshot.objects.filter(programme_id=programme_id).values_list(
                "patient_id", flat=True
            )
        )
        todo |= _approved(programme_id) - have
    ordered = sorted(todo)
    done = 0
    while done < len(ordered):
        if budget is not None and done and time.monotonic() - started > budget:
            break
        batch = ordered[done : done + BATCH]
        _compute(programme_id, batch, today, defs)
        done += len(batch)
    leftover = ordered[done:]
    if leftover:  # kept ones become due, missing ones are found again (complete stays False)
        EpisodeSnapshot.objects.filter(programme_id=programme_id, patient_id__in=leftover).update(
            valid_until=today
        )
    for name, value in marks.items():
        setattr(mark, name, value)
    mark.complete = mark.complete or not leftover
    mark.save()
    return Refreshed(done, len(leftover))


def _compute(programme_id: int, patient_ids: list[int], today: date, defs: Definitions) -> None:
    now = timezone.now()
    rows = []
    found = set()
    for history in histories(programme_id, patient_ids):
        outcome = episode_outcome(history, today, defs)
        found.add(history.patient_id)
        rows.append(
            EpisodeSnapshot(
                programme_id=programme_id,
                patient_id=history.patient_id,
                as_of=today,
                valid_until=changes_after(history, today, defs, outcome),
                outcome=outcome_to_dict(outcome),
                computed_at=now,
            )
        )
    with transaction.atomic():
        gone = set(patient_ids) - found  # no approved plan (any more): no episode
        if gone:
            EpisodeSnapshot.objects.filter(programme_id=programme_id, patient_id__in=gone).delete()
        EpisodeSnapshot.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["patient"],
            update_fields=["as_of", "valid_until", "outcome", "programme", "computed_at"],
        )


#: per programme: patient id → (computed_at, outcome) as this process last read them
_MEMORY: dict[int, dict[int, tuple[str, EpisodeOutcome]]] = {}
_LOCK = threading.Lock()


def outcomes_for(programme_id: int, today: date) -> list[EpisodeOutcome]:
    """Every episode outcome of the programme as of ``today`` (refreshing what changed)."""
    return outcomes_within(programme_id, today, None)[0]


def _recently_checked(programme_id: int, fresh_seconds: float) -> bool:
    """Whether any server brought the programme up to date (with the definitions in force)
    less than ``fresh_seconds`` ago."""
    if fresh_seconds <= 0:
        return False
    mark = OutcomeRefresh.objects.filter(programme_id=programme_id).first()
    if mark is None or not mark.complete or mark.checked_at is None:
        return False
    if mark.definitions != _fingerprint(definitions_for(programme_id)):
        return False
    age = timezone.now() - mark.checked_at
    return bool(age.total_seconds() < fresh_seconds)


def outcomes_within(
    programme_id: int, today: date, budget: float | None, fresh_seconds: float = 0
) -> tuple[list[EpisodeOutcome], int]:
    """The outcomes computed so far within ``budget`` seconds of recomputation, and how many
    patients are still to compute. The process keeps the outcomes it has read and reads again
    only snapshots computed since; within ``fresh_seconds`` of the programme's last refresh (by
    any server) it answers from what it holds without looking for changes."""
    with _LOCK:
        held = _MEMORY.get(programme_id)
    if held is not None and _recently_checked(programme_id, fresh_seconds):
        return [outcome.on(today) for _stamp, outcome in held.values()], 0
    remaining = refresh(programme_id, today, budget=budget).remaining
    # the stamp as text: compared, never read as a time (10,000 rows)
    stamps = dict(
        EpisodeSnapshot.objects.filter(programme_id=programme_id)
        .annotate(stamp=Cast("computed_at", CharField()))
        .values_list("patient_id", "stamp")
    )
    with _LOCK:
        known = dict(_MEMORY.get(programme_id, {}))
    stale = [pid for pid, stamp in stamps.items() if pid not in known or known[pid][0] != stamp]
    for start in range(0, len(stale), 2000):
        batch = stale[start : start + 2000]
        rows = (
            EpisodeSnapshot.objects.filter(programme_id=programme_id, patient_id__in=batch)
            .annotate(stamp=Cast("computed_at", CharField()))
            .values_list("patient_id", "stamp", "outcome")
        )
        for pid, stamp, data in rows:
            known[pid] = (stamp, outcome_from_dict(data))
    kept = {pid: known[pid] for pid in stamps if pid in known}
    with _LOCK:
        _MEMORY[programme_id] = kept
    return [outcome.on(today) for _stamp, outcome in kept.values()], remaining


def save_settings(request: Any, programme_id: int, values: dict[str, int | None]) -> None:
    """The programme's own outcome definitions (None: the core's), audited with what changed."""
    from benzodetox.web.audit.services import record

    row, _ = OutcomeSettings.objects.get_or_create(programme_id=programme_id)
    before = {f: getattr(row, f) for f in SETTING_FIELDS}
    for name, value in values.items():
        setattr(row, name, value)
    default_definitions().with_changes(
        **{f: getattr(row, f) for f in SETTING_FIELDS if getattr(row, f) is not None}
    )
    row.updated_by = request.user
    row.save()
    after = {f: getattr(row, f) for f in SETTING_FIELDS}
    record(
        request,
        "outcomes.settings_changed",
        obj=row,
        programme=programme_id,
        summary="outcome definitions changed",
        detail={"before": before, "after": after},
    )
