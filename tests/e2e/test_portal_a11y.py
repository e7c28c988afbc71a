"""Accessibility of every portal page at 360 px: axe-core (run in Chromium) finds no serious or
critical violation, nothing scrolls sideways, and every link and button is at least 44 px."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from benzodetox.core.careplan.relapse import RelapsePlan, SupportContact, Trigger
from benzodetox.web.careplans.models import RelapsePlanVersion
from benzodetox.web.careplans.relapse_plans import relapse_to_dict
from benzodetox.web.portal import services
from benzodetox.web.programmes.scoping import scope_programmes, unscoped
from benzodetox.web.programmes.services import add_member
from tests.web.conftest import make_patient
from tests.web.portal.conftest import PASSWORD, staff_request

from .test_portal_today import approved_plan_from_today

SMALL_TARGETS = """() => [...document.querySelectorAll(
  'main a, main button, nav a, header button, main input, main select'
)].filter(e => { const r = e.getBoundingClientRect();
  return r.width > 0 && (r.height < 44 || r.width < 44) && !e.closest('p') && e.type !== 'hidden'
}).map(e => e.outerHTML.slice(0, 80))"""


def _serious(page: Any) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


@pytest.mark.django_db(transaction=True)
def test_every_portal_page_passes_axe_at_360_px(
    live_server: Any, browser: Any, django_user_model: Any
) -> None:
    nurse = django_user_model.objects.create_user(username="nurse-a11y", password="x" * 12)
    membership = add_member(nurse, "A11y programme", "nurse")
    prescriber = django_user_model.objects.create_user(username="dr-a11y", password="y" * 12)
    add_member(prescriber, "A11y programme", "prescriber")
    patient = make_patient(
        membership.programme, "A11Y-1", [("diazepam", "10", "08:00"), ("diazepam", "5", "22:00")]
    )
    approved_plan_from_today(patient, prescriber)
    plan = RelapsePlan(
        goals=("Stay well",),
        triggers=(Trigger("Stress at work", "internal", ("Breathe slowly",)),),
        warning_signs=("Poor sleep",),
        contacts=(SupportContact("crisis_line", "Crisis team", "0100 000 000"),),
    )
    with unscoped():
        RelapsePlanVersion(
            patient=patient, number=1, reason="first", reviewed_on=patient.phase_since,
            content=relapse_to_dict(plan), created_by=nurse,
        ).save()
    with scope_programmes({patient.programme_id}):
        first = services.invite(staff_request(nurse), patient)
        second = services.invite(staff_request(nurse), patient)
    base = live_server.url
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    pages = {
        "link cancelled": first.link.replace("http://testserver", base),
        "welcome": second.link.replace("http://testserver", base),
    }
    problems: dict[str, Any] = {}
    for name, url in pages.items():
        page.goto(url)
        problems[name] = _check(page)
    page.get_by_label("Choose a sign-in name").fill("a11y-patient")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Save and open my plan").click()
    page.wait_for_url(f"{base}/portal/")
    for path in ("/portal/", "/portal/calendar/", "/portal/my-plan/", "/portal/reminders/"):
        page.goto(base + path)
        problems[path] = _check(page)
    page.get_by_role("button", name="Make my calendar address").click()
    problems["reminders with address"] = _check(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/portal/login/")
    problems["sign in"] = _check(page)
    page.get_by_role("button", name="Sign in").click()  # empty: errors shown
    problems["sign in with errors"] = _check(page)
    context.close()
    assert {k: v for k, v in problems.items() if any(v.values())} == {}


def _check(page: Any) -> dict[str, Any]:
    return {
        "axe": _serious(page),
        "sideways": page.evaluate("document.documentElement.scrollWidth") > 360,
        "small targets": page.evaluate(SMALL_TARGETS),
    }
