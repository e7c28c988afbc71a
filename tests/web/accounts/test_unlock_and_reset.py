"""An admin unlocks a delayed account and issues a one-time password-reset link, from the
member's account page (programme admin for their members, or superuser) or the command line;
every step is audited (issue 12, items 2 and 4)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from benzodetox.web.accounts.models import ResetLink, SignInThrottle
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.programmes.models import Membership
from benzodetox.web.programmes.scoping import unscoped

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new long passphrase"


def events(action: str) -> list[AuditEvent]:
    with unscoped():
        return list(AuditEvent.objects.filter(action=action).order_by("id"))


def delay(username: str = "clinician") -> None:
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": username, "password": "wrong"})


def page_of(user: Any) -> str:
    return reverse("accounts:member", args=[user.pk])


def link_in(page: str) -> str:
    match = re.search(r'id="reset-link">([^<]+)<', page)
    assert match, "no reset link on the page"
    return match.group(1)


def test_a_programme_admin_unlocks_a_member_and_it_is_audited(
    clinician, client_for, programme_admin, clock
):
    """The member page shows the delay; 'Unlock' clears it at once, as an audit event naming
    the admin and the member."""
    delay()
    admin = client_for(programme_admin)
    page = admin.get(page_of(clinician)).content.decode()
    assert "delayed until" in page
    admin.post(page_of(clinician), {"action": "unlock"})
    assert not SignInThrottle.objects.filter(kind="username").exists()
    (event,) = events("account.unlocked")
    assert event.username == programme_admin.get_username()
    assert event.detail["member"] == "clinician" and event.programme_id is not None
    response = Client().post("/accounts/login/", {"username": "clinician", "password": PASSWORD})
    assert response.status_code == 302


def test_another_programmes_prescriber_or_a_nurse_cannot_see_the_page(
    clinician, client_for, other_clinician, nurse
):
    """Not an admin of one of the member's programmes: 404, nothing unlocked."""
    delay()
    for outsider in (other_clinician, nurse):
        response = client_for(outsider).post(page_of(clinician), {"action": "unlock"})
        assert response.status_code == 404
    assert SignInThrottle.objects.filter(kind="username").exists()


def test_a_reset_link_works_once_sets_a_validated_password_and_is_audited(
    clinician, client_for, programme_admin, clock
):
    """The admin creates the link; the user sets a new password (validators apply) and signs in
    with it; the link then no longer works; creation and use are audited."""
    delay()
    page = client_for(programme_admin).post(page_of(clinician), {"action": "reset-link"})
    url = link_in(page.content.decode())
    path = url.split("://", 1)[1].split("/", 1)[1]
    visitor = Client()
    assert visitor.get("/" + path).status_code == 200
    weak = visitor.post("/" + path, {"new_password1": "short", "new_password2": "short"})
    assert "too short" in weak.content.decode()
    done = visitor.post("/" + path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:login")
    # a reset also clears the sign-in delay
    signed = Client().post("/accounts/login/", {"username": "clinician", "password": NEW_PASSWORD})
    assert signed.status_code == 302
    again = Client().post(
        "/" + path, {"new_password1": "another long passphrase", "new_password2": "x"}
    )
    assert again.status_code == 404
    (created,) = events("account.reset_link_created")
    (used,) = events("account.reset_link_used")
    assert created.username == programme_admin.get_username()
    assert used.username == "clinician" and used.detail["link"] == created.detail["link"]


def test_a_reset_link_expires(clinician, client_for, programme_admin, clock):
    """Past BENZODETOX_RESET_LINK_HOURS the link opens the 'does not work' page."""
    page = client_for(programme_admin).post(page_of(clinician), {"action": "reset-link"})
    path = "/" + link_in(page.content.decode()).split("://", 1)[1].split("/", 1)[1]
    clock.advance(seconds=settings.PASSWORD_RESET_TIMEOUT + 1)
    response = Client().get(path)
    assert response.status_code == 404 and "does not work" in response.content.decode()


def test_a_tampered_token_does_not_work(clinician, client_for, programme_admin, clock):
    """Changing one character of the token: 404."""
    page = client_for(programme_admin).post(page_of(clinician), {"action": "reset-link"})
    path = "/" + link_in(page.content.decode()).split("://", 1)[1].split("/", 1)[1]
    tampered = path[:-2] + ("a" if path[-2] != "a" else "b") + "/"
    assert Client().get(tampered).status_code == 404


def test_the_link_is_emailed_when_email_is_configured(
    clinician, client_for, programme_admin, clock, settings
):
    """With e-mail on and an address on the account, the link goes to it too."""
    settings.EMAIL_MODE = "console"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clinician.email = "clinician@example.org"
    clinician.save()
    page = client_for(programme_admin).post(page_of(clinician), {"action": "reset-link"})
    url = link_in(page.content.decode())
    (message,) = mail.outbox
    assert message.to == ["clinician@example.org"] and url in message.body
    assert "e-mailed to clinician@example.org" in events("account.reset_link_created")[0].summary


def test_a_programme_admin_cannot_reset_someone_with_more_reach(
    clinician, client_for, programme_admin, programme_b
):
    """A member who also belongs to a programme the admin does not run, or a superuser: no
    reset link from a programme admin (403); a superuser may."""
    Membership.objects.create(user=clinician, programme=programme_b, role="nurse")
    response = client_for(programme_admin).post(page_of(clinician), {"action": "reset-link"})
    assert response.status_code == 403
    assert not ResetLink.objects.exists()
    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    page = client_for(root).post(page_of(clinician), {"action": "reset-link"})
    assert "reset-link" in page.content.decode() and ResetLink.objects.count() == 1
