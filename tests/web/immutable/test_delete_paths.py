"""The paths that delete rows in the admin meet immutable records with a clear answer, never a
server error: a programme or a user that clinical records refer to is protected (the admin
lists what stands in the way) and everything stays as it was. A clinical record is never
deleted; nothing in the application discards a draft plan (a new version supersedes it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.programmes.models import Programme
from benzodetox.web.programmes.scoping import unscoped


@pytest.fixture
def admin_client(db: Any) -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client = Client()
    client.force_login(user)
    return client


def test_deleting_a_programme_with_clinical_records_in_the_admin_is_refused_clearly(
    admin_client: Client, records: Any, programme_a: Programme
) -> None:
    """The confirmation page names the protected records (200, not 500); confirming changes
    nothing."""
    url = reverse("admin:programmes_programme_delete", args=[programme_a.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert b"Cannot delete programme" in page.content
    confirmed = admin_client.post(url, {"post": "yes"})
    assert confirmed.status_code in (200, 302)
    assert Programme.objects.filter(pk=programme_a.pk).exists()
    with unscoped():
        assert PlanVersion.objects.filter(patient__programme=programme_a).count() == 2


def test_the_admins_bulk_delete_action_on_programmes_is_refused_clearly(
    admin_client: Client, records: Any, programme_a: Programme, programme_b: Programme
) -> None:
    """'Delete selected' on programmes holding records: a page naming them, nothing deleted."""
    response = admin_client.post(
        reverse("admin:programmes_programme_changelist"),
        {"action": "delete_selected", "_selected_action": [programme_a.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert Programme.objects.filter(pk=programme_a.pk).exists()


def test_deleting_a_clinician_who_wrote_records_in_the_admin_is_refused_clearly(
    admin_client: Client, records: Any, personas: dict[str, Any]
) -> None:
    """A clinician in the audit log is deactivated, never deleted: the admin says so and the
    records keep who wrote them."""
    nurse = personas["nurse"]
    AuditEvent(user=nurse, username=nurse.username, action="account.login").save()
    url = reverse("admin:auth_user_delete", args=[nurse.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"post": "yes"}).status_code in (200, 302)
    assert get_user_model().objects.filter(pk=nurse.pk).exists()


def test_a_programme_without_clinical_records_can_still_be_deleted(
    admin_client: Client, programme_b: Programme
) -> None:
    """Only records are protected: an empty programme goes (its settings' history rows are
    appended, not removed)."""
    from benzodetox.web.plans.models import PlanPolicy

    with unscoped():
        PlanPolicy.objects.create(programme=programme_b, two_person_approval=True)
        history = PlanPolicy.history.count()
    url = reverse("admin:programmes_programme_delete", args=[programme_b.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Programme.objects.filter(pk=programme_b.pk).exists()
    with unscoped():
        assert PlanPolicy.history.count() == history + 1


def test_a_user_named_only_as_an_author_of_records_is_protected_not_a_server_error(
    admin_client: Client, records: Any
) -> None:
    """A user who never appears in the audit log but authored a plan version: the admin names
    the records in the way (200, 'Cannot delete'), confirming changes nothing."""
    with unscoped():
        version = PlanVersion.objects.exclude(created_by=None).first()
    assert version is not None
    author = version.created_by
    assert not AuditEvent._base_manager.filter(user=author).exists()  # the case that was a 500
    url = reverse("admin:auth_user_delete", args=[author.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert b"Cannot delete user" in page.content
    assert b"plan versions naming" in page.content
    assert admin_client.post(url, {"post": "yes"}).status_code in (200, 302)
    assert get_user_model().objects.filter(pk=author.pk).exists()
    with unscoped():
        assert PlanVersion.objects.get(pk=version.pk).created_by_id == author.pk
