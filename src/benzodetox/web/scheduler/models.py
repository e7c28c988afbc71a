"""One row per periodic job: when it last ran, what it found, and the lease of the run under way.

Not patient data (no programme scope): the rows say only how many patients a run looked at.
"""

from __future__ import annotations

from django.db import models

__all__ = ["JobRun"]


class JobRun(models.Model):
    """A periodic job's state. A server runs the job only after winning the row with one
    conditional ``UPDATE … WHERE`` (``runner.claim``): the lease is free (or expired) and the
    last run began at least an interval ago, so several workers or servers run it once."""

    name = models.CharField(max_length=40, primary_key=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(null=True)
    summary = models.CharField(max_length=300, blank=True, default="")
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return f"{self.name} (last started {self.started_at or 'never'})"
