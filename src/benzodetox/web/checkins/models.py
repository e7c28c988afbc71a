"""Between visits: the patient's dose diary (written once; a correction is a new entry), the
programme's check-in settings, a check-in in progress (its answers kept server-side between
screens), and "this step is too hard" requests a prescriber answers.

A finished check-in's results are monitoring ``Assessment`` rows with ``rater="self"``; the
check-in row only holds the answers while the patient goes through the screens and what the
patient was told at the end. Every model holds patient data and has the programme-scoped
manager as its default manager.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from benzodetox.web.programmes.scoping import ScopedManager
from benzodetox.web.writeonce import WriteOnceModel, WriteOnceScopedManager

__all__ = ["Checkin", "CheckinSettings", "DiaryEntry", "DoseStatus", "RequestStatus", "StepRequest"]


class DoseStatus(models.TextChoices):
    TAKEN = "taken", "Taken"
    LATE = "late", "Taken late"
    MISSED = "missed", "Missed"
    EXTRA = "extra", "Extra dose"


class DiaryEntry(WriteOnceModel):
    """One mark in the dose diary: the dose of ``dose_time`` on ``day`` (an extra dose may have
    no planned time). Never changed: a correction is a new entry that ``supersedes`` it."""

    SCOPE_FIELD = "programme"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="diary_entries"
    )
    day = models.DateField()
    dose_time = models.TimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=DoseStatus.choices)
    note = models.CharField(max_length=500, blank=True)
    plan_version = models.ForeignKey(
        "plans.PlanVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    objects = WriteOnceScopedManager()

    class Meta:
        ordering = ("-day", "dose_time", "-entered_at", "-id")
        verbose_name = "dose diary entry"
        verbose_name_plural = "dose diary entries"
        indexes = (models.Index(fields=["patient", "day"], name="diary_patient_day"),)

    def __str__(self) -> str:
        return f"{self.day} {self.dose_time or ''} {self.status}"


class CheckinSettings(models.Model):
    """A programme's check-in schedule and self-report thresholds. Blank means the core's
    default (self_report.toml, shown with its source); a value set here is programme policy."""

    SCOPE_FIELD = "programme"

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="checkin_settings"
    )
    after_reduction_from_day = models.PositiveSmallIntegerField(
        "check-in due from day … after each reduction", null=True, blank=True
    )
    every_days = models.PositiveSmallIntegerField(
        "check-in due when none for (days)", null=True, blank=True
    )
    mood_every_days = models.PositiveSmallIntegerField(
        "PHQ-9 and GAD-7 again after (days)", null=True, blank=True
    )
    ciwa_b_alert_from = models.PositiveSmallIntegerField(
        "alert when the self-reported CIWA-B (items 1–17) reaches", null=True, blank=True
    )
    bwsq_alert_from = models.PositiveSmallIntegerField(
        "alert when the self-reported BWSQ reaches", null=True, blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    def __str__(self) -> str:
        return f"check-in settings of programme {self.programme_id}"


class Checkin(models.Model):
    """One check-in: the questions asked (``questions``, e.g. ``"ciwa-b:3"``, ``"sleep"``), the
    answers given so far (kept here so a reload loses nothing), and, once finished, what the
    patient was told and the assessments it made."""

    SCOPE_FIELD = "programme"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="checkins"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    due_reason = models.CharField(max_length=120, blank=True)
    questions = models.JSONField(default=list)
    answers = models.JSONField(default=dict, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    #: "crisis", "call-team" or "ok": what the patient was told at the end
    level = models.CharField(max_length=12, blank=True)
    #: the alert titles raised and the assessment ids made, for the team and the patient's history
    result = models.JSONField(default=dict, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ("-started_at", "-id")
        indexes = (models.Index(fields=["patient", "-started_at"], name="checkin_patient"),)

    def __str__(self) -> str:
        return f"check-in {self.pk} of patient {self.patient_id}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None


class RequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for an answer"
    APPLIED = "applied", "Plan changed"
    DECLINED = "declined", "Declined"


class StepRequest(models.Model):
    """The patient's "this step is too hard": a hold or a slower taper, with the reason. A
    prescriber applies it (a new plan version, approved the normal way) or declines it with a
    message the patient reads."""

    SCOPE_FIELD = "programme"
    KINDS = (("hold", "Hold the current dose for a while"), ("slow", "Slow down the taper"))

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="step_requests"
    )
    kind = models.CharField(max_length=8, choices=KINDS)
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    plan_version = models.ForeignKey(
        "plans.PlanVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=8, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField("message to the patient", blank=True)
    new_version = models.ForeignKey(
        "plans.PlanVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(
                fields=["programme", "-created_at"],
                name="steprequest_open",
                condition=models.Q(status="open"),
            ),
            models.Index(fields=["patient", "-created_at"], name="steprequest_patient"),
        )

    def __str__(self) -> str:
        return f"{self.kind} request of patient {self.patient_id}"

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN
