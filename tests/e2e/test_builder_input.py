"""The plan builder in Chromium: what is typed in the percent field reaches the server as typed
and is refused on its field (the preview shows no plan from the default, the text stays), and
the builder does not scroll sideways at 768 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.programmes.services import add_member
from tests.web.conftest import make_patient

from .conftest import sign_in

PASSWORD = "a long demo passphrase"


@pytest.fixture
def builder_url(live_server, django_user_model):
    user = django_user_model.objects.create_user(username="nurse-e2e", password=PASSWORD)
    membership = add_member(user, "Builder programme", "nurse")
    with unscoped():
        patient = make_patient(
            membership.programme,
            "E2E-B1",
            [("diazepam", "10", "08:00"), ("diazepam", "10", "22:00")],
        )
    return f"{live_server.url}/patients/{patient.pk}/plans/new/"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1e", "'1e' is not a number"),
        ("1,5", "'1,5' has a comma"),
        ("-", "'-' is negative or not a number"),
        ("", "empty; ASAM 2025"),
    ],
)
def test_typing_what_a_browser_cannot_parse_into_the_percent_is_refused_as_typed(
    live_server, page, shot, builder_url, typed, expected
):
    """The live preview shows the refusal beside the percent field and no plan; the field keeps
    what was typed."""
    sign_in(page, live_server.url, "nurse-e2e", PASSWORD)
    page.goto(builder_url)
    preview = page.locator("#preview")
    percent = page.get_by_label("Reduction per step (%)")
    expect(percent).to_have_value("10")
    with page.expect_response(lambda r: "/plans/preview/" in r.url):
        percent.fill(typed)
        if typed == "":
            percent.press("Tab")
    expect(page.locator("#err-percent")).to_contain_text(expected)
    expect(page.locator("#err-percent")).to_contain_text("Allowed:")
    expect(preview).to_contain_text("No plan is shown until these are corrected")
    expect(preview.locator("svg.chart")).to_have_count(0)
    expect(preview.locator("table.steps")).to_have_count(0)
    expect(percent).to_have_value(typed)
    shot(f"builder-percent-{typed or 'empty'}".replace(",", "comma"))
    page.get_by_label("Why this version").fill("first plan")
    page.get_by_role("button", name="Save as new version").click()
    expect(page.locator("#err-percent")).to_contain_text(expected)
    expect(page.get_by_label("Reduction per step (%)")).to_have_value(typed)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [768, 390])
def test_the_builder_does_not_scroll_sideways(live_server, browser, builder_url, width):
    """At 768 and 390 px the builder page, with its preview, is no wider than the window."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server.url, "nurse-e2e", PASSWORD)
        page.goto(builder_url)
        with page.expect_response(lambda r: "/plans/preview/" in r.url):
            page.get_by_label("Reduction per step (%)").fill("7.5")
        expect(page.locator("#preview table.steps")).to_be_visible()
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"the builder is {wide} px wide at {width} px"
        page.screenshot(path=f"artifacts/e2e/builder-{width}.png", full_page=True)
    finally:
        context.close()
