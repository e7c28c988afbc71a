"""Plan versions and their approvals.

A version is written once and never changed: ``save()`` refuses an update, ``delete()`` and the
queryset's ``update()``/``delete()`` refuse, and database triggers refuse any other path
(``benzodetox.web.immutable``). A change to a plan is a new version (with who made it and
why); a prescriber's approval is a separate row pointing at the version it approves.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from benzodetox.web.programmes.scoping import ScopedManager
from benzodetox.web.writeonce import ImmutableError, WriteOnceModel, WriteOnceScopedManager

__all__ = ["ImmutableError", "PlanApproval", "PlanPolicy", "PlanSignature", "PlanVersion"]


class PlanVersion(WriteOnceModel):
    SCOPE_FIELD = "patient__programme"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="plan_versions"
    )
    number = models.PositiveIntegerField()
    reason = models.TextField(help_text="Why this version was made.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: the builder's parameters as entered (what the plan is rebuilt from)
    parameters = models.JSONField()
    #: the plan as built, in benzodetox.interop.plan_json form
    plan = models.JSONField()
    source = models.CharField("equivalence table", max_length=32)
    strategy = models.CharField(max_length=32)
    start = models.DateField()
    end = models.DateField()
    diazepam_eq_mg = models.DecimalField(max_digits=9, decimal_places=3)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = WriteOnceScopedManager()

    class Meta:
        ordering = ("patient", "-number")
        constraints = (
            models.UniqueConstraint(fields=["patient", "number"], name="plan_version_number"),
        )

    def __str__(self) -> str:
        return f"plan v{self.number} of patient {self.patient_id}"


class PlanApproval(WriteOnceModel):
    SCOPE_FIELD = "plan_version__patient__programme"

    plan_version = models.OneToOneField(
        PlanVersion, on_delete=models.PROTECT, related_name="approval"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    objects = WriteOnceScopedManager()

    def __str__(self) -> str:
        return f"approval of {self.plan_version}"


class PlanSignature(WriteOnceModel):
    """A prescriber's approval of a version that, by the programme's policy, needs another
    prescriber's too: the first signature (the ``PlanApproval`` follows the second)."""

    SCOPE_FIELD = "plan_version__patient__programme"

    plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, related_name="signatures"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    objects = WriteOnceScopedManager()

    class Meta:
        ordering = ("signed_at", "id")
        constraints = (
            models.UniqueConstraint(
                fields=["plan_version", "signed_by"], name="plan_signature_once_per_prescriber"
            ),
        )

    def __str__(self) -> str:
        return f"first signature of {self.plan_version}"


class PlanPolicy(models.Model):
    """A programme's rules for approving plans (programme settings, scoped to the programme).
    No row means the defaults: one prescriber approves."""

    SCOPE_FIELD = "programme"

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="plan_policy"
    )
    two_person_approval = models.BooleanField(
        "a second prescriber must approve each plan version",
        default=False,
        help_text="On: approved only once a second, different prescriber approves.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"plan policy of programme {self.programme_id}"
