"""The patient list's search, filters and sorts, read from the query string.

Every figure sorted or filtered on is a column of the patient row: the plan's figures kept up to
date by ``patients/phase.py``, the open alerts by a database trigger on the alerts (monitoring
migration 0006), so no plan is read and no alert counted per row. A value the list does not
know is ignored (the page says which filters are in force), never an error page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import F, Q, QuerySet

from benzodetox.core.catalogue import catalogue
from benzodetox.web.programmes.scoping import active_scope

from .choices import Phase
from .models import Patient

__all__ = [
    "PAGE_SIZE",
    "SORTS",
    "WITHIN",
    "KeptCountQuerySet",
    "PatientListing",
    "drugs_matching",
]

PAGE_SIZE = 25

#: sort key → (label, ordering)
SORTS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "record": ("Record number", ("reference", "pk")),
    "name": ("Name", ("display_name", "reference", "pk")),
    "phase": ("Phase", ("phase", "reference", "pk")),
    "dose": (
        "Daily dose, highest first",
        (F("daily_eq_mg").desc(nulls_last=True), "reference", "pk"),
    ),
    "next": (
        "Next dose change, soonest first",
        (F("next_change_on").asc(nulls_last=True), "reference", "pk"),
    ),
    "alerts": ("Open alerts, most first", ("-open_alerts", "reference", "pk")),
}

#: next-change filter → days from today
WITHIN: dict[str, tuple[str, int]] = {
    "7": ("within 7 days", 7),
    "28": ("within 28 days", 28),
}


def drugs_matching(text: str) -> list[str]:
    """Catalogue drug keys whose key or name contains ``text`` (case-insensitive)."""
    needle = text.strip().lower()
    if len(needle) < 3:
        return []
    return [
        key
        for key, drug in catalogue().drugs.items()
        if needle in key.lower() or needle in drug.name.lower()
    ]


class KeptCountQuerySet(QuerySet[Patient]):
    """The list's queryset whose ``count()`` (the paginator's total) is the sum of the kept
    ``phase:`` counts of the programmes in scope — a few index keys — rather than a count
    of the programme's patients. Only for a list filtered by nothing but the phase."""

    phase: str | None = None

    @classmethod
    def of(cls, queryset: QuerySet[Patient], phase: str) -> KeptCountQuerySet:
        kept = cls(model=queryset.model, query=queryset.query.chain(), using=queryset.db)
        kept.phase = phase
        return kept

    def count(self) -> int:
        scope = active_scope()
        if self.phase is None or self._result_cache is not None or scope is None:
            return super().count()
        if scope.everything:
            return super().count()
        from benzodetox.web.monitoring.tally import counts

        names = [self.phase] if self.phase else list(Phase.values)
        return sum(counts(sorted(scope.programme_ids), "phase:", names).values())


@dataclass(frozen=True)
class PatientListing:
    q: str = ""
    phase: str = ""
    drug: str = ""
    alerts: bool = False
    within: str = ""
    sort: str = "record"

    @classmethod
    def from_query(cls, params: Any) -> PatientListing:
        phase = params.get("phase", "")
        drug = params.get("drug", "")
        within = params.get("next", "")
        sort = params.get("sort", "record")
        return cls(
            q=params.get("q", "").strip()[:80],
            phase=phase if phase in Phase.values else "",
            drug=drug if drug in catalogue().drugs else "",
            alerts=params.get("alerts", "") == "open",
            within=within if within in WITHIN else "",
            sort=sort if sort in SORTS else "record",
        )

    def queryset(self, today: date) -> QuerySet[Patient]:
        patients = Patient.objects.select_related("programme")
        if self.q:
            found = Q(reference__icontains=self.q) | Q(display_name__icontains=self.q)
            for key in drugs_matching(self.q):
                found |= Q(drugs__contains=f" {key} ")
            patients = patients.filter(found)
        if self.phase:
            patients = patients.filter(phase=self.phase)
        if self.drug:
            patients = patients.filter(drugs__contains=f" {self.drug} ")
        if self.alerts:
            patients = patients.filter(open_alerts__gt=0)
        if self.within:
            days = WITHIN[self.within][1]
            patients = patients.filter(
                next_change_on__gte=today, next_change_on__lte=today + timedelta(days=days)
            )
        ordered = patients.order_by(*SORTS[self.sort][1])
        if self.q or self.drug or self.alerts or self.within:
            return ordered
        # Every patient, or a phase's: the paginator's total from the kept counts by phase
        # (monitoring migration 0006's triggers) instead of counting the programme's rows.
        return KeptCountQuerySet.of(ordered, self.phase)

    def params(self, **changes: Any) -> dict[str, str]:
        values = {
            "q": self.q,
            "phase": self.phase,
            "drug": self.drug,
            "alerts": "open" if self.alerts else "",
            "next": self.within,
            "sort": self.sort if self.sort != "record" else "",
        }
        values.update({k: str(v) for k, v in changes.items()})
        return {k: v for k, v in values.items() if v}

    def query_string(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))

    def summary(self) -> str:
        return " ".join(f"{k}={v!r}" for k, v in self.params().items()) or "all"
