"""The demo seeds a patient login (DEMO-003, approved plan) printed beside the staff logins."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from benzodetox.web.demo import seed_demo
from benzodetox.web.portal.models import PortalAccount


def test_the_demo_has_a_patient_login_that_opens_today(
    db: Any, settings: Any, tmp_path: Any, everything: Any
) -> None:
    settings.DATA_DIR = tmp_path
    seeded, logins = seed_demo()
    assert seeded
    patient = [login for login in logins if login.role == "patient"]
    assert len(patient) == 1
    account = PortalAccount.objects.get(user__username=patient[0].username)
    assert account.patient.reference == "DEMO-003" and account.is_active
    client = Client()
    signed_in = client.post(
        reverse("portal:login"),
        {"username": patient[0].username, "password": patient[0].password},
    )
    assert signed_in.status_code == 302
    today = client.get(reverse("portal:today"))
    assert today.status_code == 200
    assert b"Your doses today" in today.content
    again, logins_again = seed_demo()
    assert not again and [x.role for x in logins_again].count("patient") == 1
