"""Shared set-up for the check-in tests (portal side in tests/web/portal, team side here): a
patient tapering on an approved plan that covers today, with a portal account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from benzodetox.web.programmes.scoping import unscoped
from tests.web.monitoring.conftest import approved_version
from tests.web.portal.conftest import open_account

SEVERE_PART = [3] * 14 + [0] * 3  # 42 of 68: from the severe band's lower end (41)


def tapering(patient: Any, prescriber: Any, days_ago: int = 3) -> Any:
    """``patient`` tapering on an approved plan that started ``days_ago`` days ago."""
    with unscoped():
        patient.phase = "tapering"
        patient.save()
    return approved_version(patient, prescriber, timezone.localdate() - timedelta(days=days_ago))


def patient_client(nurse: Any, patient: Any, username: str) -> Client:
    account = open_account(nurse, patient, username)
    client = Client()
    client.force_login(account.user)
    return client


def answer_all(client: Client, checkin_id: int, values: dict[str, int], default: int = 0) -> Any:
    """Answer every question of the check-in through the pages (``values`` by question key);
    the last response (the redirect to the send screen)."""
    from benzodetox.web.checkins.models import Checkin

    with unscoped():
        keys = list(Checkin.objects.get(pk=checkin_id).questions)
    response = None
    for number, key in enumerate(keys, start=1):
        url = f"/portal/checkin/{checkin_id}/question/{number}/"
        response = client.post(url, {"answer": str(values.get(key, default))})
        assert response.status_code == 302, (key, response.status_code)
    return response


def ciwa_values(part: list[int]) -> dict[str, int]:
    return {f"ciwa-b:{n}": v for n, v in enumerate(part, start=1)}
