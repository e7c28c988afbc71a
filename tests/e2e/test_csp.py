"""The strict Content-Security-Policy in Chromium: the main pages and the Django admin run with
no violation reported (no inline script, style or handler left, htmx injects no style and
evaluates nothing), and what used to be inline code still works from the static files."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.programmes.services import add_member
from tests.web.careplans.conftest import approve
from tests.web.conftest import make_patient, make_version

from .conftest import sign_in

PASSWORD = "a long demo passphrase"

# Reported to Python from every page, across navigations (an init script runs before the
# page's own scripts; it is injected by the browser's debugger, which the policy does not bind).
WATCH_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.reportViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile}:${e.lineNumber} on ${location.pathname}`);
});
window.print = () => { document.documentElement.dataset.printed = "yes"; };
"""


class Watched:
    """A page whose CSP violations and console errors are collected."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1180, "height": 820})
        self.violations: list[str] = []
        self.console_errors: list[str] = []
        self.context.expose_function("reportViolation", lambda text: self.violations.append(text))
        self.context.add_init_script(WATCH_VIOLATIONS)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.page.on(
            "console",
            lambda message: (
                self.console_errors.append(f"{message.text} ({self.page.url})")
                # A failed load is reported below with its own address; the admin's pages have no
                # icon link, so Chromium's own /favicon.ico probe (never a page request) fails.
                if message.type == "error"
                and not message.text.startswith("Failed to load resource")
                else None
            ),
        )
        self.page.on(
            "response",
            lambda response: (
                self.console_errors.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )

    def visit(self, url: str) -> Any:
        response = self.page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        assert "'self'" in response.headers["content-security-policy"]
        # htmx was told not to add its indicator <style>; nothing else may add one either.
        expect(self.page.locator("head style")).to_have_count(0)
        return response

    def assert_clean(self) -> None:
        assert self.violations == [], "\n".join(self.violations)
        assert self.console_errors == [], "\n".join(self.console_errors)


@pytest.fixture
def watched(browser: Any) -> Any:
    watched = Watched(browser)
    yield watched
    watched.context.close()


@pytest.mark.django_db(transaction=True)
def test_the_clinicians_pages_run_under_the_policy_without_a_violation(
    live_server, watched, django_user_model
):
    """Patient list (htmx filter), patient page, plan builder (live preview), CIWA-B quick entry
    (running total), care plan, an approved plan with its downloads, the printable plan (Print
    button) and the open calculator (live preview): no violation, no console error."""
    prescriber = django_user_model.objects.create_user(username="dr-csp", password=PASSWORD)
    programme = add_member(prescriber, "CSP programme", "prescriber").programme
    patient = make_patient(
        programme, "CSP-001", [("diazepam", "10", "08:00"), ("diazepam", "10", "22:00")]
    )
    make_patient(programme, "CSP-002", [("alprazolam", "1", "08:00")])
    version = make_version(patient, prescriber)
    approve(version, prescriber)
    base = live_server.url
    page = watched.page

    sign_in(page, base, "dr-csp", PASSWORD)
    watched.visit(f"{base}/patients/")
    with page.expect_response(lambda r: "/patients/" in r.url and "drug=" in r.url):
        page.get_by_label("Drug taken now").select_option("diazepam")
    expect(page.locator("#patient-list")).not_to_contain_text("CSP-002")

    watched.visit(f"{base}/patients/{patient.pk}/")
    expect(page.get_by_role("heading", name="CSP-001")).to_be_visible()

    watched.visit(f"{base}/patients/{patient.pk}/plans/new/")
    with page.expect_response(lambda r: "/plans/preview/" in r.url):
        page.get_by_label("Reduction per step (%)").fill("8")
    expect(page.locator("#preview table.steps")).to_be_visible()
    expect(page.locator("#preview-busy")).to_have_css("opacity", "0")

    watched.visit(f"{base}/patients/{patient.pk}/monitoring/record/ciwa-b/")
    page.locator("#item-1 label.scale-choice").nth(3).click()
    page.locator("#item-2 label.scale-choice").nth(2).click()
    expect(page.locator("#running-total")).to_contain_text("2 of 20 items answered")

    watched.visit(f"{base}/patients/{patient.pk}/careplan/")
    watched.visit(f"{base}/patients/{patient.pk}/plans/{version.number}/")
    expect(page.locator("#download-handout")).to_be_visible()
    assert page.evaluate("document.documentElement.classList.contains('js')")

    watched.visit(f"{base}/patients/{patient.pk}/plans/{version.number}/print/")
    page.get_by_role("button", name="Print").click()
    expect(page.locator("html")).to_have_attribute("data-printed", "yes")

    watched.visit(f"{base}/calculator/")
    page.locator("#id_dose-0-drug").select_option("alprazolam")
    page.locator("#id_dose-0-amount").fill("1")
    page.locator("#id_dose-0-time").fill("08:00")
    expect(page.locator("#preview table.steps")).to_be_visible()
    page.locator("#copy-link").click()  # calculator.js, a static file
    expect(page.locator("#copy-status")).not_to_be_empty()
    watched.assert_clean()


@pytest.mark.django_db(transaction=True)
def test_the_admin_runs_under_the_policy_without_a_violation(
    live_server, watched, django_user_model
):
    """The Django admin ships its own static scripts: its index, a change list with filters and
    the user form (permission selector widgets) report no violation."""
    admin = django_user_model.objects.create_superuser(username="root-csp", password=PASSWORD)
    with unscoped():
        add_member(admin, "CSP admin programme", "admin")
    base = live_server.url
    page = watched.page
    sign_in(page, base, "root-csp", PASSWORD)
    watched.visit(f"{base}/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    watched.visit(f"{base}/admin/audit/auditevent/")
    watched.visit(f"{base}/admin/auth/user/{admin.pk}/change/")
    # The permission selector is built by the admin's SelectFilter2.js.
    expect(page.locator("#id_user_permissions_filter")).to_be_visible()
    watched.visit(f"{base}/admin/programmes/membership/")
    watched.assert_clean()


@pytest.mark.django_db(transaction=True)
def test_the_programme_admins_pages_run_under_the_policy_without_a_violation(
    live_server, watched, django_user_model
):
    """Account (authenticator set-up), members, a member's page (unlock, reset link), the
    two-factor setting, programme outcomes with a filter and their definitions, and the page a
    reset link opens: no violation, no console error."""
    from benzodetox.web.accounts.models import ResetLink

    admin = django_user_model.objects.create_user(username="admin-csp", password=PASSWORD)
    nurse = django_user_model.objects.create_user(username="nurse-csp", password=PASSWORD)
    with unscoped():
        programme = add_member(admin, "CSP admin pages", "admin").programme
        add_member(nurse, "CSP admin pages", "nurse")
    base = live_server.url
    page = watched.page
    sign_in(page, base, "admin-csp", PASSWORD)
    watched.visit(f"{base}/accounts/")
    watched.visit(f"{base}/programme/members/")
    watched.visit(f"{base}/accounts/members/{nurse.pk}/")
    page.get_by_role("button", name="Create a reset link").click()
    expect(page.locator("#reset-link")).to_contain_text("/accounts/reset/")
    reset_url = page.locator("#reset-link").inner_text().strip()
    watched.visit(f"{base}/programme/two-factor/")
    watched.visit(f"{base}/programme/outcomes/")
    expect(page.locator("svg").first).to_be_visible()
    page.get_by_label("Setting").select_option("inpatient")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"setting=inpatient"))
    watched.visit(f"{base}/programme/outcomes/settings/")
    assert ResetLink.objects.filter(user=nurse).count() == 1
    page.context.clear_cookies()
    watched.visit(reset_url)  # what the nurse opens: the new-password form
    expect(page.get_by_label("New password", exact=False).first).to_be_visible()
    assert programme.pk
    watched.assert_clean()
