"""The overdue scan: finds assessments overdue and reductions due without a recent
assessment, and raises their alerts once each. Several scans may run at once (from cron,
from several servers): each claims the states it works on with a conditional UPDATE.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from benzodetox.web.audit.services import record
from benzodetox.web.patients.choices import ACTIVE_PHASES
from benzodetox.web.patients.models import Patient
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.programmes.scoping import unscoped

from .alerts import make_alert
from .clock import local_naive
from .models import Alert, Assessment, MonitoringState, Severity
from .policy import LOOKAHEAD_DAYS, Policy
from .programme_settings import policy_for
from .state import due_items, refresh_state

__all__ = [
    "ScanResult",
    "candidates",
    "claim",
    "ensure_states",
    "evaluate",
    "reschedule",
    "scan",
    "system_scan_summary",
]

_SCHEDULED = ("ciwa-b", "vitals")
_WITHDRAWAL = ("ciwa-b", "bwsq", "vitals")
_ASSESSMENT_NAMES = {"ciwa-b": "CIWA-B", "vitals": "Vital signs"}


@dataclass
class ScanResult:
    claimed: int = 0
    created_states: int = 0
    refreshed: int = 0
    alerts: int = 0
    by_programme: dict[int, int] = field(default_factory=dict)


#: the state's fields the scan reads and writes
_STATE_FIELDS = (
    "programme_id",
    "patient_id",
    "plan_version_id",
    "setting",
    "plan_start",
    "reduction_starts",
    "stabilise_until",
    "escalated_at",
    "next_check_at",
)


def _due_filter(now: datetime) -> Q:
    return Q(next_check_at__lte=now) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def candidates(now: datetime, batch: int) -> list[int]:
    """Ids of states due for a check and not claimed by a live scan (a first look only: the
    claim itself decides)."""
    return list(
        MonitoringState.objects.filter(_due_filter(now))
        .order_by("next_check_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )


def claim(ids: Sequence[int], now: datetime, lease: timedelta, token: str) -> int:
    """Claim the given states for ``token`` with one conditional ``UPDATE … WHERE`` that
    repeats the due test: a row another scan claimed in the meantime no longer matches, so
    two scans never both win a row. Returns how many rows this scan won."""
    if not ids:
        return 0
    return (
        MonitoringState.objects.filter(pk__in=list(ids))
        .filter(_due_filter(now))
        .update(claim_token=token, claimed_until=now + lease)
    )


def ensure_states(now: datetime) -> int:
    """A monitoring state for every patient in an active phase who has none yet. ``NOT
    EXISTS`` on the states' patient index (an index-only anti-join, 25 ms at 40,000 active
    patients) rather than a join reading every state row (140 ms)."""
    has_state = MonitoringState.objects.filter(patient_id=OuterRef("pk"))
    missing = list(
        Patient.objects.filter(phase__in=ACTIVE_PHASES)
        .filter(~Exists(has_state))
        .only("pk", "programme_id")
    )
    for patient in missing:
        refresh_state(patient, now=now)
    return len(missing)


def scan(
    now: datetime | None = None,
    batch: int = 1000,
    lease: timedelta = timedelta(minutes=10),
    limit: int | None = None,
) -> ScanResult:
    """Find overdue assessments and reductions due without a recent assessment; raise their
    alerts (once each). Safe to run from several processes at once."""
    now = now or timezone.now()
    result = ScanResult()
    with unscoped():
        result.created_states = ensure_states(now)
        while limit is None or result.claimed < limit:
            ids = candidates(now, batch)
            if not ids:
                break
            token = uuid.uuid4().hex
            if not claim(ids, now, lease, token):
                continue  # another scan won them all: look again
            _process(token, ids, now, result)
    return result


#: what the scan reads of a claimed state's patient (the rest loads only for a stale state)
_PATIENT_FIELDS = ("patient__id", "patient__programme_id", "patient__phase")


def _process(token: str, ids: Sequence[int], now: datetime, result: ScanResult) -> None:
    """Check the states of ``ids`` this scan's claim (``token``) won: read by primary key,
    so a batch costs the same however many states the programme has."""
    latest_approved = (
        PlanVersion.objects.filter(patient=OuterRef("patient"), approval__isnull=False)
        .order_by("-number")
        .values("pk")[:1]
    )
    states = list(
        MonitoringState.objects.filter(pk__in=list(ids), claim_token=token)
        .select_related("patient")
        .only(*_STATE_FIELDS, *_PATIENT_FIELDS)
        .annotate(current=Subquery(latest_approved))
    )
    result.claimed += len(states)
    for state in states:
        if state.current != state.plan_version_id and state.patient.phase in ACTIVE_PHASES:
            fresh = refresh_state(state.patient, now=now)
            state.plan_version_id = fresh.plan_version_id
            state.reduction_starts = fresh.reduction_starts
            state.stabilise_until = fresh.stabilise_until
            state.plan_start = fresh.plan_start
            state.setting = fresh.setting
            result.refreshed += 1
    patient_ids = [s.patient_id for s in states]
    horizon = now - timedelta(days=40)
    done: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    # Unordered, so the (patient, kind, at) index answers alone (index-only); the model's
    # newest-first order would read every assessment of each patient from the table (at
    # 10,000,000 assessments: 100,000 rows a batch instead of 9,000). Sorted here instead.
    for pid, kind, at in (
        Assessment.objects.filter(
            patient_id__in=patient_ids,
            kind__in=_WITHDRAWAL,
            superseded_by__isnull=True,
            at__gte=horizon,
        )
        .order_by()
        .values_list("patient_id", "kind", "at")
    ):
        done[pid].append((kind, at))
    for mine in done.values():
        mine.sort(key=lambda pair: pair[1], reverse=True)
    policies: dict[int, Policy] = {}
    zone = timezone.get_current_timezone()  # once, not per patient
    alerts: list[Alert] = []
    next_at: dict[datetime, list[int]] = defaultdict(list)
    default_next = _round_up(now + timedelta(days=1))
    parked: list[int] = []
    for state in states:
        patient = state.patient
        if patient.phase not in ACTIVE_PHASES:
            parked.append(state.pk)  # looked at again when the phase changes (signals)
            continue
        if state.plan_start is None:
            next_at[default_next].append(state.pk)
            continue
        policy = policies.get(state.programme_id)
        if policy is None:
            policy = policies[state.programme_id] = policy_for(state.programme_id)
        found, wake = evaluate(state, done.get(patient.pk, []), policy, now, zone)
        alerts.extend(found)
        next_at[wake].append(state.pk)
    if alerts:
        existing = set(
            Alert.objects.filter(
                patient_id__in={a.patient_id for a in alerts}, key__in={a.key for a in alerts}
            ).values_list("patient_id", "key")
        )
        new = [a for a in alerts if (a.patient_id, a.key) not in existing]
        # A scan racing on the same patient is excluded by the claim; the unique key keeps
        # an alert single even if a person's action raised the same one meanwhile.
        Alert.objects.bulk_create(new, ignore_conflicts=True)
        result.alerts += len(new)
        for alert in new:
            result.by_programme[alert.programme_id] = (
                result.by_programme.get(alert.programme_id, 0) + 1
            )
    for moment, ids in [*next_at.items(), (None, parked)]:
        MonitoringState.objects.filter(pk__in=ids, claim_token=token).update(
            next_check_at=moment, claimed_until=None, claim_token="", checked_at=now
        )


def evaluate(
    state: MonitoringState,
    mine: Sequence[tuple[str, datetime]],
    policy: Policy,
    now: datetime,
    zone: Any = None,
) -> tuple[list[Alert], datetime]:
    """For one active patient with a plan (``state.patient``) and their current withdrawal
    assessments of the last 40 days (kind, observed at): the alerts due now (unsaved) and when
    the patient next needs a look — the earliest moment something could fall overdue (each
    scheduled assessment's window closing, a reduction coming within the look-ahead), at most
    a day away. ``zone``: the programme's time zone (default: the current one)."""
    patient = state.patient
    zone = zone or timezone.get_current_timezone()
    today = local_naive(now, zone).date()
    starts = [date.fromisoformat(d) for d in state.reduction_starts]
    assert state.plan_start is not None
    items = due_items(
        state.setting,
        state.plan_start,
        starts,
        state.stabilise_until,
        [(k, t) for k, t in mine if k in _SCHEDULED],
        now,
        policy.schedule,
        state.escalated_at,
    )
    alerts: list[Alert] = []
    wake = [now + timedelta(days=1)]
    for item in items:
        if item.status == "overdue":
            alerts.append(
                make_alert(
                    patient,
                    "overdue",
                    Severity.MEDIUM,
                    f"overdue:{item.assessment}:{item.due_from:%Y-%m-%dT%H:%M}",
                    f"{_ASSESSMENT_NAMES.get(item.assessment, item.assessment)} overdue "
                    f"since {item.overdue_after:%Y-%m-%d %H:%M}",
                    detail=item.as_dict(),
                )
            )
        elif item.status in ("due", "not yet"):
            wake.append(timezone.make_aware(item.overdue_after, zone))
    upcoming = [d for d in starts if today <= d <= today + timedelta(days=LOOKAHEAD_DAYS)]
    later = [d for d in starts if d > today + timedelta(days=LOOKAHEAD_DAYS)]
    if later:
        wake.append(
            timezone.make_aware(
                datetime.combine(later[0] - timedelta(days=LOOKAHEAD_DAYS), time(0)), zone
            )
        )
    if upcoming:
        recent_from = now - timedelta(days=policy.recent_days)
        if not any(t >= recent_from for _, t in mine):
            alerts.append(
                make_alert(
                    patient,
                    "reduction",
                    Severity.MEDIUM,
                    f"reduction-due:{upcoming[0].isoformat()}",
                    f"Reduction on {upcoming[0]:%Y-%m-%d} without an assessment in the "
                    f"last {policy.recent_days} days",
                    detail={"on": upcoming[0].isoformat(), "recent_days": policy.recent_days},
                )
            )
    return alerts, _round_up(max(min(wake), now + timedelta(minutes=1)))


def reschedule(patient: Patient, plan_version_id: int | None, now: datetime) -> datetime | None:
    """Keep the patient's next check in step with what was just recorded: after an assessment,
    the next check moves to when something next falls overdue, so the scan does not wake for a
    window the assessment already met. Only a state no scan holds, built from the plan in
    force (``plan_version_id``), with no alert left for the scan to raise, is moved (a
    conditional UPDATE: a scan claiming the row meanwhile wins and sets the time itself).
    The new time, or None when the state was left for the scan."""
    state = (
        MonitoringState.objects.filter(patient=patient, claim_token="", next_check_at__isnull=False)
        .select_related("patient")
        .first()
    )
    if (
        state is None
        or state.plan_start is None
        or state.plan_version_id != plan_version_id
        or patient.phase not in ACTIVE_PHASES
    ):
        return None
    mine = list(
        Assessment.objects.filter(
            patient=patient,
            kind__in=_WITHDRAWAL,
            superseded_by__isnull=True,
            at__gte=now - timedelta(days=40),
        ).values_list("kind", "at")
    )
    alerts, wake = evaluate(state, mine, policy_for(state.programme_id), now)
    keys = {a.key for a in alerts}
    if keys and Alert.objects.filter(patient=patient, key__in=keys).count() < len(keys):
        return None  # the scan has an alert to raise: it looks as planned
    moved = MonitoringState.objects.filter(
        pk=state.pk, claim_token="", next_check_at=state.next_check_at
    ).update(next_check_at=wake)
    return wake if moved else None


def _round_up(moment: datetime, minutes: int = 15) -> datetime:
    """Up to the next quarter hour, so a batch's next checks share few distinct times."""
    step = minutes * 60
    stamp = moment.timestamp()
    return datetime.fromtimestamp(-(-stamp // step) * step, tz=moment.tzinfo)


def system_scan_summary(result: ScanResult) -> None:
    """One audit event per programme that got new alerts from a scan."""
    with unscoped():
        for programme_id, n in result.by_programme.items():
            record(
                None,
                "monitoring.scan",
                programme=programme_id,
                summary=f"overdue scan raised {n} alert{'s' if n != 1 else ''}",
                detail={"alerts": n},
            )
