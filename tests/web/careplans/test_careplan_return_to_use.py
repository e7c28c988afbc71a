"""Return to use after the taper, recorded on the aftercare page: who may record it, the dates
allowed, corrections and withdrawals as new records, every record audited, and the rows
written once (the application and the database refuse a change or a removal)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.careplans import return_to_use
from benzodetox.web.careplans.models import ReturnToUseReport
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.writeonce import ImmutableError

from ..outcomes.conftest import add_episode


@pytest.fixture
def finished(programme_a: Any, prescriber: Any) -> tuple[Any, date]:
    """A patient whose Ashton taper started 200 days ago and has ended (patient, last dose)."""
    patient, last = add_episode(
        programme_a, prescriber, "RTU-1", timezone.localdate() - timedelta(days=200)
    )
    assert last is not None
    return patient, last


def _post(client: Any, patient: Any, **values: str) -> Any:
    data = {f"rtu-{k}": v for k, v in values.items()}
    return client.post(reverse("careplans:return_to_use_new", args=[patient.pk]), data)


def _report(patient: Any, user: Any, on: date, **extra: Any) -> ReturnToUseReport:
    row = ReturnToUseReport(
        patient=patient, on=on, reported_by="patient", substance="diazepam", recorded_by=user
    )
    for name, value in extra.items():
        setattr(row, name, value)
    with unscoped():
        row.save()
    return row


def test_a_nurse_records_a_self_report_and_it_is_listed_and_audited(
    client_for, nurse, finished, everything
):
    """Happy path: saved with who recorded it, shown on the aftercare page, one audit event."""
    patient, last = finished
    on = last + timedelta(days=20)
    client = client_for(nurse)
    response = _post(
        client, patient, on=on.isoformat(), reported_by="patient", substance="diazepam",
        note="two tablets from a friend",
    )  # fmt: skip
    assert response.status_code == 302
    row = ReturnToUseReport.objects.get(patient=patient)
    assert (row.on, row.reported_by, row.substance) == (on, "patient", "diazepam")
    assert row.recorded_by == nurse and row.note == "two tablets from a friend"
    page = client.get(reverse("careplans:aftercare", args=[patient.pk])).content.decode()
    assert f'id="return-{row.pk}"' in page and "two tablets from a friend" in page
    event = AuditEvent.objects.get(action="careplan.return_to_use_recorded")
    assert event.patient_id == patient.pk and event.detail["on"] == on.isoformat()


@pytest.mark.parametrize("when", ["future", "before_plan", "impossible"])
def test_a_date_outside_the_allowed_range_is_refused_naming_the_range(
    client_for, prescriber, finished, everything, when
):
    """Tomorrow, the day before the first plan's start and 2026-02-31 are each an error on the
    date field stating the allowed range; nothing is saved."""
    patient, _last = finished
    first = return_to_use.date_range(patient)
    assert first is not None
    on = {
        "future": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "before_plan": (first.first - timedelta(days=1)).isoformat(),
        "impossible": "2026-02-31",
    }[when]
    response = _post(
        client_for(prescriber), patient, on=on, reported_by="clinician", substance="lorazepam"
    )
    assert response.status_code == 200
    errors = response.context["return_section"]["form"].errors["on"]
    if when == "impossible":
        assert "YYYY-MM-DD" in errors[0]
    else:
        assert first.first.isoformat() in errors[0] and "to today" in errors[0]
    assert 'id="id_rtu-on_errors"' in response.content.decode()
    assert not ReturnToUseReport.objects.exists()


def test_other_substance_needs_its_name_in_the_note(client_for, nurse, finished, everything):
    """"Other" without a note is an error on the note field."""
    patient, last = finished
    response = _post(
        client_for(nurse), patient, on=last.isoformat(), reported_by="third_party",
        substance="other",
    )  # fmt: skip
    assert response.status_code == 200
    assert "note" in response.context["return_section"]["form"].errors
    assert not ReturnToUseReport.objects.exists()


@pytest.mark.parametrize("role", ["read-only", "counsellor"])
def test_roles_without_aftercare_edit_get_403_and_no_form(
    client_for, personas, finished, everything, role
):
    """Read-only members and counsellors see the reports but get no form, and a POST is 403."""
    patient, last = finished
    client = client_for(personas[role])
    page = client.get(reverse("careplans:aftercare", args=[patient.pk]))
    assert page.status_code == 200 and b'id="return-form"' not in page.content
    response = _post(
        client, patient, on=last.isoformat(), reported_by="patient", substance="diazepam"
    )
    assert response.status_code == 403
    assert not ReturnToUseReport.objects.exists()


def test_another_programmes_clinician_gets_404(client_for, other_clinician, finished):
    """Programme B's clinician cannot reach programme A's patient."""
    patient, last = finished
    response = _post(
        client_for(other_clinician), patient, on=last.isoformat(), reported_by="patient",
        substance="diazepam",
    )  # fmt: skip
    assert response.status_code == 404


def test_a_correction_replaces_the_report_and_a_withdrawal_removes_it_from_the_current(
    client_for, nurse, prescriber, finished, everything
):
    """Correcting keeps the first row and lists only the new one; withdrawing (with its
    reason) leaves no current report; every row is still there, each step audited."""
    patient, last = finished
    first = _report(patient, nurse, last + timedelta(days=3))
    client = client_for(prescriber)
    response = _post(
        client, patient, on=(last + timedelta(days=5)).isoformat(), reported_by="clinician",
        substance="diazepam", corrects=str(first.pk),
    )  # fmt: skip
    assert response.status_code == 302
    (current,) = return_to_use.current_reports(patient)
    assert current.supersedes_id == first.pk and current.on == last + timedelta(days=5)
    again = _post(
        client, patient, on=last.isoformat(), reported_by="patient", substance="diazepam",
        corrects=str(first.pk),
    )  # fmt: skip
    assert again.status_code == 200 and "corrects" in again.context["return_section"]["form"].errors
    url = reverse("careplans:return_to_use_withdraw", args=[patient.pk, current.pk])
    assert client.post(url, {f"w{current.pk}-reason": ""}).status_code == 302
    assert return_to_use.current_reports(patient).count() == 1
    assert client.post(url, {f"w{current.pk}-reason": "wrong patient"}).status_code == 302
    assert not return_to_use.current_reports(patient).exists()
    assert ReturnToUseReport.objects.filter(patient=patient).count() == 3
    assert AuditEvent.objects.filter(action="careplan.return_to_use_withdrawn").count() == 1


def test_a_report_is_never_changed_or_removed_by_the_application_or_the_database(
    nurse, finished
):
    """save() again, delete(), the queryset's update()/delete(), and raw SQL are all refused."""
    patient, last = finished
    row = _report(patient, nurse, last)
    with unscoped():
        row.note = "changed"
        with pytest.raises(ImmutableError):
            row.save()
        with pytest.raises(ImmutableError):
            row.delete()
        with pytest.raises(ImmutableError):
            ReturnToUseReport.objects.filter(pk=row.pk).update(note="changed")
        with pytest.raises(ImmutableError):
            ReturnToUseReport.objects.filter(pk=row.pk).delete()
    table = ReturnToUseReport._meta.db_table
    for sql in (
        f"UPDATE {table} SET note = 'x' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="immutable"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [row.pk])
    with unscoped():
        assert ReturnToUseReport.objects.get(pk=row.pk).note == ""
