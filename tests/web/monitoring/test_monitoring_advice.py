"""The core's advice beside the plan, and applying it as a new plan version (with the audit
log and the plan history), prescriber approval where needed, never twice."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from benzodetox.interop.plan_json import plan_from_dict
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.monitoring.models import AdviceRecord
from benzodetox.web.plans.models import PlanApproval, PlanVersion

from .conftest import SEVERE, record

PASSWORD = "advice pass phrase"


def _with_password(user: Any) -> dict[str, str]:
    """Approving with the advice re-authenticates like the plan page: the prescriber's password
    (set before signing in: setting it ends other sessions)."""
    user.set_password(PASSWORD)
    user.save()
    return {"approve": "on", "password": PASSWORD}


def _form(page: str) -> dict[str, str]:
    latest = re.search(r'name="latest" value="(\d+)"', page)
    advice = re.search(r'name="advice" value="([^"]+)"', page)
    assert latest and advice, "no apply form on the page"
    return {"latest": latest.group(1), "advice": advice.group(1)}


def test_the_page_shows_the_advice_with_its_reasons_and_sources_beside_the_plan(
    client_for, nurse, tapering_a
):
    """A severe CIWA-B within the week after the first reduction: hold for 14 days, with
    each reason's source and whether it is confirmed."""
    record(nurse, tapering_a, answers=tuple(SEVERE))
    page = client_for(nurse).get(reverse("monitoring:patient", args=[tapering_a.pk]))
    text = page.content.decode()
    assert "Plan in force" in text and "Version 1" in text
    assert "<strong>Hold</strong>" in text and "for 14 days" in text
    assert "jcpg-2025" in text and "benzodetox-advice-policy" in text
    assert "unconfirmed" in text and "confirmed" in text
    assert 'id="apply-advice"' in text


def test_every_assessment_leaves_the_advice_it_led_to_in_the_history(nurse, tapering_a, everything):
    """Recording stores the advice as given, linked to the entry and the plan version."""
    row = record(nurse, tapering_a, answers=tuple(SEVERE))
    advice = AdviceRecord.objects.get()
    assert (advice.action, advice.assessment, advice.plan_version.number) == ("hold", row, 1)
    assert advice.advice["reasons"][0]["source"] == "jcpg-2025"


def test_a_prescriber_applies_the_hold_as_an_approved_version_recorded_in_the_audit_log(
    client_for, prescriber, nurse, tapering_a, everything
):
    """One action: version 2 holds the dose for 14 days, is based on version 1, is approved,
    and the audit log and the plan history name the advice."""
    record(nurse, tapering_a, answers=tuple(SEVERE))
    approving = _with_password(prescriber)
    client = client_for(prescriber)
    page = client.get(reverse("monitoring:patient", args=[tapering_a.pk])).content.decode()
    assert 'name="password"' in page
    url = reverse("monitoring:apply", args=[tapering_a.pk])
    response = client.post(url, _form(page) | approving)
    assert response.status_code == 302 and response["Location"].endswith("/plans/2/")
    v2 = PlanVersion.objects.get(patient=tapering_a, number=2)
    assert v2.based_on.number == 1 and "hold" in v2.reason
    assert PlanApproval.objects.filter(plan_version=v2).exists()
    plan = plan_from_dict(v2.plan)
    assert any(
        s.kind == "hold" or any("hold for 14 days" in n for n in s.notes) for s in plan.steps
    )
    assert plan.end > PlanVersion.objects.get(patient=tapering_a, number=1).end
    actions = set(AuditEvent.objects.filter(patient=tapering_a).values_list("action", flat=True))
    assert {"advice.applied", "plan.version_saved", "plan.approved"} <= actions
    assert AdviceRecord.objects.get(applied_version=v2).by == prescriber
    detail = client.get(response["Location"]).content.decode()
    assert "hold for 14 days" in detail


def test_a_nurse_applies_the_advice_as_a_version_awaiting_a_prescriber(
    client_for, nurse, tapering_a, everything
):
    """Without the approve right the new version is a draft; the page then points to it and
    offers no second application."""
    record(nurse, tapering_a, answers=tuple(SEVERE))
    client = client_for(nurse)
    page = client.get(reverse("monitoring:patient", args=[tapering_a.pk])).content.decode()
    assert "await a prescriber" in page
    client.post(reverse("monitoring:apply", args=[tapering_a.pk]), _form(page) | {"approve": "on"})
    v2 = PlanVersion.objects.filter(patient=tapering_a, number=2).first()
    assert v2 is None  # a nurse asking to approve is refused outright (403)
    client.post(reverse("monitoring:apply", args=[tapering_a.pk]), _form(page))
    v2 = PlanVersion.objects.get(patient=tapering_a, number=2)
    assert not PlanApproval.objects.filter(plan_version=v2).exists()
    after = client.get(reverse("monitoring:patient", args=[tapering_a.pk])).content.decode()
    assert "awaits a prescriber" in after and 'id="apply-advice"' not in after


def test_the_same_advice_is_never_applied_twice(
    client_for, prescriber, nurse, tapering_a, everything
):
    """A second post of the same form (double click, second tab) is refused: the plan has
    a newer version since."""
    record(nurse, tapering_a, answers=tuple(SEVERE))
    approving = _with_password(prescriber)
    client = client_for(prescriber)
    page = client.get(reverse("monitoring:patient", args=[tapering_a.pk])).content.decode()
    form = _form(page) | approving
    client.post(reverse("monitoring:apply", args=[tapering_a.pk]), form)
    again = client.post(reverse("monitoring:apply", args=[tapering_a.pk]), form, follow=True)
    assert "Not applied" in again.content.decode()
    assert PlanVersion.objects.filter(patient=tapering_a).count() == 2


def test_advice_that_changed_since_the_page_was_shown_is_not_applied(
    client_for, prescriber, nurse, tapering_a, everything
):
    """The form carries the advice it showed; if new entries changed it, nothing is made."""
    record(nurse, tapering_a, answers=tuple(SEVERE))
    client = client_for(prescriber)
    page = client.get(reverse("monitoring:patient", args=[tapering_a.pk])).content.decode()
    record(nurse, tapering_a, kind="event", event="seizure", notes="brief seizure")
    response = client.post(
        reverse("monitoring:apply", args=[tapering_a.pk]), _form(page), follow=True
    )
    assert "it changed" in response.content.decode()
    assert PlanVersion.objects.filter(patient=tapering_a).count() == 1


def test_proceed_advice_offers_nothing_to_apply(client_for, prescriber, nurse, tapering_a):
    """With mild symptoms the advice is to proceed, and there is no apply button."""
    record(nurse, tapering_a)
    page = client_for(prescriber).get(reverse("monitoring:patient", args=[tapering_a.pk]))
    text = page.content.decode()
    assert "<strong>Proceed</strong>" in text and 'id="apply-advice"' not in text


def test_the_trend_page_draws_scores_over_the_dose_steps(client_for, nurse, tapering_a):
    """The withdrawal chart is an SVG with the CIWA-B points, the band names and the dose."""
    record(nurse, tapering_a, answers=tuple(SEVERE))
    record(nurse, tapering_a, kind="vitals", vitals={"pulse": 96, "sbp": 130, "dbp": 85})
    record(nurse, tapering_a, kind="phq-9", answers=(1,) * 8 + (0,))
    text = client_for(nurse).get(reverse("monitoring:patient", args=[tapering_a.pk])).content
    page = text.decode()
    assert page.count("<svg") >= 4
    assert "CIWA-B 44 (severe)" in page and "very severe 61–80" in page
    assert "diazepam-eq mg/day" in page and "Blood pressure" in page and "PHQ-9" in page
    assert "&gt; 110" in page  # the pulse threshold line


def test_approving_with_the_advice_asks_for_the_password_and_a_wrong_one_applies_nothing(
    client_for, prescriber, nurse, tapering_a, everything
):
    """Apply-and-approve is an approval: without the prescriber's password, or with a wrong
    one, no version is made, the refusal names the password and the failure is audited."""
    record(nurse, tapering_a, answers=tuple(SEVERE))
    _with_password(prescriber)
    client = client_for(prescriber)
    page = client.get(reverse("monitoring:patient", args=[tapering_a.pk])).content.decode()
    url = reverse("monitoring:apply", args=[tapering_a.pk])
    for typed in ("", "not my password"):
        data = _form(page) | {"approve": "on", "password": typed}
        text = client.post(url, data, follow=True).content.decode()
        assert "Not applied" in text and "password" in text
    assert not PlanVersion.objects.filter(patient=tapering_a, number=2).exists()
    assert AuditEvent.objects.filter(action="plan.reauth_failed").count() == 2
