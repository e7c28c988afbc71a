"""The outcomes page's cache and the programme's own outcome definitions.

``EpisodeSnapshot`` keeps each patient's episode outcome as the core computed it, until the
core's ``changes_after`` day or until a new record for the patient arrives (``OutcomeRefresh``
keeps the programme's watermarks). It is derived data, never a clinical record: it is
rewritten freely and can be dropped at any time (the next page view rebuilds it).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from benzodetox.web.programmes.scoping import ScopedManager

__all__ = ["EpisodeSnapshot", "OutcomeRefresh", "OutcomeSettings"]


class EpisodeSnapshot(models.Model):
    SCOPE_FIELD = "programme"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="+"
    )
    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="outcome_snapshot"
    )
    as_of = models.DateField()
    #: recompute on or after this day even with no new record (None: never by itself)
    valid_until = models.DateField(null=True, blank=True)
    #: core.outcomes.outcome_to_dict
    outcome = models.JSONField()
    #: when it was computed (a server's in-memory copy is valid while this is unchanged)
    computed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        indexes = (models.Index(fields=["programme", "valid_until"], name="snapshot_due"),)

    def __str__(self) -> str:
        return f"outcome of patient {self.patient_id} as of {self.as_of}"


class OutcomeRefresh(models.Model):
    """Where the programme's snapshots were brought up to date: the highest ids (and times)
    of the records they have seen."""

    SCOPE_FIELD = "programme"

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="+"
    )
    assessment_id = models.BigIntegerField(default=0)
    approval_id = models.BigIntegerField(default=0)
    patient_history_id = models.BigIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)
    #: the definitions the snapshots were computed with (a change recomputes them all)
    definitions = models.JSONField(default=dict)
    #: every patient with an approved plan has a snapshot (False while a first computation
    #: runs over several views, each within its time budget)
    complete = models.BooleanField(default=False)

    objects = ScopedManager()

    def __str__(self) -> str:
        return f"outcome refresh of programme {self.programme_id}"


class OutcomeSettings(models.Model):
    """A programme's own outcome definitions; blank means the core's programme definition."""

    SCOPE_FIELD = "programme"

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="outcome_settings"
    )
    lost_to_follow_up_days = models.PositiveSmallIntegerField(
        "lost to follow-up after (days without contact)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    small_cell_threshold = models.PositiveSmallIntegerField(
        "smallest cell shown (patients)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    stayed_off_days = models.PositiveSmallIntegerField(
        "completed: off after the last dose for (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()

    def __str__(self) -> str:
        return f"outcome settings of programme {self.programme_id}"
