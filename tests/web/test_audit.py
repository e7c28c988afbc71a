"""The audit log is append-only, records views and changes with who, IP and request id, and is
shown to programme admins filtered by their programmes."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from benzodetox.web.audit.models import AppendOnlyError, AuditEvent
from benzodetox.web.audit.services import record
from benzodetox.web.programmes.scoping import unscoped


@pytest.fixture
def event(patient_a, nurse):
    with unscoped():
        return record(None, "patient.viewed", patient=patient_a, user=nurse)


def test_an_audit_event_cannot_be_changed_through_the_model(event):
    """save() on an existing event refuses."""
    event.summary = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_an_audit_event_cannot_be_deleted(event):
    """delete() refuses, and so do the queryset's update() and delete()."""
    with pytest.raises(AppendOnlyError):
        event.delete()
    with unscoped():
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).update(summary="x")
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_database_refuses_an_update_of_the_audit_table(event):
    """Even raw SQL cannot rewrite an event (a trigger on SQLite and PostgreSQL)."""
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = 'x' WHERE id = %s", [event.pk])


def test_viewing_a_patient_is_recorded_with_who_where_and_the_request_id(
    client_for, nurse, patient_a, everything
):
    """A page view appends 'patient.viewed' with the user, IP and the X-Request-ID echoed."""
    response = client_for(nurse).get(
        reverse("patients:detail", args=[patient_a.pk]), REMOTE_ADDR="10.1.2.3"
    )
    found = AuditEvent.objects.filter(action="patient.viewed", patient=patient_a).get()
    assert (found.username, found.ip, found.programme_id) == (
        "a-nurse",
        "10.1.2.3",
        patient_a.programme_id,
    )
    assert found.request_id == response["X-Request-ID"]


def test_a_change_is_recorded(client_for, nurse, patient_a, everything):
    """Changing the phase appends an event naming both phases and the reason."""
    client_for(nurse).post(
        reverse("patients:phase", args=[patient_a.pk]), {"phase": "tapering", "reason": "started"}
    )
    found = AuditEvent.objects.get(action="patient.phase_changed")
    assert found.detail == {"from": "intake", "to": "tapering", "reason": "started"}


def test_a_programme_admin_sees_and_filters_their_programmes_events(
    client_for, programme_admin, nurse, other_clinician, patient_a, patient_b
):
    """The admin's log lists A's events, filterable by user, never B's."""
    with unscoped():
        record(None, "patient.viewed", patient=patient_a, user=nurse, summary="seen-in-a")
        record(None, "patient.viewed", patient=patient_b, user=other_clinician, summary="seen-in-b")
    client = client_for(programme_admin)
    page = client.get(reverse("audit:list")).content.decode()
    assert "seen-in-a" in page and "seen-in-b" not in page
    filtered = client.get(reverse("audit:list"), {"username": "nobody"}).content.decode()
    assert "seen-in-a" not in filtered


def test_the_admin_site_cannot_change_audit_events(admin_client, event):
    """The Django admin shows the log read-only: no add, change or delete."""
    from django.contrib import admin

    from benzodetox.web.audit.admin import AuditEventAdmin

    model_admin = AuditEventAdmin(AuditEvent, admin.site)
    request = admin_client.get("/").wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)


@pytest.mark.parametrize(
    "name",
    [
        "patients:detail",
        "patients:history",
        "patients:intake",
        "patients:edit",
        "patients:regimen",
        "plans:builder",
    ],
)
def test_every_page_showing_a_patient_appends_a_view_event(
    name, client_for, prescriber, patient_a, everything
):
    """Opening any patient page leaves an audit event for that patient."""
    before = AuditEvent.objects.filter(patient=patient_a).count()
    client_for(prescriber).get(reverse(name, args=[patient_a.pk]))
    assert AuditEvent.objects.filter(patient=patient_a).count() == before + 1


def test_plan_pages_and_printing_are_audited(
    client_for, prescriber, patient_a, version_a, everything
):
    """Viewing and printing a plan version are recorded as such."""
    client = client_for(prescriber)
    client.get(reverse("plans:detail", args=[patient_a.pk, version_a.number]))
    client.get(reverse("plans:print", args=[patient_a.pk, version_a.number]))
    actions = set(AuditEvent.objects.filter(patient=patient_a).values_list("action", flat=True))
    assert {"plan.viewed", "plan.printed"} <= actions


def test_an_event_carrying_a_nul_character_is_still_written(patient_a):
    """PostgreSQL refuses NUL in text and JSON: the event is written with U+FFFD in its place
    (both databases store the same)."""
    with unscoped():
        event = record(
            None, "test.nul", patient=patient_a, summary="a\x00b", detail={"k\x00": ["v\x00"]}
        )
        stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.summary == "a\ufffdb"
    assert stored.detail == {"k\ufffd": ["v\ufffd"]}
