"""The care plan around a taper: psychosocial courses and their sessions (with attendance),
aftercare generated from programme policy (editable items), relapse-prevention plan versions and
adjunct-medication notes.

All are patient data: the default manager of each is the programme-scoped manager
(``programmes.scoping``). Editable rows keep their earlier states with django-simple-history;
relapse-plan versions and adjunct notes are written once and never changed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from benzodetox.web.programmes.scoping import ScopedManager
from benzodetox.web.writeonce import ImmutableError, WriteOnceModel, WriteOnceScopedManager

from .return_model import ReturnToUseReport

__all__ = [
    "AdjunctNote",
    "AftercareItem",
    "AftercarePlan",
    "AftercarePolicySettings",
    "Course",
    "CourseSession",
    "ImmutableError",
    "PharmacyPolicySettings",
    "RelapsePlanVersion",
    "ReturnToUseReport",
]


class Course(models.Model):
    """A psychosocial course (CBT, CBT-I, counselling, support group, family / care-partner
    sessions, CBT top-ups) as scheduled by ``core.careplan.schedule_course``."""

    SCOPE_FIELD = "patient__programme"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="courses"
    )
    kind = models.CharField(max_length=32)
    title = models.CharField(max_length=120)
    start = models.DateField()
    every_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    #: the core's sources for the course and its counts (keys of core/data/sources.toml)
    sources = models.JSONField(default=list, blank=True)
    recommendation = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ("-start", "-id")

    def __str__(self) -> str:
        return f"{self.title} from {self.start:%Y-%m-%d}"


class CourseSession(models.Model):
    """One dated session; ``attended`` is None until recorded (True attended, False missed)."""

    SCOPE_FIELD = "course__patient__programme"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    on = models.DateField()
    attended = models.BooleanField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ("on", "number")
        constraints = (
            models.UniqueConstraint(fields=["course", "number"], name="course_session_number"),
        )

    def __str__(self) -> str:
        return f"session {self.number} on {self.on:%Y-%m-%d}"


class AftercarePlan(models.Model):
    """Aftercare generated from programme policy after the last dose of an approved plan.

    A regeneration (e.g. after a new approved plan) is a new row; the newest is current and
    the older ones keep what was recorded on them."""

    SCOPE_FIELD = "patient__programme"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="aftercare_plans"
    )
    plan_version = models.ForeignKey(
        "plans.PlanVersion", on_delete=models.PROTECT, related_name="+"
    )
    last_dose = models.DateField()
    end = models.DateField()
    #: the policy's figures as used, each with its source and whether it is confirmed
    policy = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"aftercare {self.last_dose:%Y-%m-%d} – {self.end:%Y-%m-%d}"

    @property
    def days(self) -> int:
        return (self.end - self.last_dose).days


class AftercareItem(models.Model):
    """A contact, review or referral; ``done`` is None until recorded."""

    SCOPE_FIELD = "aftercare__patient__programme"

    KINDS = (("contact", "Contact"), ("review", "Review"), ("referral", "Referral"))

    aftercare = models.ForeignKey(AftercarePlan, on_delete=models.CASCADE, related_name="items")
    on = models.DateField()
    kind = models.CharField(max_length=16, choices=KINDS)
    title = models.CharField(max_length=200)
    instruments = models.JSONField(default=list, blank=True)
    sources = models.JSONField(default=list, blank=True)
    done = models.BooleanField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ("on", "kind", "id")

    def __str__(self) -> str:
        return f"{self.kind} on {self.on:%Y-%m-%d}"


class AftercarePolicySettings(models.Model):
    """A programme's aftercare policy (programme settings, not patient data; scoped to the
    programme like monitoring's thresholds). Blank means the core's cited default
    (``core/data/aftercare.toml``); a value set here is programme policy, shown as unconfirmed.
    The length is never below the core's 90-day minimum (NIDA 2018)."""

    SCOPE_FIELD = "programme"

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="aftercare_policy"
    )
    days = models.PositiveSmallIntegerField(
        "aftercare length (days after the last dose)", null=True, blank=True
    )
    early_contact_every = models.PositiveSmallIntegerField(
        "contacts in the first phase every (days)", null=True, blank=True
    )
    early_until_day = models.PositiveSmallIntegerField(
        "first phase lasts until day", null=True, blank=True
    )
    late_contact_every = models.PositiveSmallIntegerField(
        "contacts after the first phase every (days)", null=True, blank=True
    )
    review_every = models.PositiveSmallIntegerField("reviews every (days)", null=True, blank=True)
    #: instrument ids used at reviews; empty means the core's default set
    instruments = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=models.Q(days__isnull=True) | models.Q(days__gte=90),
                name="aftercare_policy_at_least_90_days",
            ),
        )

    def __str__(self) -> str:
        return f"aftercare policy of programme {self.programme_id}"


class PharmacyPolicySettings(models.Model):
    """A programme's supply policy (programme settings, scoped to the programme): staged
    supply — patients whose latest intake the core rates at or above ``staged_from_risk``
    (a level of ``core.assessment.risk.LEVELS``) get their pharmacy order in periods of
    ``staged_days`` (1, 7 or 14) by default. Blank: no staged supply (28 days)."""

    SCOPE_FIELD = "programme"

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="pharmacy_policy"
    )
    staged_from_risk = models.CharField(
        "staged supply from withdrawal risk", max_length=32, blank=True, default=""
    )
    staged_days = models.PositiveSmallIntegerField(
        "staged supply period (days)", null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=(
                    models.Q(staged_from_risk="", staged_days__isnull=True)
                    | (~models.Q(staged_from_risk="") & models.Q(staged_days__in=(1, 7, 14)))
                ),
                name="pharmacy_policy_staged_level_and_period_together",
            ),
        )

    def __str__(self) -> str:
        return f"pharmacy policy of programme {self.programme_id}"


class RelapsePlanVersion(WriteOnceModel):
    """One version of the relapse-prevention plan (``core.careplan.RelapsePlan`` as JSON):
    reviewed at visits; a change is the next version with its reason."""

    SCOPE_FIELD = "patient__programme"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="relapse_plans"
    )
    number = models.PositiveIntegerField()
    reason = models.TextField()
    reviewed_on = models.DateField()
    content = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WriteOnceScopedManager()

    class Meta:
        ordering = ("patient", "-number")
        constraints = (
            models.UniqueConstraint(fields=["patient", "number"], name="relapse_plan_number"),
        )

    def __str__(self) -> str:
        return f"relapse plan v{self.number} of patient {self.patient_id}"


class AdjunctNote(WriteOnceModel):
    """A note on an adjunct medication for this patient (considered, started, stopped,
    declined); a later note supersedes an earlier one for the same medication."""

    SCOPE_FIELD = "patient__programme"

    STATUSES = (
        ("considered", "Considered"),
        ("started", "Started"),
        ("stopped", "Stopped"),
        ("declined", "Declined / not suitable"),
    )

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="adjunct_notes"
    )
    adjunct = models.CharField("medication", max_length=32)
    status = models.CharField(max_length=16, choices=STATUSES)
    note = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WriteOnceScopedManager()

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.adjunct} {self.status}"
