"""A programme setting requires two-factor sign-in for chosen roles: a member of such a role
without an authenticator is sent to set one up before anything else; one with an authenticator
enters its code at sign-in (issue 12, item 4)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.programmes.scoping import unscoped

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(username: str) -> tuple[Client, Any]:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    return client, response


@pytest.fixture
def doctor(make_user, programme_a):
    return make_user("doctor", "prescriber", programme_a, password=PASSWORD)


def require_for(programme: Any, *roles: str) -> None:
    programme.two_factor_roles = list(roles)
    programme.save()


def test_without_an_authenticator_a_required_member_must_set_one_up_first(doctor, programme_a):
    """Every page leads to the account page until a device is confirmed; then the app opens."""
    require_for(programme_a, "prescriber")
    client, response = sign_in("doctor")
    assert response.status_code == 302
    for page in (reverse("patients:list"), reverse("monitoring:dashboard")):
        blocked = client.get(page)
        assert blocked.status_code == 302 and blocked["Location"] == reverse("accounts:account")
    assert client.get(reverse("patients:list"), HTTP_HX_REQUEST="true").status_code == 401
    account = client.get(reverse("accounts:account")).content.decode()
    assert 'id="two-factor-required"' in account
    device = TOTPDevice.objects.get(user=doctor)
    client.post(reverse("accounts:account"), {"action": "confirm", "token": code(device)})
    assert client.get(reverse("patients:list")).status_code == 200


def test_with_an_authenticator_a_required_member_enters_the_code_at_sign_in(doctor, programme_a):
    """Sign-in leads to the code page and nothing else opens before a valid code."""
    require_for(programme_a, "prescriber")
    device = TOTPDevice.objects.create(user=doctor, name="phone", confirmed=True)
    client, response = sign_in("doctor")
    assert response["Location"].startswith(reverse("accounts:verify"))
    blocked = client.get(reverse("patients:list"))
    assert blocked["Location"] == reverse("accounts:verify")
    client.post(reverse("accounts:verify"), {"token": code(device)})
    assert client.get(reverse("patients:list")).status_code == 200


def test_a_required_member_cannot_turn_two_factor_off(doctor, programme_a):
    """The account page offers no 'Turn off', and a forged post leaves the device in place."""
    require_for(programme_a, "prescriber")
    device = TOTPDevice.objects.create(user=doctor, name="phone", confirmed=True)
    client, _ = sign_in("doctor")
    client.post(reverse("accounts:verify"), {"token": code(device)})
    page = client.get(reverse("accounts:account")).content.decode()
    assert 'value="disable"' not in page
    device.throttle_reset()
    client.post(reverse("accounts:account"), {"action": "disable", "token": code(device)})
    assert TOTPDevice.objects.filter(user=doctor, confirmed=True).exists()


def test_roles_not_chosen_stay_optional(make_user, programme_a):
    """A nurse where only prescribers must use two-factor signs in with the password alone."""
    require_for(programme_a, "prescriber")
    make_user("nurse-x", "nurse", programme_a, password=PASSWORD)
    client, _ = sign_in("nurse-x")
    assert client.get(reverse("patients:list")).status_code == 200


def test_the_production_profile_requires_prescribers_and_admins_by_default(
    doctor, make_user, programme_a, settings
):
    """With the deployment default (production: prescriber, admin) and no programme choice,
    a prescriber is sent to set up; the demo default (none) is not."""
    settings.TWO_FACTOR_DEFAULT_ROLES = ("prescriber", "admin")
    assert programme_a.two_factor_roles is None
    client, _ = sign_in("doctor")
    assert client.get(reverse("patients:list"))["Location"] == reverse("accounts:account")
    settings.TWO_FACTOR_DEFAULT_ROLES = ()
    client, _ = sign_in("doctor")
    assert client.get(reverse("patients:list")).status_code == 200


def test_the_setting_follows_the_https_profile(monkeypatch):
    """conf/accounts.py: BENZODETOX_HTTPS=1 → prescriber and admin; unset → none."""
    import importlib

    import benzodetox.web.conf.accounts as conf

    monkeypatch.setenv("BENZODETOX_HTTPS", "1")
    monkeypatch.delenv("BENZODETOX_TWO_FACTOR_ROLES", raising=False)
    assert importlib.reload(conf).TWO_FACTOR_DEFAULT_ROLES == ("prescriber", "admin")
    monkeypatch.delenv("BENZODETOX_HTTPS")
    assert importlib.reload(conf).TWO_FACTOR_DEFAULT_ROLES == ()


def test_a_programme_admin_chooses_the_roles_on_the_settings_page(
    client_for, programme_admin, programme_a, prescriber
):
    """The admin ticks roles; the choice is saved and audited with before → after."""
    client = client_for(programme_admin)
    assert client.get(reverse("programmes:two_factor")).status_code == 200
    client.post(
        reverse("programmes:two_factor"),
        {"programme": programme_a.pk, "roles": ["prescriber", "nurse"]},
    )
    programme_a.refresh_from_db()
    assert programme_a.two_factor_roles == ["nurse", "prescriber"]
    with unscoped():
        event = AuditEvent.objects.get(action="programme.two_factor_saved")
    assert event.detail["after"] == ["nurse", "prescriber"] and event.detail["before"] == []
    assert "→" in event.summary


def test_only_programme_admins_reach_the_settings_page(client_for, prescriber, other_clinician):
    """A prescriber: 403; a programme id that is not yours: 404."""
    assert client_for(prescriber).get(reverse("programmes:two_factor")).status_code == 403
    response = client_for(other_clinician).get(reverse("programmes:two_factor") + "?programme=999")
    assert response.status_code == 404


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "https://evil.example/"])
def test_after_the_code_next_never_leads_off_the_site(doctor, target):
    """The code page's ?next= is followed only to a path of this site."""
    device = TOTPDevice.objects.create(user=doctor, name="phone", confirmed=True)
    client, _ = sign_in("doctor")
    response = client.post(reverse("accounts:verify") + "?next=" + target, {"token": code(device)})
    assert response.status_code == 302 and response["Location"] == reverse("patients:list")


def test_after_the_code_next_keeps_a_path_of_the_site(doctor):
    """A path with a query (quoted through the sign-in) is where the user lands."""
    device = TOTPDevice.objects.create(user=doctor, name="phone", confirmed=True)
    client = Client()
    response = client.post(
        reverse("accounts:login") + "?next=/patients/%3Fq%3Da%26page%3D2",
        {"username": "doctor", "password": PASSWORD, "next": "/patients/?q=a&page=2"},
    )
    assert (
        response["Location"]
        == reverse("accounts:verify") + "?next=%2Fpatients%2F%3Fq%3Da%26page%3D2"
    )
    done = client.post(response["Location"], {"token": code(device)})
    assert done["Location"] == "/patients/?q=a&page=2"
