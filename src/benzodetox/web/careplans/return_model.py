"""A report that a patient used benzodiazepines (or another sedative) again after the taper:
what the patient said, what a clinician saw, or what someone else told the team.

Written once (``WriteOnceModel`` here, database triggers via ``benzodetox.web.immutable``).
A correction is a new report that names the one it replaces (``supersedes``); a report made in
error is withdrawn by a new record with ``withdrawn`` set that supersedes it. So every row stays
exactly as it was written, the current reports are those nobody superseded and that withdraw
nothing, and no column is ever updated (no pointer to set later, unlike assessments).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from benzodetox.web.writeonce import WriteOnceModel, WriteOnceScopedManager

__all__ = ["CORE_SOURCE", "REPORTERS", "ReturnToUseReport"]

REPORTERS = (
    ("patient", "The patient (self-report)"),
    ("clinician", "A clinician's observation (seen, a test, a prescription)"),
    ("third_party", "Someone else (family, carer, pharmacist, another service)"),
)

#: who reported it → the core's return source (core.outcomes.RETURN_SOURCES): a third party's
#: account is recorded by a clinician, so it counts as the clinician's record
CORE_SOURCE = {"patient": "self-report", "clinician": "clinician", "third_party": "clinician"}


class ReturnToUseReport(WriteOnceModel):
    """A return to use on ``on`` (the first day of use when it went on for several days)."""

    SCOPE_FIELD = "patient__programme"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="return_reports"
    )
    on = models.DateField("date of use (the first day)")
    reported_by = models.CharField("reported by", max_length=16, choices=REPORTERS)
    #: a catalogue drug key (core.catalogue) or "other"
    substance = models.CharField(max_length=32)
    note = models.TextField(blank=True)
    #: the report this one corrects or withdraws (each report is superseded at most once)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    #: this record withdraws the report it supersedes (recorded in error): no return to use
    withdrawn = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = WriteOnceScopedManager()

    class Meta:
        ordering = ("-on", "-id")
        verbose_name = "return-to-use report"
        constraints = (
            models.CheckConstraint(
                condition=models.Q(withdrawn=False) | models.Q(supersedes__isnull=False),
                name="return_report_withdraws_a_report",
            ),
        )

    def __str__(self) -> str:
        what = "withdrawal of a report" if self.withdrawn else "return to use"
        return f"{what} on {self.on:%Y-%m-%d} (patient {self.patient_id})"
