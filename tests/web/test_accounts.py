"""Sign-in with Argon2 hashes, growing delays after repeated failures, optional TOTP, session
expiry (the throttle in detail: tests/web/accounts/)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery staple"


@pytest.fixture
def user_with_password(make_user, programme_a):
    return make_user("signer", "nurse", programme_a, password=PASSWORD)


def test_passwords_are_stored_as_argon2_hashes(user_with_password):
    """The first hasher is Argon2, so a new password is an argon2 hash."""
    assert user_with_password.password.startswith("argon2")


def test_signing_in_opens_the_patient_list(client, user_with_password):
    """Right password → redirected to the patient list, and the sign-in is audited."""
    response = client.post(reverse("accounts:login"), {"username": "signer", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:list")


def test_a_wrong_password_keeps_the_username_and_says_so(client, user_with_password):
    """A failed sign-in shows the error and keeps what was typed in the username field."""
    response = client.post(reverse("accounts:login"), {"username": "signer", "password": "nope"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="signer"' in page
    assert "correct username and password" in page


def test_repeated_failures_delay_the_next_attempt(client, user_with_password):
    """After the failure limit even the right password waits, and the page says until when."""
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "signer", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "signer", "password": PASSWORD})
    assert response.status_code == 429
    assert "try again at" in response.content.decode()


def test_sessions_expire_after_inactivity():
    """The session cookie is renewed on every request and lasts the inactivity timeout."""
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_user_with_an_authenticator_must_enter_a_code(client, user_with_password):
    """With a confirmed TOTP device, the password alone leads to the code page and nothing
    else; a valid code opens the app."""
    device = TOTPDevice.objects.create(user=user_with_password, name="phone", confirmed=True)
    response = client.post(reverse("accounts:login"), {"username": "signer", "password": PASSWORD})
    assert response["Location"].startswith(reverse("accounts:verify"))
    blocked = client.get(reverse("patients:list"))
    assert blocked.status_code == 302 and blocked["Location"] == reverse("accounts:verify")
    wrong = client.post(reverse("accounts:verify"), {"token": "000000"})
    assert "not valid" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows guessing after a failure; not what is tested here
    ok = client.post(reverse("accounts:verify"), {"token": _code(device)})
    assert ok.status_code == 302
    assert client.get(reverse("patients:list")).status_code == 200


def test_a_user_can_turn_on_two_factor_sign_in(client_for, nurse):
    """The account page offers a key; the matching code confirms the device."""
    client = client_for(nurse)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "otp-key" in page
    device = TOTPDevice.objects.get(user=nurse)
    client.post(reverse("accounts:account"), {"action": "confirm", "token": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
