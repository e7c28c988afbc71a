"""This week's step changes on the dashboard follow a plan version as soon as a prescriber
approves it on the plan page (no wait for the next overdue scan)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from benzodetox.web.monitoring import overdue
from benzodetox.web.monitoring.models import MonitoringState, ScheduledChange


def _saved_version(patient, prescriber, start):
    """The next version, starting on ``start``, saved through the plans service (not approved)."""
    from benzodetox.core.plan import PlanRequest
    from benzodetox.core.tapering import build_plan
    from benzodetox.web.demo import system_request
    from benzodetox.web.patients.services import regimen_of
    from benzodetox.web.plans.services import save_plan_version

    plan = build_plan(
        PlanRequest(regimen=regimen_of(patient), source="ashton-2002", start=start)  # type: ignore[arg-type]
    )
    return save_plan_version(
        system_request(prescriber), patient, plan, {"start": start.isoformat()}, "restart today"
    )


def _confirmed(prescriber: Any, **extra: str) -> dict[str, str]:
    """An approval confirmed with the prescriber's password typed again (plans' ApproveForm)."""
    prescriber.set_password("pass phrase 1")
    prescriber.save()
    return {"confirm": "on", "password": "pass phrase 1", **extra}


def test_approving_a_version_on_the_plan_page_refreshes_the_scheduled_changes_at_once(
    client_for, prescriber, tapering_a, everything, django_capture_on_commit_callbacks
):
    """The scan kept v1's changes; v2 (starting today) approved on the plan page replaces them
    on commit — the dashboard shows v2's first reduction today without another scan."""
    overdue.scan()
    today = timezone.localdate()
    v2 = _saved_version(tapering_a, prescriber, today)
    assert not ScheduledChange.objects.filter(plan_version=v2).exists()
    with django_capture_on_commit_callbacks(execute=True):
        data = _confirmed(prescriber, note="ok")  # before signing in: it changes the password
        response = client_for(prescriber).post(
            reverse("plans:approve", args=[tapering_a.pk, v2.number]), data
        )
    assert response.status_code == 302
    assert MonitoringState.objects.get(patient=tapering_a).plan_version == v2
    first = ScheduledChange.objects.filter(patient=tapering_a).order_by("on").first()
    assert first.plan_version == v2 and first.on == today


def test_a_first_approval_puts_the_patients_changes_on_the_dashboard_at_once(
    client_for, prescriber, nurse, tapering_a, everything, django_capture_on_commit_callbacks
):
    """A tapering patient never scanned: approving a version starting today creates the
    monitoring state, and the dashboard's week lists today's reduction."""
    MonitoringState.objects.filter(patient=tapering_a).delete()
    today = timezone.localdate()
    v2 = _saved_version(tapering_a, prescriber, today)
    with django_capture_on_commit_callbacks(execute=True):
        data = _confirmed(prescriber)
        client_for(prescriber).post(reverse("plans:approve", args=[tapering_a.pk, v2.number]), data)
    response = client_for(nurse).get(reverse("monitoring:dashboard"))
    week = response.context["week"]
    assert [(c.plan_version_id, c.on) for c in week][:1] == [(v2.pk, today)]
