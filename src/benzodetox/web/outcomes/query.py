"""Episode histories for the core's outcome rules, read from the database in a fixed number
of queries per batch of patients (no query per patient).

What each record becomes:

* approved plan versions (``PlanApproval``) → ``PlanRecord``: approval day, strategy, dates,
  the plan's last dose and step kinds, and the adjustment a version made from monitoring
  advice (``parameters.adjustment.kind``);
* current assessments (not superseded) → CIWA-B/BWSQ/PHQ-9/GAD-7 scores and emergency events;
* aftercare contacts and reviews → contacts (attended when recorded done);
* intakes → the setting (inpatient/outpatient) decided from the level of care, from the day
  of each intake;
* the patient's history rows with the phase "discontinued" → a clinician's discontinuation;
* current return-to-use reports (``careplans.ReturnToUseReport``, not corrected or withdrawn) →
  returns: the patient's own report as a self-report, a clinician's observation or a third
  party's account (recorded by a clinician) as the clinician's record. Restarted prescriptions
  the core reads from the plans themselves.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from benzodetox.core.assessment import monitoring_setting
from benzodetox.core.outcomes import (
    ContactRecord,
    EmergencyRecord,
    EpisodeHistory,
    PhaseRecord,
    PlanRecord,
    ReturnRecord,
    ScoreRecord,
    SettingRecord,
    StepRecord,
)
from benzodetox.web.careplans.models import AftercareItem, ReturnToUseReport
from benzodetox.web.careplans.return_model import CORE_SOURCE
from benzodetox.web.monitoring.models import INSTRUMENT_KINDS, Assessment, Rater
from benzodetox.web.patients.models import Intake, Patient
from benzodetox.web.plans.models import PlanVersion

__all__ = ["episode_label", "histories"]

#: patients read at once (a few queries per batch)
BATCH = 500


def episode_label(programme_id: int, patient_id: int) -> str:
    """A stable pseudonym for exports: not the record number, not reversible without the
    server's secret key."""
    key = str(settings.SECRET_KEY).encode()
    digest = hmac.new(key, f"outcomes:{programme_id}:{patient_id}".encode(), hashlib.sha256)
    return "E" + digest.hexdigest()[:10].upper()


def _day(value: datetime) -> date:
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def _plan_record(row: dict[str, Any]) -> PlanRecord:
    plan = row["plan"] or {}
    last = plan.get("last_dose")
    steps = tuple(
        StepRecord(
            date.fromisoformat(s["start"]),
            date.fromisoformat(s["end"]),
            str(s.get("kind", "")),
            Decimal(str(s.get("diazepam_eq_mg", "0"))),
        )
        for s in plan.get("steps", ())
    )
    adjustment = (row["parameters"] or {}).get("adjustment") or {}
    kind = adjustment.get("kind", "") if isinstance(adjustment, dict) else ""
    return PlanRecord(
        number=row["number"],
        approved_on=_day(row["approval__approved_at"]),
        strategy=row["strategy"],
        start=row["start"],
        end=row["end"],
        last_dose=date.fromisoformat(last) if last else None,
        steps=steps,
        adjustment=kind if kind in ("hold", "slow", "step_back", "plateau") else "",
    )


def _first_drug(plan: dict[str, Any]) -> str:
    request = plan.get("request") or {}
    regimen = request.get("regimen") or []
    if regimen:
        return str(max(regimen, key=lambda d: Decimal(str(d.get("mg", "0"))))["drug"])
    return ""


def _batches(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), BATCH):
        yield ids[i : i + BATCH]


def histories(programme_id: int, patient_ids: Iterable[int]) -> list[EpisodeHistory]:
    """Histories of these patients of the programme that have an approved plan (others have
    no episode yet). Call inside a programme scope."""
    out: list[EpisodeHistory] = []
    for batch in _batches(sorted(set(patient_ids))):
        out += _batch(programme_id, batch)
    return out


def _batch(programme_id: int, ids: Sequence[int]) -> list[EpisodeHistory]:
    plans: dict[int, list[PlanRecord]] = defaultdict(list)
    first: dict[int, tuple[tuple[date, int], str, Decimal]] = {}
    rows = (
        PlanVersion.objects.filter(
            patient__programme_id=programme_id, patient_id__in=ids, approval__isnull=False
        )
        .values(
            "patient_id",
            "number",
            "strategy",
            "start",
            "end",
            "plan",
            "parameters",
            "diazepam_eq_mg",
            "approval__approved_at",
        )
        .order_by()
    )
    for row in rows:
        record = _plan_record(row)
        pid = row["patient_id"]
        plans[pid].append(record)
        key = (record.approved_on, record.number)
        if pid not in first or key < first[pid][0]:
            first[pid] = (key, _first_drug(row["plan"] or {}), row["diazepam_eq_mg"])
    if not plans:
        return []
    ids = sorted(plans)
    born = dict(
        Patient.objects.filter(programme_id=programme_id, pk__in=ids).values_list(
            "pk", "year_of_birth"
        )
    )

    scores: dict[int, list[ScoreRecord]] = defaultdict(list)
    emergencies: dict[int, list[EmergencyRecord]] = defaultdict(list)
    assessed = (
        Assessment.objects.filter(
            programme_id=programme_id,
            patient_id__in=ids,
            superseded_by__isnull=True,
            rater=Rater.CLINICIAN,  # self-reported check-ins are never outcome scores
        )
        .filter(Q(kind__in=INSTRUMENT_KINDS, total__isnull=False) | Q(kind="event"))
        # the day in the server's time zone, worked out by the database (a million rows)
        .annotate(day=TruncDate("at"))
        .values_list("patient_id", "kind", "day", "total", "event")
        .order_by()
    )
    for pid, kind, day, total, event in assessed:
        if kind == "event":
            emergencies[pid].append(EmergencyRecord(day, event))
        else:
            scores[pid].append(ScoreRecord(day, kind, int(total)))

    contacts: dict[int, list[ContactRecord]] = defaultdict(list)
    items = (
        AftercareItem.objects.filter(
            aftercare__patient__programme_id=programme_id,
            aftercare__patient_id__in=ids,
            kind__in=("contact", "review"),
        )
        .values_list("aftercare__patient_id", "on", "done")
        .order_by()
    )
    for pid, on, done in items:
        contacts[pid].append(ContactRecord(on, done))

    settings_: dict[int, list[SettingRecord]] = defaultdict(list)
    intakes = (
        Intake.objects.filter(patient__programme_id=programme_id, patient_id__in=ids)
        .values_list("patient_id", "created_at", "decision", "chosen_level", "level_of_care")
        .order_by()
    )
    for pid, created, decision, chosen, level in intakes:
        decided = level if decision == "agree" else (chosen or level)
        settings_[pid].append(SettingRecord(_day(created), monitoring_setting(decided)))

    phases: dict[int, list[PhaseRecord]] = defaultdict(list)
    history = (
        Patient.history.filter(programme_id=programme_id, id__in=ids, phase="discontinued")
        .values_list("id", "history_date")
        .order_by()
    )
    for pid, when in history:
        phases[pid].append(PhaseRecord(_day(when), "discontinued"))

    returns: dict[int, list[ReturnRecord]] = defaultdict(list)
    reports = (
        ReturnToUseReport.objects.filter(
            patient__programme_id=programme_id,
            patient_id__in=ids,
            superseded_by__isnull=True,
            withdrawn=False,
        )
        .values_list("patient_id", "on", "reported_by")
        .order_by()
    )
    for pid, on, reported_by in reports:
        returns[pid].append(ReturnRecord(on, CORE_SOURCE[reported_by]))

    out = []
    for pid in ids:
        versions = tuple(plans[pid])
        start = min(p.start for p in versions)
        year = born.get(pid, start.year)
        age = start.year - year - (1 if (start.month, start.day) < (7, 1) else 0)
        _key, drug, dose = first[pid]
        out.append(
            EpisodeHistory(
                episode=episode_label(programme_id, pid),
                patient_id=pid,
                age_at_start=age,
                starting_drug=drug,
                starting_dose_mg=Decimal(dose),
                plans=versions,
                scores=tuple(scores[pid]),
                emergencies=tuple(emergencies[pid]),
                contacts=tuple(contacts[pid]),
                settings=tuple(settings_[pid]),
                phases=tuple(phases[pid]),
                returns=tuple(returns[pid]),
            )
        )
    return out
