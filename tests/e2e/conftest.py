"""Browser tests: Playwright (Python) driving Debian's Chromium against a live server.

Never ``playwright install``: the browser is /usr/bin/chromium (``apt-get install chromium``).
Screenshots go to artifacts/e2e/ (gitignored, kept by CI as artefacts).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module", autouse=True)
def _async_unsafe_allowed() -> Iterator[None]:
    """Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to
    run there unless told otherwise. Set for the browser test modules only, then restored."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="module")
def browser(_async_unsafe_allowed: None) -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # A ward tablet in landscape.
    context = browser.new_context(viewport={"width": 1180, "height": 820})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    settle(browser)


def settle(browser: Any) -> None:
    """Let every page the test opened finish its requests, then close its contexts. Django
    shares the in-memory SQLite test connection between the live server's thread and the test
    thread; a request still running when the next test starts breaks that test (seen in CI:
    "on_commit() cannot be used in manual transaction management" in the next test's setup,
    and a 404 during an htmx preview)."""
    from playwright.sync_api import Error as PlaywrightError

    for context in list(browser.contexts):
        for open_page in context.pages:
            # a page that never goes quiet is closed anyway
            with contextlib.suppress(PlaywrightError):
                open_page.wait_for_load_state("networkidle", timeout=3_000)
        context.close()


@pytest.fixture
def shot(page: Any) -> Any:
    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page: Any, base: str, username: str, password: str) -> None:
    """Sign in through the login form and wait for the patient list."""
    from playwright.sync_api import expect

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()
