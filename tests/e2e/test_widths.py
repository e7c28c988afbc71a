"""On a phone (390 × 844), a tablet (768 × 1024) and a laptop (1366 × 768): the demo's pages never
scroll sideways, and the doses and the actions a clinician came for (Acknowledge, Approve, Save,
the downloads) are on screen, not beyond its right edge. One case a page, each at the three sizes,
signed in as the demo role who uses it; screenshots in artifacts/e2e/widths-*.png."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect

from benzodetox.web.demo import DEMO_PROGRAMME, seed_demo
from benzodetox.web.monitoring.models import Alert, Assessment
from benzodetox.web.patients.models import Patient
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.programmes.scoping import unscoped

from .conftest import sign_in

SIZES = [(390, 844), (768, 1024), (1366, 768)]


@dataclass(frozen=True)
class Screen:
    """A page of the demo, who opens it, and what must be on screen there."""

    name: str
    role: str
    path: Callable[[dict[str, int]], str]
    must_see: tuple[str, ...]


def _ids() -> dict[str, int]:
    """Primary keys of the demo rows the pages need, by a readable name."""
    with unscoped():
        ids = {p.reference: p.pk for p in Patient.objects.all()}
        ids["entry"] = Assessment.objects.filter(patient_id=ids["DEMO-004"]).latest("pk").pk
        ids["draft"] = (
            PlanVersion.objects.filter(patient_id=ids["DEMO-006"], approval__isnull=True)
            .latest("number")
            .number
        )
        open_alerts = Alert.objects.filter(patient_id=ids["DEMO-004"], acknowledged_at__isnull=True)
        assert open_alerts.exists(), "the demo's DEMO-004 has an open alert to acknowledge"
    return ids


SCREENS = [
    Screen(
        "patient-list",
        "nurse",
        lambda i: "/patients/",
        ("#patient-list td.num", "#patient-list td a"),
    ),
    Screen(
        "patient-record",
        "nurse",
        lambda i: f"/patients/{i['DEMO-002']}/",
        ("section[aria-labelledby=h-regimen] td.num", "section[aria-labelledby=h-plans] td a"),
    ),
    Screen(
        "patient-history",
        "nurse",
        lambda i: f"/patients/{i['DEMO-002']}/history/",
        ("main table tbody td",),
    ),
    Screen(
        "intake",
        "nurse",
        lambda i: f"/patients/{i['DEMO-002']}/intake/",
        ("main button[type=submit]",),
    ),
    Screen(
        "plan-approved",
        "prescriber",
        lambda i: f"/patients/{i['DEMO-003']}/plans/1/",
        ("table.steps td.doses", "main .actions a.btn"),
    ),
    Screen(
        "plan-awaiting-approval",
        "prescriber",
        lambda i: f"/patients/{i['DEMO-006']}/plans/{i['draft']}/",
        ("#approve-plan", "table.steps td.doses"),
    ),
    Screen(
        "plan-builder",
        "prescriber",
        lambda i: f"/patients/{i['DEMO-006']}/plans/new/",
        ("#save-plan", "#preview table.steps td.doses"),
    ),
    Screen(
        "plan-print",
        "prescriber",
        lambda i: f"/patients/{i['DEMO-003']}/plans/1/print/",
        ("table.steps td.doses",),
    ),
    Screen(
        "monitoring",
        "nurse",
        lambda i: f"/patients/{i['DEMO-004']}/monitoring/",
        (".alerts-panel button:has-text('Acknowledge')", ".record-links a.btn.danger"),
    ),
    Screen(
        "monitoring-record",
        "nurse",
        lambda i: f"/patients/{i['DEMO-004']}/monitoring/record/ciwa-b/",
        ("#save-assessment", "fieldset.item label.scale-choice >> nth=4"),
    ),
    Screen(
        "monitoring-entry",
        "nurse",
        lambda i: f"/patients/{i['DEMO-004']}/monitoring/entries/{i['entry']}/",
        ("main table tbody td",),
    ),
    Screen(
        "dashboard",
        "nurse",
        lambda i: "/patients/dashboard/",
        ("table.alerts button:has-text('Acknowledge')", "table:has(th.num) tbody td.num >> nth=-1"),
    ),
    Screen(
        "care-plan",
        "prescriber",
        lambda i: f"/patients/{i['DEMO-005']}/careplan/",
        ("main h2",),
    ),
    Screen(
        "aftercare",
        "prescriber",
        lambda i: f"/patients/{i['DEMO-005']}/careplan/aftercare/",
        ("#aftercare-items button:has-text('Save')",),
    ),
    Screen(
        "relapse-plan",
        "prescriber",
        lambda i: f"/patients/{i['DEMO-005']}/careplan/relapse/",
        ("main table tbody td",),
    ),
    Screen(
        "adjunct-medications",
        "prescriber",
        lambda i: f"/patients/{i['DEMO-005']}/careplan/medications/",
        ("#adjuncts tbody td", "#adjunct-note button[type=submit]"),
    ),
]


def _on_screen(page: Any, selector: str) -> dict[str, float]:
    """The element's left and right edges and the window's width, without scrolling anything
    (scrolling a wide table's own box would hide the very overflow this looks for)."""
    element = page.locator(selector).first
    expect(element).to_be_visible()
    return element.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {left: r.left, right: r.right, width: window.innerWidth}; }"
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_the_page_fits_a_phone_and_a_tablet_with_its_doses_and_actions_on_screen(
    screen: Screen, live_server, page, shot, settings, tmp_path
):
    """At 390, 768 and 1366 px: scrollWidth ≤ the window's width (+1 px rounding), and each
    dose or action named for the page is visible with both edges inside the window."""
    settings.DATA_DIR = tmp_path  # the demo keeps its logins file there
    _, logins = seed_demo()
    login = next(x for x in logins if x.role == screen.role and x.programme == DEMO_PROGRAMME)
    base = live_server.url
    sign_in(page, base, login.username, login.password)
    url = base + screen.path(_ids())

    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("load")
        shot(f"widths-{screen.name}-{width}")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width + 1, f"{screen.name} at {width} px is {scroll_width} px wide"
        for selector in screen.must_see:
            box = _on_screen(page, selector)
            assert box["left"] >= -1 and box["right"] <= box["width"] + 1, (
                f"{screen.name} at {width} px: {selector} spans {box['left']:.0f}–"
                f"{box['right']:.0f} px of {box['width']}"
            )


def _dashboard_as_nurse(live_server: Any, page: Any, settings: Any, tmp_path: Any) -> str:
    settings.DATA_DIR = tmp_path
    _, logins = seed_demo()
    nurse = next(x for x in logins if x.role == "nurse")
    sign_in(page, live_server.url, nurse.username, nurse.password)
    return f"{live_server.url}/patients/dashboard/"


@pytest.mark.django_db(transaction=True)
def test_a_printed_page_keeps_its_tables_as_tables_on_a_phone(
    live_server, page, settings, tmp_path
):
    """The cards are for the screen only: printing the dashboard from a phone gives the
    alerts as a table with its header row, as before."""
    url = _dashboard_as_nurse(live_server, page, settings, tmp_path)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    alerts = page.locator("table.alerts")
    assert "rt-cards" in (alerts.get_attribute("class") or "")
    assert alerts.evaluate("t => getComputedStyle(t).display") == "block"
    page.emulate_media(media="print")
    assert alerts.evaluate("t => getComputedStyle(t).display") == "table"
    assert alerts.locator("thead").evaluate("h => getComputedStyle(h).position") == "static"


@pytest.mark.django_db(transaction=True)
def test_without_javascript_a_wide_table_scrolls_inside_itself_not_the_page(
    live_server, browser, page, settings, tmp_path
):
    """A browser with scripts off still never scrolls the page sideways: the table keeps its
    columns and scrolls in its own box, with the Acknowledge button in it."""
    url = _dashboard_as_nurse(live_server, page, settings, tmp_path)
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        java_script_enabled=False,
        storage_state=page.context.storage_state(),
    )
    try:
        plain = context.new_page()
        plain.goto(url)
        assert plain.evaluate("document.documentElement.scrollWidth") <= 391
        alerts = plain.locator("table.alerts")
        assert alerts.evaluate("t => getComputedStyle(t).overflowX") == "auto"
        expect(alerts.get_by_role("button", name="Acknowledge").first).to_be_visible()
    finally:
        context.close()
