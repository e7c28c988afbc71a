"""Monitoring data: assessments (instrument scores, vital signs, emergency events), the advice
given over time, alerts, the programme's monitoring settings, and a per-patient monitoring
state the overdue scan claims.

Every model holds patient data and has the programme-scoped manager as its default manager
(``programmes.scoping``). Assessments and advice records are written once: a correction is a new
version that points at the one it replaces; the only change an old version ever gets is the
pointer to its successor (set in the same transaction, only while unset).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from benzodetox.web.programmes.scoping import ScopedManager
from benzodetox.web.writeonce import (
    ImmutableError,
    WriteOnceModel,
    WriteOnceQuerySet,
    WriteOnceScopedManager,
)

__all__ = [
    "AdviceRecord",
    "Alert",
    "Assessment",
    "ImmutableError",
    "Kind",
    "MonitoringSettings",
    "MonitoringState",
    "Rater",
    "ScheduledChange",
    "Severity",
    "Tally",
]


class Kind(models.TextChoices):
    CIWA_B = "ciwa-b", "CIWA-B"
    BWSQ = "bwsq", "BWSQ"
    PHQ_9 = "phq-9", "PHQ-9"
    GAD_7 = "gad-7", "GAD-7"
    VITALS = "vitals", "Vital signs"
    EVENT = "event", "Emergency event"


INSTRUMENT_KINDS = ("ciwa-b", "bwsq", "phq-9", "gad-7")


class Event(models.TextChoices):
    SEIZURE = "seizure", "Seizure"
    DELIRIUM = "delirium", "Delirium"
    PSYCHOSIS = "psychosis", "Psychosis or hallucinations"
    SUICIDALITY = "suicidality", "Suicidality (thoughts of self-harm or suicide)"


class Judgement(models.TextChoices):
    """The clinician's judgement of the withdrawal symptoms; overrides the CIWA-B thresholds."""

    BY_SCORE = "", "By the CIWA-B total (programme thresholds)"
    NOT_SIGNIFICANT = "not-significant", "Not significant"
    SIGNIFICANT = "significant", "Significant"
    SEVERE = "severe", "Severe"


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"


SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2}


class Rater(models.TextChoices):
    """Who gave the answers: a clinician rated them, or the patient reported them (portal
    check-ins). Self-reported scores are never added into a clinician-rated total."""

    CLINICIAN = "clinician", "Clinician-rated"
    SELF = "self", "Self-reported"


class AssessmentQuerySet(WriteOnceQuerySet):
    """A write-once queryset with the one change an assessment ever gets."""

    def link_successor(self, pk: int, successor: Assessment) -> bool:
        """Point assessment ``pk`` at the version that corrects it, once: False when it was
        already corrected (a conditional UPDATE, so of two corrections at once one wins). The
        database triggers allow exactly this change (``benzodetox.web.immutable``)."""
        unset = self.filter(pk=pk, superseded_by__isnull=True)
        return models.QuerySet.update(unset, superseded_by=successor) == 1


class AssessmentManager(ScopedManager.from_queryset(AssessmentQuerySet)):  # type: ignore[misc]
    """The programme-scoped, write-once default manager of assessments."""


class Assessment(WriteOnceModel):
    """One recorded assessment of one kind: an instrument's answers and score, a set of vital
    signs, or an emergency event. ``at`` is when it was observed (editable: recorded late);
    ``entered_by``/``entered_at`` say who typed it and when."""

    SCOPE_FIELD = "programme"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="assessments"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # db_default too: bulk seeds and raw INSERTs that predate the column stay clinician-rated
    rater = models.CharField(
        max_length=10, choices=Rater.choices, default=Rater.CLINICIAN, db_default=Rater.CLINICIAN
    )
    at = models.DateTimeField("observed at")
    answers = models.JSONField(default=list, blank=True)
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=24, blank=True)
    band_confirmed = models.BooleanField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
    pulse = models.DecimalField(max_digits=4, decimal_places=0, null=True, blank=True)
    sbp = models.DecimalField(max_digits=4, decimal_places=0, null=True, blank=True)
    dbp = models.DecimalField(max_digits=4, decimal_places=0, null=True, blank=True)
    temperature = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    respiratory_rate = models.DecimalField(max_digits=4, decimal_places=0, null=True, blank=True)
    spo2 = models.DecimalField(max_digits=4, decimal_places=0, null=True, blank=True)
    event = models.CharField(max_length=16, choices=Event.choices, blank=True)
    sleep_disturbance = models.BooleanField(default=False)
    judgement = models.CharField(max_length=16, choices=Judgement.choices, blank=True)
    notes = models.TextField(blank=True)
    #: vital-sign findings and the like, as the core gave them when recorded
    findings = models.JSONField(default=list, blank=True)

    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    correction_reason = models.TextField(blank=True)

    objects = AssessmentManager()

    class Meta:
        ordering = ("-at", "-id")
        indexes = (
            models.Index(
                fields=["patient", "kind", "at"],
                name="assessment_current",
                condition=Q(superseded_by__isnull=True),
            ),
            models.Index(fields=["patient", "-at"], name="assessment_patient_at"),
        )

    def __str__(self) -> str:
        return f"{self.kind} of patient {self.patient_id} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None

    @property
    def recorded_late(self) -> bool:
        return (self.entered_at - self.at).total_seconds() > 3600


class AdviceRecord(WriteOnceModel):
    """The core's taper advice as it was given (after an assessment, or when applied)."""

    SCOPE_FIELD = "programme"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="advice_records"
    )
    at = models.DateTimeField(auto_now_add=True)
    on = models.DateField()
    action = models.CharField(max_length=16)
    #: Advice.as_dict(): reasons with sources, the adjustment, escalation, vital signs
    advice = models.JSONField()
    plan_version = models.ForeignKey(
        "plans.PlanVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: the plan version made from this advice (set when the row is written by "apply")
    applied_version = models.ForeignKey(
        "plans.PlanVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = WriteOnceScopedManager()

    class Meta:
        ordering = ("-at", "-id")
        indexes = (models.Index(fields=["patient", "-at"], name="advice_patient_at"),)

    def __str__(self) -> str:
        return f"advice {self.action} for patient {self.patient_id} on {self.on}"


class Alert(models.Model):
    """Something that needs a clinician's attention. ``key`` makes raising idempotent: one
    alert per patient and key (e.g. ``overdue:ciwa-b:2026-03-02``). ``acknowledged_at`` is
    when it closed: a person acknowledged it, or (``closed_reason`` set, no person) the system
    closed it, e.g. an overdue-assessment alert once that assessment was recorded."""

    SCOPE_FIELD = "programme"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=16)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    key = models.CharField(max_length=80)
    title = models.CharField(max_length=200)
    detail = models.JSONField(default=dict, blank=True)
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_note = models.CharField(max_length=300, blank=True)
    #: why the system closed it ("assessment recorded"); blank when a person acknowledged it
    closed_reason = models.CharField(max_length=80, blank=True)
    closed_by_assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (models.UniqueConstraint(fields=["patient", "key"], name="alert_once"),)
        indexes = (
            models.Index(
                fields=["programme", "severity", "-created_at"],
                name="alert_open",
                condition=Q(acknowledged_at__isnull=True),
            ),
            models.Index(fields=["patient", "-created_at"], name="alert_patient"),
            # the dashboard's overdue assessments, newest first
            models.Index(
                fields=["programme", "-created_at"],
                name="alert_open_overdue",
                condition=Q(acknowledged_at__isnull=True, kind__in=("overdue", "reduction")),
            ),
        )

    def __str__(self) -> str:
        return f"{self.severity} alert: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


class MonitoringSettings(models.Model):
    """A programme's own thresholds and monitoring frequencies. Blank means the core's cited
    default (shown with its source); a value set here is programme policy."""

    SCOPE_FIELD = "programme"

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="monitoring_settings"
    )
    ciwa_b_moderate_from = models.PositiveSmallIntegerField(
        "CIWA-B 'moderate' (significant symptoms) from", null=True, blank=True
    )
    ciwa_b_severe_from = models.PositiveSmallIntegerField(
        "CIWA-B 'severe' from", null=True, blank=True
    )
    ciwa_b_very_severe_from = models.PositiveSmallIntegerField(
        "CIWA-B 'very severe' from", null=True, blank=True
    )
    hold_days = models.PositiveSmallIntegerField("days a hold lasts", null=True, blank=True)
    vitals_set = models.CharField("vital-sign threshold set", max_length=40, blank=True)
    pulse_above = models.DecimalField(
        "pulse above (/min)", max_digits=4, decimal_places=0, null=True, blank=True
    )
    sbp_from = models.DecimalField(
        "systolic BP from (mmHg)", max_digits=4, decimal_places=0, null=True, blank=True
    )
    dbp_from = models.DecimalField(
        "diastolic BP from (mmHg)", max_digits=4, decimal_places=0, null=True, blank=True
    )
    temperature_above = models.DecimalField(
        "temperature above (°C)", max_digits=4, decimal_places=1, null=True, blank=True
    )
    spo2_below = models.DecimalField(
        "SpO₂ below (%)", max_digits=4, decimal_places=0, null=True, blank=True
    )
    respiratory_rate_above = models.DecimalField(
        "respiratory rate above (/min)", max_digits=4, decimal_places=0, null=True, blank=True
    )
    recent_days = models.PositiveSmallIntegerField(
        "an assessment counts as recent for (days)", null=True, blank=True
    )
    # the monitoring schedule (core monitoring.toml; blank: its default)
    stabilisation_due_hours = models.PositiveSmallIntegerField(
        "inpatient, stabilising: due after (hours)", null=True, blank=True
    )
    stabilisation_overdue_hours = models.PositiveSmallIntegerField(
        "inpatient, stabilising: overdue after (hours)", null=True, blank=True
    )
    tapering_due_hours = models.PositiveSmallIntegerField(
        "inpatient, tapering: due after (hours)", null=True, blank=True
    )
    tapering_overdue_hours = models.PositiveSmallIntegerField(
        "inpatient, tapering: overdue after (hours)", null=True, blank=True
    )
    follow_up_from_day = models.PositiveSmallIntegerField(
        "outpatient follow-up after a reduction: from day", null=True, blank=True
    )
    follow_up_to_day = models.PositiveSmallIntegerField(
        "outpatient follow-up after a reduction: to day", null=True, blank=True
    )
    escalation_due_hours = models.PositiveSmallIntegerField(
        "after an escalation: CIWA-B and vital signs due after (hours)", null=True, blank=True
    )
    escalation_overdue_hours = models.PositiveSmallIntegerField(
        "after an escalation: overdue after (hours)", null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()

    def __str__(self) -> str:
        return f"monitoring settings of programme {self.programme_id}"


class MonitoringState(models.Model):
    """What the overdue scan needs per patient, kept from the current approved plan, and the
    scan's claim. A scan claims a due row with a conditional ``UPDATE … WHERE`` on
    ``next_check_at``/``claimed_until`` (healthchecks' ``sendalerts`` pattern), so two scans
    running at once never both work on the same patient."""

    SCOPE_FIELD = "programme"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="+"
    )
    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="monitoring_state"
    )
    plan_version = models.ForeignKey(
        "plans.PlanVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    setting = models.CharField(max_length=12, default="outpatient")
    plan_start = models.DateField(null=True, blank=True)
    #: start dates of the reduction steps, ISO strings
    reduction_starts = models.JSONField(default=list, blank=True)
    #: the last day of the stabilising steps (inpatient plans), if any
    stabilise_until = models.DateField(null=True, blank=True)
    last_dose = models.DateField(null=True, blank=True)
    #: when the escalation in force was observed (its CIWA-B or vital signs); cleared when a
    #: later CIWA-B no longer escalates. The CIWA-B and vitals then follow the shorter interval.
    escalated_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        indexes = (models.Index(fields=["next_check_at"], name="state_next_check"),)

    def __str__(self) -> str:
        return f"monitoring state of patient {self.patient_id}"


class ScheduledChange(models.Model):
    """A dose change of the current approved plan (a step start), for the dashboard's
    "this week's step changes" and the "reduction due without a recent assessment" alert."""

    SCOPE_FIELD = "programme"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="scheduled_changes"
    )
    plan_version = models.ForeignKey(
        "plans.PlanVersion", on_delete=models.CASCADE, related_name="+"
    )
    on = models.DateField()
    kind = models.CharField(max_length=16)
    from_mg = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    to_mg = models.DecimalField(max_digits=9, decimal_places=3)

    objects = ScopedManager()

    class Meta:
        ordering = ("on", "patient_id")
        indexes = (
            # the dashboard's week, in its order: the first rows without sorting the week
            models.Index(fields=["programme", "on", "patient"], name="change_programme_on_patient"),
            models.Index(fields=["patient", "on"], name="change_patient_on"),
        )

    def __str__(self) -> str:
        return f"{self.kind} on {self.on} for patient {self.patient_id}"


class Tally(models.Model):
    """The dashboard's counts per programme — patients by phase (``phase:<phase>``), open alerts
    by severity (``open:<severity>``) and by kind (``open-kind:<kind>``), dose changes by day
    (``change:<YYYY-MM-DD>``) — kept by database
    triggers (migration 0005) as signed deltas: a change of a patient or an alert appends
    ``+1``/``-1`` rows in its own transaction, so writers never wait on a shared counter row,
    and a count is the sum of its rows (an index-only read). The ``tally-compact`` job folds
    each key's rows into one. Not patient data: numbers per programme only.

    No database foreign key: a test database's flush deletes tables in any order, and a
    delta for a programme being deleted must not fail it."""

    SCOPE_FIELD = "programme"

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    key = models.CharField(max_length=40)
    n = models.IntegerField()

    objects = ScopedManager()

    class Meta:
        indexes = (models.Index(fields=["programme", "key", "n"], name="tally_programme_key"),)

    def __str__(self) -> str:
        return f"{self.key} {self.n:+d} in programme {self.programme_id}"
