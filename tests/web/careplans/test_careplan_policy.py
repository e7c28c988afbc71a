"""The programme's aftercare policy: shown beside the core's cited defaults, changed by
programme admins and prescribers (audited), never below 90 days (NIDA 2018), and used when a
patient's aftercare is generated."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.careplans.models import AftercarePlan, AftercarePolicySettings
from benzodetox.web.plans.services import plan_of

ALL = ["admin", "counsellor", "nurse", "prescriber", "read-only"]
EDITORS = {"admin", "prescriber"}

POLICY = {
    "days": "180",
    "early_contact_every": "7",
    "early_until_day": "30",
    "late_contact_every": "21",
    "review_every": "42",
    "instruments": ["bwsq", "phq9"],
}


def _url(programme):
    return reverse("careplans:aftercare_policy") + f"?programme={programme.pk}"


def test_the_policy_page_shows_the_cores_defaults_with_their_sources(
    client_for, nurse, programme_a, everything
):
    """With nothing set: 365 days (camh-portico-toolkit), the 90-day minimum (nida-2018),
    contacts and reviews as unconfirmed programme practice; the page read is audited."""
    response = client_for(nurse).get(_url(programme_a))
    page = response.content.decode()
    assert response.status_code == 200
    assert "365 days" in page and "nida-2018" in page and "camh-portico-toolkit" in page
    assert "benzodetox-aftercare-practice [R]" in page and "unconfirmed" in page
    assert "programme setting" not in page
    assert 'id="policy-form"' not in page  # nurses read it, do not change it
    assert AuditEvent.objects.filter(action="careplan.aftercare_policy_viewed").count() == 1


def test_a_prescriber_sets_the_programmes_policy_and_the_change_is_audited(
    client_for, prescriber, programme_a, everything
):
    """Every value is stored, shown as a programme setting beside the default, and the audit
    event lists each change."""
    client = client_for(prescriber)
    response = client.post(_url(programme_a), {**POLICY, "programme": programme_a.pk})
    assert response.status_code == 302
    row = AftercarePolicySettings.objects.get(programme=programme_a)
    assert (row.days, row.early_contact_every, row.early_until_day) == (180, 7, 30)
    assert (row.late_contact_every, row.review_every) == (21, 42)
    assert row.instruments == ["bwsq", "phq9"] and row.updated_by == prescriber
    event = AuditEvent.objects.get(action="careplan.aftercare_policy_changed")
    assert "days: None → 180" in event.summary and event.programme_id == programme_a.pk
    page = client.get(_url(programme_a)).content.decode()
    assert "180 days" in page and "programme setting, unconfirmed" in page
    assert "every 7 days from day 1 to day 30" in page
    assert "every 21 days from day 31 to the end" in page
    assert row.history.count() == 1


def test_a_policy_shorter_than_90_days_is_refused_on_its_field_keeping_the_input(
    client_for, programme_admin, programme_a, everything
):
    """NIDA's minimum is enforced by the core: 60 days is an error beside the length, with
    the 60 and the other values still in the form; nothing is stored or audited."""
    data = {**POLICY, "days": "60", "programme": programme_a.pk}
    response = client_for(programme_admin).post(_url(programme_a), data)
    assert response.status_code == 200
    errors = response.context["form"].errors["days"]
    assert "at least 90 days" in errors[0]
    assert 'value="60"' in response.content.decode()
    assert 'value="42"' in response.content.decode()
    assert not AftercarePolicySettings.objects.exists()
    assert not AuditEvent.objects.filter(action="careplan.aftercare_policy_changed").exists()


def test_the_database_refuses_a_stored_length_under_90_days(programme_a, everything):
    """The minimum holds even for a write that bypasses the form (a check constraint)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        AftercarePolicySettings.objects.create(programme=programme_a, days=89)


def test_a_first_phase_reaching_the_end_of_aftercare_is_refused_on_its_field(
    client_for, prescriber, programme_a, everything
):
    """The first contact phase must end before aftercare does."""
    data = {**POLICY, "early_until_day": "200", "programme": programme_a.pk}
    response = client_for(prescriber).post(_url(programme_a), data)
    assert response.status_code == 200
    assert "early_until_day" in response.context["form"].errors
    assert not AftercarePolicySettings.objects.exists()


def test_generated_aftercare_follows_the_programmes_policy(
    client_for, prescriber, nurse, approved_a, patient_a, programme_a, everything
):
    """Aftercare generated after the policy is set lasts 180 days with weekly contacts to day
    30, then every 21 days, reviews every 42 days with BWSQ and PHQ-9 only; the policy used is
    kept on the aftercare as programme figures, unconfirmed."""
    client_for(prescriber).post(_url(programme_a), {**POLICY, "programme": programme_a.pk})
    nurse_client = client_for(nurse)
    page = nurse_client.get(reverse("careplans:aftercare", args=[patient_a.pk]))
    assert 'value="180"' in page.content.decode()  # the generate form offers the policy's length
    url = reverse("careplans:aftercare_generate", args=[patient_a.pk])
    assert nurse_client.post(url, {"generate-days": "180"}).status_code == 302
    care = AftercarePlan.objects.get(patient=patient_a)
    last = plan_of(approved_a).last_dose_date
    assert care.end == last + timedelta(days=180)
    contacts = [(i.on - last).days for i in care.items.filter(kind="contact")]
    assert contacts[:6] == [1, 8, 15, 22, 29, 31]
    assert contacts[6:8] == [52, 73]
    reviews = [(i.on - last).days for i in care.items.filter(kind="review")]
    assert reviews == [42, 84, 126, 168, 180]
    final = care.items.get(kind="review", on=care.end)
    assert final.instruments == [
        "BWSQ (Benzodiazepine Withdrawal Symptom Questionnaire)",
        "PHQ-9",
    ]
    assert care.policy["days"] == {
        "value": 180,
        "source": "programme policy",
        "label": "programme",
        "confirmed": False,
    }
    assert care.policy["contact_phases"][0]["every"]["value"] == 7


def test_a_later_policy_change_leaves_generated_aftercare_as_it_was(
    client_for, prescriber, careplan_a, patient_a, programme_a, everything
):
    """Aftercare already generated keeps its items; its page says the policy changed."""
    before = list(careplan_a["care"].items.values_list("on", flat=True))
    client_for(prescriber).post(_url(programme_a), {**POLICY, "programme": programme_a.pk})
    assert list(careplan_a["care"].items.values_list("on", flat=True)) == before
    page = client_for(prescriber).get(reverse("careplans:aftercare", args=[patient_a.pk]))
    assert b'id="policy-changed"' in page.content


@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize("method", ["get", "post"])
def test_each_role_reaches_the_policy_page_as_its_role_allows(
    role, method, personas, client_for, programme_a, everything
):
    """Every member reads the policy; only admins and prescribers change it (else 403)."""
    client = client_for(personas[role])
    if method == "get":
        assert client.get(_url(programme_a)).status_code == 200
        return
    response = client.post(_url(programme_a), {**POLICY, "programme": programme_a.pk})
    assert response.status_code == (302 if role in EDITORS else 403)
    assert AftercarePolicySettings.objects.exists() == (role in EDITORS)


@pytest.mark.parametrize("role", [*ALL, "other"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_programmes_policy_is_not_found_by_any_role(
    role, method, personas, client_for, programme_a, programme_b, everything
):
    """Asking for (or posting to) another programme's policy by id answers 404 and stores
    nothing."""
    other = programme_a if role == "other" else programme_b
    client = client_for(personas[role])
    if method == "get":
        response = client.get(_url(other))
    else:
        response = client.post(_url(other), {**POLICY, "programme": other.pk})
    assert response.status_code == 404
    assert not AftercarePolicySettings.objects.exists()
