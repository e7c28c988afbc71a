"""The private calendar feed (alarms, revocation, hashed token) and "my plan" (the relapse-
prevention plan, the patient's additions as new versions, crisis numbers never invented)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from benzodetox.core.careplan.relapse import RelapsePlan, SupportContact, Trigger
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.careplans.models import RelapsePlanVersion
from benzodetox.web.careplans.relapse_plans import relapse_to_dict
from benzodetox.web.portal.models import FeedToken, hash_token
from benzodetox.web.programmes.scoping import scope_programmes, unscoped

from .conftest import staff_request

pytestmark = pytest.mark.django_db


def _feed_link(client: Client) -> str:
    page = client.post(reverse("portal:reminders"), {"action": "new"})
    assert page.status_code == 200
    found = re.search(r'href="(http://testserver/portal/feed/[^"]+\.ics)"', page.content.decode())
    assert found is not None
    return found.group(1).replace("http://testserver", "")


def test_the_feed_has_every_dose_change_with_an_alarm(
    approved_a: Any, patient_client: Client
) -> None:
    path = _feed_link(patient_client)
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = [c for c in calendar.walk("VEVENT")]
    assert events
    for event in events:
        alarms = event.walk("VALARM")
        assert len(alarms) == 1
        assert alarms[0]["TRIGGER"].to_ical() == b"-PT12H"


def test_the_token_is_stored_hashed_and_a_new_address_revokes_the_old(
    approved_a: Any, patient_client: Client, patient_a: Any
) -> None:
    first = _feed_link(patient_client)
    token = first.rsplit("/", 1)[1].removesuffix(".ics")
    with unscoped():
        assert FeedToken.objects.filter(token_hash=hash_token(token)).exists()
        assert not FeedToken.objects.filter(token_hash=token).exists()
    second = _feed_link(patient_client)
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    patient_client.post(reverse("portal:reminders"), {"action": "stop"})
    assert Client().get(second).status_code == 404


def test_revoking_portal_access_closes_the_feed(
    approved_a: Any, patient_client: Client, patient_a: Any, nurse: Any
) -> None:
    from benzodetox.web.portal import services

    path = _feed_link(patient_client)
    with scope_programmes({patient_a.programme_id}):
        services.revoke_access(staff_request(nurse), patient_a)
    assert Client().get(path).status_code == 404


def test_an_unknown_feed_address_is_404(db: Any) -> None:
    assert Client().get("/portal/feed/not-a-token.ics").status_code == 404


def test_reading_the_feed_is_audited(
    approved_a: Any, patient_client: Client, patient_a: Any
) -> None:
    Client().get(_feed_link(patient_client))
    with unscoped():
        assert AuditEvent.objects.filter(patient=patient_a, action="portal.feed_read").exists()
        assert AuditEvent.objects.filter(patient=patient_a, action="portal.feed_created").exists()


def _relapse_plan(patient: Any, user: Any, contacts: tuple[SupportContact, ...] = ()) -> None:
    plan = RelapsePlan(
        goals=("Stay off benzodiazepines",),
        triggers=(Trigger("Arguments at home", "external", ("Leave the room",)),),
        warning_signs=("Skipping meals",),
        contacts=contacts,
    )
    with unscoped():
        RelapsePlanVersion(
            patient=patient, number=1, reason="first version", reviewed_on=date(2026, 1, 5),
            content=relapse_to_dict(plan), created_by=user,
        ).save()


def test_my_plan_shows_the_plan_and_says_ask_your_team_without_crisis_numbers(
    patient_client: Client, patient_a: Any, counsellor: Any
) -> None:
    _relapse_plan(patient_a, counsellor)
    page = patient_client.get(reverse("portal:my_plan"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Arguments at home" in text and "Leave the room" in text and "Skipping meals" in text
    assert "Ask your care team for the crisis numbers" in text
    assert "tel:" not in text


def test_crisis_numbers_come_from_the_plan(
    patient_client: Client, patient_a: Any, counsellor: Any
) -> None:
    line = SupportContact("crisis_line", "Local crisis team", "0100 000 111")
    _relapse_plan(patient_a, counsellor, (line,))
    page = patient_client.get(reverse("portal:my_plan"))
    assert b'href="tel:0100 000 111"' in page.content
    assert b"Ask your care team for the crisis numbers" not in page.content


def test_the_patients_additions_are_a_new_version_authored_by_the_patient(
    patient_client: Client, patient_a: Any, counsellor: Any, account_a: Any
) -> None:
    _relapse_plan(patient_a, counsellor)
    response = patient_client.post(
        reverse("portal:my_plan"),
        {"trigger": "0", "coping": "Walk the dog", "support_name": "Sam",
         "support_role": "peer", "support_phone": "0100 222"},
    )
    assert response.status_code == 302
    with unscoped():
        versions = list(RelapsePlanVersion.objects.filter(patient=patient_a).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].content["triggers"][0]["coping"] == ["Leave the room"]  # kept as it was
    latest = versions[1]
    assert latest.created_by_id == account_a.user_id
    assert latest.reason.startswith("Added by the patient")
    assert latest.content["triggers"][0]["coping"] == ["Leave the room", "Walk the dog"]
    assert {"role": "peer", "name": "Sam", "phone": "0100 222", "note": "added by me"} in (
        latest.content["contacts"]
    )


def test_an_addition_without_a_trigger_names_the_field(
    patient_client: Client, patient_a: Any, counsellor: Any
) -> None:
    _relapse_plan(patient_a, counsellor)
    response = patient_client.post(reverse("portal:my_plan"), {"coping": "Breathe"})
    assert response.status_code == 200
    assert response.context["form"].errors["trigger"]
    with unscoped():
        assert RelapsePlanVersion.objects.filter(patient=patient_a).count() == 1


def test_the_patient_page_offers_the_invitation_and_shows_a_qr_code(
    client_for: Any, nurse: Any, read_only: Any, patient_a: Any
) -> None:
    detail = client_for(nurse).get(reverse("patients:detail", args=[patient_a.pk]))
    assert b"Invite to the portal" in detail.content
    assert b"Invite to the portal" not in client_for(read_only).get(
        reverse("patients:detail", args=[patient_a.pk])
    ).content
    page = client_for(nurse).post(reverse("portal:staff_invite", args=[patient_a.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "/portal/welcome/" in text
    assert '<div class="portal-qr"><svg' in text
    assert "<title>QR code of the invitation link</title>" in text
    assert "style=" not in text and "<script>" not in text
    assert client_for(read_only).post(
        reverse("portal:staff_invite", args=[patient_a.pk])
    ).status_code == 403


def test_staff_of_another_programme_cannot_invite_or_revoke(
    client_for: Any, other_clinician: Any, patient_a: Any
) -> None:
    client = client_for(other_clinician)
    assert client.post(reverse("portal:staff_invite", args=[patient_a.pk])).status_code == 404
    assert client.post(reverse("portal:staff_revoke", args=[patient_a.pk])).status_code == 404


def test_the_feed_says_what_to_take_without_the_planners_notes(
    approved_a: Any, patient_client: Client
) -> None:
    from benzodetox.web.portal.today import plan_of

    with unscoped():
        plan = plan_of(approved_a)
    clinician_words = {text for step in plan.steps for text in (*step.notes, *step.warnings)}
    assert clinician_words  # the plan has notes for the prescriber (ranges, holds)
    calendar = Calendar.from_ical(Client().get(_feed_link(patient_client)).content)
    descriptions = [str(e.get("DESCRIPTION", "")) for e in calendar.walk("VEVENT")]
    assert any("Every day from" in d for d in descriptions)
    assert not any(words in d for words in clinician_words for d in descriptions)
    assert not any("Equivalence table" in d for d in descriptions)
