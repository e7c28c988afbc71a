"""The audit log reaches everything that shows patient data, and a superuser reaches the whole
log (issue 12, item 6): the plan preview and the score preview are recorded as reads, and a
superuser without a membership sees every event in the admin and on the audit page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.audit.services import record
from benzodetox.web.programmes.scoping import unscoped

from .conftest import PLAN_POST

pytestmark = pytest.mark.django_db


def test_the_plan_preview_is_recorded_as_a_read_of_the_patient(
    client_for, nurse, patient_a, everything
):
    """Each htmx preview appends 'plan.previewed' with the user, the patient and its programme."""
    response = client_for(nurse).post(
        reverse("plans:preview", args=[patient_a.pk]), PLAN_POST, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="plan.previewed")
    assert (event.username, event.patient_id, event.programme_id) == (
        "a-nurse",
        patient_a.pk,
        patient_a.programme_id,
    )
    assert event.request_id == response["X-Request-ID"]


def test_the_score_preview_is_recorded_with_the_instrument(
    client_for, nurse, patient_a, everything
):
    """The running total of a CIWA-B appends 'monitoring.score_previewed' naming the kind."""
    response = client_for(nurse).post(
        reverse("monitoring:score", args=[patient_a.pk, "ciwa-b"]), {"item_1": "2"}
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="monitoring.score_previewed")
    assert (event.username, event.patient_id) == ("a-nurse", patient_a.pk)
    assert event.detail == {"kind": "ciwa-b"}


def test_a_refused_preview_records_nothing(client_for, other_clinician, patient_a, everything):
    """Another programme's clinician gets 404 and no read is recorded: nothing was shown."""
    response = client_for(other_clinician).post(
        reverse("monitoring:score", args=[patient_a.pk, "ciwa-b"]), {"item_1": "2"}
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="monitoring.score_previewed").exists()


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", password="x" * 20)


@pytest.fixture
def events_everywhere(patient_a, patient_b, nurse, other_clinician):
    with unscoped():
        return [
            record(None, "patient.viewed", patient=patient_a, user=nurse, summary="in A"),
            record(None, "patient.viewed", patient=patient_b, user=other_clinician, summary="in B"),
            record(None, "account.login", user=nurse, summary="no programme"),
        ]


def test_a_superuser_without_a_membership_sees_every_event_in_the_admin(
    client_for, superuser, events_everywhere
):
    """Both programmes' events and the programme-less sign-in, not an empty list."""
    page = client_for(superuser).get(reverse("admin:audit_auditevent_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "in A" in text and "in B" in text and "no programme" in text


def test_a_superuser_opens_one_event_in_the_admin(client_for, superuser, events_everywhere):
    """The read-only detail of another programme's event opens (200), not 'does not exist'."""
    url = reverse("admin:audit_auditevent_change", args=[events_everywhere[1].pk])
    page = client_for(superuser).get(url)
    assert page.status_code == 200 and "in B" in page.content.decode()


def test_a_superuser_sees_every_programmes_events_on_the_audit_page(
    client_for, superuser, events_everywhere
):
    """/audit/ lists both programmes' events for a superuser without a membership."""
    page = client_for(superuser).get(reverse("audit:list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "in A" in text and "in B" in text


def test_a_programme_admin_still_sees_only_their_programmes_events(
    client_for, programme_admin, events_everywhere
):
    """The superuser path does not widen anyone else's view."""
    text = client_for(programme_admin).get(reverse("audit:list")).content.decode()
    assert "in A" in text and "in B" not in text


def test_monitoring_settings_of_another_programme_answer_404(
    client_for, programme_admin, programme_b, everything
):
    """?programme= of a programme that is not yours is 404, on GET and on POST (nothing saved)."""
    url = reverse("monitoring:settings")
    client = client_for(programme_admin)
    assert client.get(url, {"programme": programme_b.pk}).status_code == 404
    assert client.post(url, {"programme": programme_b.pk}).status_code == 404
