"""Invitations: one-time links that expire, are used once, can be revoked; the patient's account
they create signs in on the portal only, and revocation ends its sessions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from benzodetox.core.errors import InputError
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.portal import services
from benzodetox.web.portal.models import Invitation, PortalAccount, hash_token
from benzodetox.web.programmes.scoping import scope_programmes, unscoped

from .conftest import PASSWORD, invite, staff_request

pytestmark = pytest.mark.django_db


def test_an_invitation_link_lets_the_patient_choose_a_password_and_opens_today(
    patient_a: Any, nurse: Any, approved_a: Any
) -> None:
    token = invite(nurse, patient_a)
    client = Client()
    page = client.get(reverse("portal:accept", args=[token]))
    assert page.status_code == 200
    assert b"Choose a password" in page.content
    response = client.post(
        reverse("portal:accept", args=[token]),
        {"username": "ab1970", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:today")
    today = client.get(reverse("portal:today"))
    assert today.status_code == 200
    assert b"Your doses today" in today.content or b"Your plan starts on" in today.content
    with unscoped():
        account = PortalAccount.objects.get(patient=patient_a)
        assert account.user.username == "ab1970" and account.is_active
        assert not account.user.memberships.exists()
        assert Invitation.objects.get(token_hash=hash_token(token)).used_at is not None


def test_the_token_is_stored_only_hashed(patient_a: Any, nurse: Any) -> None:
    token = invite(nurse, patient_a)
    with unscoped():
        stored = Invitation.objects.get(patient=patient_a)
    assert stored.token_hash == hash_token(token)
    assert token not in stored.token_hash


def test_a_link_used_once_does_not_work_twice(patient_a: Any, nurse: Any) -> None:
    token = invite(nurse, patient_a)
    services.accept(None, token, username="first", password=PASSWORD)
    with pytest.raises(InputError) as error:
        services.accept(None, token, username="second", password=PASSWORD)
    assert error.value.field == "link" and error.value.value == "used"
    page = Client().get(reverse("portal:accept", args=[token]))
    assert page.status_code == 410
    assert b"used already" in page.content


def test_an_expired_link_is_refused(
    patient_a: Any, nurse: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BENZODETOX_PORTAL_INVITE_HOURS", "2")
    token = invite(nurse, patient_a)
    with unscoped():
        invitation = Invitation.objects.get(token_hash=hash_token(token))
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        timedelta(hours=2), abs=timedelta(seconds=5)
    )
    later = invitation.expires_at + timedelta(seconds=1)
    assert services.invitation_state(invitation, now=later) == "expired"
    with unscoped():
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    page = Client().get(reverse("portal:accept", args=[token]))
    assert page.status_code == 410 and b"too old" in page.content


def test_the_default_is_48_hours(patient_a: Any, nurse: Any) -> None:
    invite(nurse, patient_a)
    with unscoped():
        invitation = Invitation.objects.get(patient=patient_a)
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        timedelta(hours=48), abs=timedelta(seconds=5)
    )


def test_a_new_invitation_cancels_the_older_link(patient_a: Any, nurse: Any) -> None:
    first = invite(nurse, patient_a)
    second = invite(nurse, patient_a)
    with pytest.raises(InputError) as error:
        services.accept(None, first, username="x-first", password=PASSWORD)
    assert error.value.value == "revoked"
    assert services.accept(None, second, username="x-second", password=PASSWORD).is_active


def test_a_weak_password_is_refused_naming_the_field(patient_a: Any, nurse: Any) -> None:
    token = invite(nurse, patient_a)
    response = Client().post(
        reverse("portal:accept", args=[token]),
        {"username": "weakling", "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    with unscoped():
        assert not PortalAccount.objects.filter(patient=patient_a).exists()


def test_a_nurse_of_another_programme_cannot_invite(patient_a: Any, other_clinician: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with scope_programmes({patient_a.programme_id}), pytest.raises(PermissionDenied):
        services.invite(staff_request(other_clinician), patient_a)


def test_a_counsellor_cannot_invite(patient_a: Any, counsellor: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with scope_programmes({patient_a.programme_id}), pytest.raises(PermissionDenied):
        services.invite(staff_request(counsellor), patient_a)


def test_revoking_ends_the_patients_session_at_the_next_request(
    account_a: Any, patient_client: Client, nurse: Any, patient_a: Any
) -> None:
    assert patient_client.get(reverse("portal:today")).status_code == 200
    with scope_programmes({patient_a.programme_id}):
        assert services.revoke_access(staff_request(nurse), patient_a)
    response = patient_client.get(reverse("portal:today"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:login")
    again = patient_client.get(reverse("portal:today"))
    assert again.status_code == 302 and again["Location"].startswith(reverse("portal:login"))


def test_a_revoked_link_is_refused(patient_a: Any, nurse: Any) -> None:
    token = invite(nurse, patient_a)
    with scope_programmes({patient_a.programme_id}):
        services.revoke_access(staff_request(nurse), patient_a)
    with pytest.raises(InputError) as error:
        services.accept(None, token, username="late", password=PASSWORD)
    assert error.value.value == "revoked"


def test_a_revoked_patient_cannot_sign_in_and_a_new_invitation_opens_it_again(
    account_a: Any, nurse: Any, patient_a: Any
) -> None:
    with scope_programmes({patient_a.programme_id}):
        services.revoke_access(staff_request(nurse), patient_a)
    client = Client()
    refused = client.post(
        reverse("portal:login"), {"username": "patient-a", "password": PASSWORD}
    )
    assert refused.status_code == 200 and b"has ended" in refused.content
    token = invite(nurse, patient_a)
    again = services.accept(None, token, username="patient-a", password=PASSWORD + "x")
    assert again.pk == account_a.pk and again.is_active
    signed_in = client.post(
        reverse("portal:login"), {"username": "patient-a", "password": PASSWORD + "x"}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("portal:today")


def test_the_patient_signs_in_on_the_portal_but_not_on_the_staff_sign_in(
    account_a: Any,
) -> None:
    login = {"username": "patient-a", "password": PASSWORD}
    staff = Client().post(reverse("accounts:login"), login)
    assert staff.status_code == 200
    assert b"for staff" in staff.content
    assert "_auth_user_id" not in staff.client.session
    portal = Client().post(reverse("portal:login"), {"username": "patient-a", "password": PASSWORD})
    assert portal.status_code == 302 and portal["Location"] == reverse("portal:today")


def test_staff_cannot_sign_in_to_the_portal(personas: dict[str, Any]) -> None:
    from django.contrib.auth import get_user_model

    nurse = get_user_model().objects.get(username="a-nurse")
    nurse.set_password(PASSWORD)
    nurse.save()
    response = Client().post(reverse("portal:login"), {"username": "a-nurse", "password": PASSWORD})
    assert response.status_code == 200
    assert b"for patients" in response.content


def test_staff_signed_in_get_403_on_portal_pages(client_for: Any, nurse: Any) -> None:
    client = client_for(nurse)
    assert client.get(reverse("portal:today")).status_code == 403
    assert client.get(reverse("portal:calendar")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_portal_sign_in(db: Any) -> None:
    response = Client().get(reverse("portal:today"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_the_portal_sign_in_is_throttled_like_staff(account_a: Any, settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 2
    client = Client()
    for _ in range(2):
        client.post(reverse("portal:login"), {"username": "patient-a", "password": "wrong!"})
    delayed = client.post(reverse("portal:login"), {"username": "patient-a", "password": PASSWORD})
    assert delayed.status_code == 429
    assert b"Too many failed sign-ins" in delayed.content


def test_invitation_acceptance_and_revocation_are_audited(
    account_a: Any, nurse: Any, patient_a: Any
) -> None:
    with scope_programmes({patient_a.programme_id}):
        services.revoke_access(staff_request(nurse), patient_a)
    with unscoped():
        actions = list(
            AuditEvent.objects.filter(patient=patient_a).values_list("action", "username")
        )
    assert ("portal.invited", "a-nurse") in actions
    assert ("portal.account_opened", "patient-a") in actions
    assert ("portal.revoked", "a-nurse") in actions
