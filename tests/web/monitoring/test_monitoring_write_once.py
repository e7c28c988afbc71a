"""Assessments and advice records use the one write-once base (``web.writeonce``): the
application refuses a change or removal before the database triggers do, and the only change an
assessment ever gets — the pointer to the version that corrects it — is set once (issue 15)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from benzodetox.web.monitoring.models import AdviceRecord, Assessment
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.writeonce import ImmutableError, WriteOnceModel

from .conftest import record


def test_assessments_and_advice_records_are_write_once_models() -> None:
    assert issubclass(Assessment, WriteOnceModel)
    assert issubclass(AdviceRecord, WriteOnceModel)


def test_a_bulk_update_or_delete_of_assessments_or_advice_is_refused_by_the_application(
    entry_a: Any, everything: Any
) -> None:
    """The queryset refuses with ImmutableError; nothing changed."""
    with pytest.raises(ImmutableError, match="never changed"):
        Assessment.objects.filter(pk=entry_a.pk).update(notes="changed")
    with pytest.raises(ImmutableError, match="never removed"):
        Assessment.objects.filter(pk=entry_a.pk).delete()
    advice = AdviceRecord.objects.filter(assessment=entry_a)
    assert advice.exists()
    with pytest.raises(ImmutableError, match="never changed"):
        advice.update(action="stop")
    with pytest.raises(ImmutableError, match="never removed"):
        advice.first().delete()  # type: ignore[union-attr]
    assert Assessment.objects.get(pk=entry_a.pk).notes == entry_a.notes
    assert advice.count() == 1


def test_the_successor_pointer_is_set_once_only(nurse: Any, tapering_a: Any, entry_a: Any) -> None:
    """A correction links its predecessor; a second link to the same old version is refused
    (False) and leaves the first correction in place."""
    first = record(nurse, tapering_a)
    second = record(nurse, tapering_a)
    with unscoped():
        assert Assessment.objects.link_successor(entry_a.pk, first) is True
        assert Assessment.objects.link_successor(entry_a.pk, second) is False
        assert Assessment.objects.get(pk=entry_a.pk).superseded_by_id == first.pk


def test_saving_a_recorded_assessment_again_says_to_record_a_correction(
    patient_a: Any, nurse: Any
) -> None:
    with unscoped():
        row = Assessment(
            programme_id=patient_a.programme_id,
            patient=patient_a,
            kind="gad-7",
            at=timezone.now(),
            answers=[0] * 7,
            total=0,
            entered_by=nurse,
        )
        row.save()
        row.notes = "changed"
        with pytest.raises(ImmutableError, match="a correction is a new version"):
            row.save()
