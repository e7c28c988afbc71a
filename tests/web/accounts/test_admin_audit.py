"""Role and membership changes made in the Django admin are audit events naming who, whom and
before → after (issue 12, item 4); clearing a throttle there is an audited unlock."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from benzodetox.web.accounts.models import SignInThrottle
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.programmes.models import Membership
from benzodetox.web.programmes.scoping import unscoped

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def events(action: str) -> list[AuditEvent]:
    with unscoped():
        return list(AuditEvent.objects.filter(action=action).order_by("id"))


@pytest.fixture
def root() -> Any:
    return get_user_model().objects.create_superuser("root", password=PASSWORD)


@pytest.fixture
def admin_client(root: Any) -> Client:
    client = Client()
    client.force_login(root)
    return client


def user_form(user: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "00:00:00",
    }
    for flag in ("is_active", "is_staff", "is_superuser"):
        if changes.get(flag, getattr(user, flag)):
            data[flag] = "on"
    return data


def test_a_role_change_in_the_admin_is_audited_with_before_and_after(
    admin_client, root, nurse, programme_a
):
    """nurse → prescriber through the membership form: member.role_changed by root."""
    membership = Membership.objects.get(user=nurse)
    response = admin_client.post(
        f"/admin/programmes/membership/{membership.pk}/change/",
        {"user": nurse.pk, "programme": programme_a.pk, "role": "prescriber"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    (event,) = events("member.role_changed")
    assert event.username == "root" and event.programme_id == programme_a.pk
    assert event.detail == {
        "member": "a-nurse",
        "from": "nurse",
        "to": "prescriber",
        "via": "admin",
    }
    assert "nurse → prescriber" in event.summary


def test_adding_and_deleting_a_membership_in_the_admin_is_audited(
    admin_client, other_clinician, programme_a
):
    """Add: member.added (→ role); delete: member.removed (role →)."""
    admin_client.post(
        "/admin/programmes/membership/add/",
        {"user": other_clinician.pk, "programme": programme_a.pk, "role": "read-only"},
    )
    (added,) = events("member.added")
    assert added.detail["to"] == "read-only" and added.detail["member"] == "b-prescriber"
    membership = Membership.objects.get(user=other_clinician, programme=programme_a)
    admin_client.post(f"/admin/programmes/membership/{membership.pk}/delete/", {"post": "yes"})
    (removed,) = events("member.removed")
    assert removed.detail["from"] == "read-only" and removed.detail["to"] == ""
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_bulk_deleting_memberships_audits_each(admin_client, personas):
    """The changelist's 'delete selected' writes one member.removed per membership."""
    ids = list(Membership.objects.values_list("pk", flat=True)[:3])
    admin_client.post(
        "/admin/programmes/membership/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert len(events("member.removed")) == 3


def test_granting_superuser_staff_or_deactivating_is_audited(admin_client, nurse):
    """is_superuser / is_staff / is_active changed on the user form: account.rights_changed
    naming each flag before → after."""
    response = admin_client.post(
        f"/admin/auth/user/{nurse.pk}/change/",
        user_form(nurse, is_superuser=True, is_staff=True, is_active=False),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    (event,) = events("account.rights_changed")
    assert event.username == "root" and event.detail["member"] == "a-nurse"
    assert event.detail["from"] == {"is_superuser": False, "is_staff": False, "is_active": True}
    assert event.detail["to"] == {"is_superuser": True, "is_staff": True, "is_active": False}
    nurse.refresh_from_db()
    assert nurse.is_superuser and not nurse.is_active


def test_saving_a_user_without_changing_rights_writes_no_rights_event(admin_client, nurse):
    """Only real changes of the three flags are audited as rights changes."""
    admin_client.post(f"/admin/auth/user/{nurse.pk}/change/", user_form(nurse))
    assert events("account.rights_changed") == []


def test_deleting_a_throttle_in_the_admin_is_an_audited_unlock(
    admin_client, make_user, programme_a
):
    """The throttle admin's 'Unlock' action clears the username's counters, audited."""
    make_user("clinician", "nurse", programme_a, password=PASSWORD)
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "clinician", "password": "wrong"})
    row = SignInThrottle.objects.get(kind="username")
    admin_client.post(
        "/admin/accounts/signinthrottle/",
        {"action": "unlock", "_selected_action": [row.pk]},
    )
    assert not SignInThrottle.objects.filter(kind="username").exists()
    (event,) = events("account.unlocked")
    assert event.username == "root" and event.detail["key"] == "clinician"


def test_setting_a_password_in_the_admin_is_audited(admin_client, nurse):
    """The admin's 'change password' form: account.password_set_by_admin naming the member."""
    response = admin_client.post(
        f"/admin/auth/user/{nurse.pk}/password/",
        {"password1": "another long passphrase", "password2": "another long passphrase"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    (event,) = events("account.password_set_by_admin")
    assert event.username == "root" and event.detail["member"] == "a-nurse"
