"""The patient record (minimal identifying data), the current regimen and the intake.

All three are patient data: their default manager is the programme-scoped manager
(``programmes.scoping``), and django-simple-history keeps every row's earlier states.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from benzodetox.web.programmes.scoping import ScopedManager

from .choices import Decision, HomeSupport, Phase, PhaseSetBy, Pregnancy

__all__ = ["DERIVED_FIELDS", "TRIGGER_FIELDS", "Intake", "Patient", "RegimenDose"]

#: a patient's figures derived from the plan in force and the regimen (patients/phase.py)
DERIVED_FIELDS = ("daily_eq_mg", "next_change_on", "next_change_mg", "drugs", "refresh_on")
#: figures only the database writes (triggers of monitoring migration 0005): never saved
TRIGGER_FIELDS = ("open_alerts",)


class Patient(models.Model):
    SCOPE_FIELD = "programme"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="patients"
    )
    reference = models.CharField(
        "record number",
        max_length=40,
        help_text="The programme's own record or case number (no national identifiers needed).",
    )
    display_name = models.CharField(
        "name or initials",
        max_length=80,
        help_text="As little as the team needs to recognise the person, e.g. initials.",
    )
    year_of_birth = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    phase = models.CharField(max_length=16, choices=Phase.choices, default=Phase.INTAKE)
    phase_since = models.DateField(default=date.today)
    phase_set_by = models.CharField(
        max_length=10, choices=PhaseSetBy.choices, default=PhaseSetBy.CLINICIAN
    )
    # Kept up to date from the plan in force (patients/phase.py: on approval, on a phase change
    # and by the periodic job), so the patient list sorts and filters without reading plans.
    daily_eq_mg = models.DecimalField(
        "daily diazepam-eq (mg)", max_digits=9, decimal_places=3, null=True, blank=True
    )
    next_change_on = models.DateField(null=True, blank=True)
    next_change_mg = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    drugs = models.CharField(
        max_length=200, blank=True, default="", help_text="drug keys taken now, space-separated"
    )
    #: the next day the plan changes the phase or the dose (the periodic job looks then)
    refresh_on = models.DateField(null=True, blank=True)
    #: how many of the patient's alerts are open: kept by a trigger on the alerts table in the
    #: same transaction as the alert's change, so the list sorts and filters on it with an index
    open_alerts = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    # the list's derived figures are not the record: their changes are not history
    history = HistoricalRecords(excluded_fields=[*DERIVED_FIELDS, *TRIGGER_FIELDS])

    class Meta:
        ordering = ("reference",)
        constraints = (
            models.UniqueConstraint(
                fields=["programme", "reference"], name="patient_reference_unique_in_programme"
            ),
        )
        indexes = (
            models.Index(fields=["programme", "phase"], name="patient_programme_phase"),
            models.Index(fields=["programme", "next_change_on"], name="patient_programme_next"),
            models.Index(fields=["programme", "daily_eq_mg"], name="patient_programme_eq"),
            models.Index(fields=["refresh_on"], name="patient_refresh_on"),
            models.Index(
                fields=["programme", "-open_alerts", "reference"], name="patient_programme_alerts"
            ),
            # the dashboard's aftercare table: longest in aftercare first
            models.Index(fields=["programme", "phase", "phase_since"], name="patient_phase_since"),
        )

    def __str__(self) -> str:
        return f"{self.reference} {self.display_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save the record without writing the trigger-kept figures back: a copy loaded before
        an alert was raised must not overwrite the database's count with its stale one."""
        if not self._state.adding and not kwargs.get("force_insert"):
            fields = kwargs.get("update_fields")
            if fields is None:
                deferred = self.get_deferred_fields()
                fields = [
                    f.name
                    for f in self._meta.concrete_fields
                    if not f.primary_key and f.attname not in deferred
                ]
            kwargs["update_fields"] = [f for f in fields if f not in TRIGGER_FIELDS]
        super().save(*args, **kwargs)

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day`` (birthday taken as 1 July: only the year is stored)."""
        return day.year - self.year_of_birth - (1 if (day.month, day.day) < (7, 1) else 0)


class RegimenDose(models.Model):
    """One daily dose the patient takes now: ``mg`` of ``drug`` at ``time``."""

    SCOPE_FIELD = "patient__programme"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="regimen_doses")
    drug = models.CharField(max_length=40)
    mg = models.DecimalField(max_digits=9, decimal_places=3)
    time = models.TimeField()

    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ("time", "drug")

    def __str__(self) -> str:
        return f"{self.drug} {self.mg} mg at {self.time:%H:%M}"


class Intake(models.Model):
    """What the clinician learnt at intake, the core's assessment of it at the time it was
    saved, and the clinician's decision on the level of care."""

    SCOPE_FIELD = "patient__programme"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="intakes")
    duration_months = models.DecimalField(
        "duration of use (months)",
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1200))],
        help_text="Months of regular use, e.g. 0.5 for two weeks, 18 for a year and a half.",
    )
    days_per_week = models.PositiveSmallIntegerField(
        "days a week taken",
        validators=[MinValueValidator(1), MaxValueValidator(7)],
    )
    equivalence_table = models.CharField(
        max_length=32,
        help_text="Table used to express the daily dose in diazepam equivalents for the risk.",
    )
    basis = models.CharField(
        max_length=4,
        blank=True,
        help_text="Where the table gives a range for a drug: its low or high end.",
    )
    withdrawal_seizure_history = models.BooleanField("previous withdrawal seizure", default=False)
    withdrawal_delirium_history = models.BooleanField("previous withdrawal delirium", default=False)
    substances = models.JSONField(default=list, blank=True)
    substances_note = models.TextField("other substances (notes)", blank=True)
    sud_medication = models.BooleanField(
        "takes buprenorphine or methadone for an opioid use disorder", default=False
    )
    conditions = models.JSONField(default=list, blank=True)
    conditions_note = models.TextField("other conditions (notes)", blank=True)
    pregnancy = models.CharField(
        max_length=16, choices=Pregnancy.choices, default=Pregnancy.NOT_APPLICABLE
    )
    home_support = models.CharField("support at home", max_length=16, choices=HomeSupport.choices)
    care_partners = models.TextField(
        blank=True, help_text="Who helps (role and how to reach them), as agreed with the patient."
    )
    #: ASAM dimension ratings 0–4 by dimension key (only those rated)
    dimensions = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)

    # The core's assessment when the intake was last saved (kept so it is shown as it was).
    risk = models.CharField(max_length=32, blank=True)
    risk_text = models.CharField(max_length=200, blank=True)
    level_of_care = models.CharField(max_length=16, blank=True)
    level_of_care_text = models.CharField(max_length=200, blank=True)
    diazepam_eq_mg = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    assessment = models.JSONField(default=dict, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)

    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    chosen_level = models.CharField(max_length=16, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ("-created_at", "-id")
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"intake of {self.patient_id} ({self.created_at:%Y-%m-%d})"

    @property
    def decided_level(self) -> str:
        return self.level_of_care if self.decision == Decision.AGREE else self.chosen_level

    @property
    def daily_eq(self) -> Decimal | None:
        return self.diazepam_eq_mg
