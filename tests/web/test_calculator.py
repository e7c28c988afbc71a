"""The open taper calculator (/calculator/): no sign-in, built from GET parameters, nothing
stored, downloads checked by content, bad input refused on its field, rate limit, off-switch."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import Client
from icalendar import Calendar

from benzodetox.interop.plan_json import plan_from_dict
from benzodetox.web.programmes.scoping import unscoped

BASE = {
    "dose-0-drug": "alprazolam",
    "dose-0-amount": "1",
    "dose-0-unit": "mg",
    "dose-0-time": "08:00",
    "dose-1-drug": "alprazolam",
    "dose-1-amount": "1",
    "dose-1-unit": "mg",
    "dose-1-time": "22:00",
    "source": "ashton-2002",
    "strategy": "asam",
    "percent": "10",
    "interval_days": "14",
    "market": "us",
    "allow_liquid": "on",
    "crossover_days": "7",
    "start": "2030-03-04",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    """Each test starts with a full bucket (the limiter lives in the process's cache)."""
    cache.clear()
    yield
    cache.clear()


def get(path: str, **params: str):
    return Client().get(path, {**BASE, **params})


def _row_counts() -> dict[str, int]:
    with unscoped():
        return {m._meta.label: m._base_manager.count() for m in apps.get_models()}


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.django_db
def test_the_calculator_opens_without_signing_in_with_the_banner_and_sources():
    """No redirect to the sign-in page; the page says it is decision support for clinicians,
    names the equivalence tables and links the programme sign-in."""
    response = Client().get("/calculator/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Decision support for clinicians" in text
    assert "ashton-2002" in text and "vadod-2021" in text
    assert 'href="/accounts/login/"' in text
    assert 'method="get"' in text and "csrfmiddlewaretoken" not in text


@pytest.mark.django_db
def test_a_submitted_form_renders_the_plan_without_javascript():
    """A plain GET of the form (a shared link) renders the steps, chart, range across tables
    and the sources of the table and the strategy."""
    response = get("/calculator/")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'class="steps"' in text and "<svg" in text
    assert "Starting dose across all tables" in text
    assert "ashton-2002</strong> —" in text and "jcpg-2025" in text
    assert "1 × " in text or "tablet" in text


@pytest.mark.django_db
def test_the_preview_fragment_pushes_the_shareable_url():
    """The htmx preview answers the fragment and puts the form's state (without empty fields)
    in the address bar; the same query gives the same plan on the full page."""
    response = get("/calculator/preview/", percent="7.5", basis="")
    assert response.status_code == 200
    pushed = response["HX-Push-Url"]
    assert pushed.startswith("/calculator/?dose-0-drug=alprazolam")
    assert "percent=7.5" in pushed and "basis=" not in pushed
    again = Client().get(pushed)
    assert again.status_code == 200
    assert response.content.decode().count('class="step') == again.content.decode().count(
        'class="step'
    )


@pytest.mark.django_db
def test_a_second_strategy_is_shown_side_by_side_with_its_defaults_stated():
    """Comparing with the hyperbolic strategy builds it from the same request; left empty, its
    figures are its defaults and the page says so."""
    text = get("/calculator/", compare_strategy="hyperbolic").content.decode()
    assert 'id="compare-main"' in text and 'id="compare-other"' in text
    assert "the strategy&#x27;s default" in text or "the strategy's default" in text


@pytest.mark.django_db
def test_changing_the_strategy_fills_its_figures_into_the_form():
    """strategy_changed (sent by the strategy control) puts the new strategy's default
    percent into the form, as the builder does, and pushes that state."""
    response = get("/calculator/preview/", strategy="hyperbolic", strategy_changed="1")
    assert response.status_code == 200
    assert "strategy_changed" not in response["HX-Push-Url"]
    assert 'id="field-percent"' in response.content.decode()


@pytest.mark.django_db
def test_the_handout_pdf_has_blank_patient_and_contact_fields():
    """The handout is a PDF built from the form; the HTML it is made from has no name and the
    contacts left to write in."""
    from benzodetox.reports.pdf import handout_context

    response = get("/calculator/handout.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="taper-handout.pdf"' in response["Content-Disposition"]
    plan = plan_from_dict(json.loads(get("/calculator/plan.json").content))
    context = handout_context(plan)
    assert context["patient_name"] == ""
    assert all(row.name == "" and row.write_in for row in context["contacts"])


@pytest.mark.django_db
def test_the_calendar_has_one_event_per_step():
    """The .ics parses and holds one dose-change event per step of the plan."""
    plan = plan_from_dict(json.loads(get("/calculator/plan.json").content))
    response = get("/calculator/plan.ics")
    assert response["Content-Type"] == "text/calendar"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == len(plan.steps)
    assert events[0].decoded("dtstart").isoformat() == "2030-03-04"


@pytest.mark.django_db
def test_the_pharmacy_csv_has_blank_patient_columns_and_the_chosen_period():
    """One row per product per supply period; the header columns (patient, prescriber) are
    empty; 7-day periods when asked."""
    response = get("/calculator/pharmacy.csv", supply_days="7")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows
    assert all(r["patient_name"] == "" and r["prescriber"] == "" for r in rows)
    assert rows[0]["period_start"] == "2030-03-04" and rows[0]["days"] == "7"
    assert {r["equivalence_table"] for r in rows} == {"ashton-2002"}


@pytest.mark.django_db
def test_the_plan_json_is_the_clis_contract():
    """The JSON reads back with interop.plan_json (as `benzodetox plan --format json` writes
    it) and carries the alternatives and source_defaulted keys of the CLI."""
    data = json.loads(get("/calculator/plan.json").content)
    plan = plan_from_dict(data)
    assert plan.source == "ashton-2002" and plan.strategy == "asam"
    assert data["source_defaulted"] is False and isinstance(data["alternatives"], list)


@pytest.mark.django_db
def test_the_print_view_shows_the_plan_with_blank_patient_and_prescriber():
    """The print view has the steps and a blank line for the patient and the prescriber."""
    text = get("/calculator/print/").content.decode()
    assert 'class="steps"' in text and "Patient: ____" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"percent": "1,5"}, "Reduction per step (%): &#x27;1,5&#x27; has a comma"),
        ({"dose-0-amount": "abc"}, "Regimen row 1, Dose:"),
        ({"dose-0-time": "25:00"}, "Regimen row 1, Time"),
        ({"interval_days": ""}, "Days between reductions: empty"),
        ({"source": "nope"}, "Equivalence table: Select a valid choice"),
        ({"compare_percent": "x"}, "Comparison: reduction per step (%)"),
    ],
)
def test_bad_input_is_refused_on_its_field_with_a_clear_message(params, message):
    """Every download and page answers 400 with the message on the field (never a 500, never
    a file) and keeps what was typed."""
    for path in ("/calculator/", "/calculator/handout.pdf", "/calculator/plan.ics"):
        response = get(path, **params)
        assert response.status_code == 400, path
        assert response["Content-Type"].startswith("text/html")
        assert message in response.content.decode(), (path, message)


@pytest.mark.django_db
def test_a_regimen_the_planner_refuses_names_the_field_instead_of_a_500():
    """A comparison strategy's percent outside its range is refused on the comparison field;
    a plateau above the start dose is refused on its own field."""
    response = get("/calculator/", plateau_mg="500")
    assert response.status_code == 400
    assert "500" in response.content.decode()


@pytest.mark.django_db
def test_calculator_requests_store_no_row_in_any_model_and_no_file(settings):
    """Every calculator URL, valid and not: the row count of every model is unchanged, no
    cookie is set, and nothing under the data folder changes."""
    before_rows = _row_counts()
    before_files = _tree(Path(settings.DATA_DIR))
    client = Client()
    for path in (
        "/calculator/",
        "/calculator/preview/",
        "/calculator/print/",
        "/calculator/handout.pdf",
        "/calculator/plan.ics",
        "/calculator/pharmacy.csv",
        "/calculator/plan.json",
    ):
        for params in (BASE, {**BASE, "percent": "bad"}):
            response = client.get(path, params)
            assert response.status_code in (200, 400)
            assert not response.cookies, path
    assert _row_counts() == before_rows
    assert _tree(Path(settings.DATA_DIR)) == before_files


@pytest.mark.django_db
def test_results_are_cacheable_and_vary_on_htmx():
    """A visitor's result is public for a few minutes; a fragment and a page differ by
    HX-Request."""
    response = get("/calculator/")
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert "HX-Request" in response["Vary"]


@pytest.mark.django_db
def test_too_many_requests_from_one_address_get_429_with_retry_after(settings):
    """Past the limit a minute, the address gets 429 with Retry-After; another address is
    still served."""
    settings.CALCULATOR_RATE_PER_MINUTE = 3
    client = Client(REMOTE_ADDR="203.0.113.5")
    assert [client.get("/calculator/").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/calculator/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "Too many requests" in refused.content.decode()
    assert Client(REMOTE_ADDR="203.0.113.6").get("/calculator/").status_code == 200


@pytest.mark.django_db
def test_the_calculator_can_be_turned_off(settings):
    """BENZODETOX_CALCULATOR=0 (CALCULATOR_ENABLED False): every calculator URL is 404 and "/"
    sends a visitor to sign in."""
    settings.CALCULATOR_ENABLED = False
    for path in ("/calculator/", "/calculator/preview/", "/calculator/handout.pdf"):
        assert Client().get(path, BASE).status_code == 404
    assert Client().get("/")["Location"] == "/patients/"


@pytest.mark.django_db
def test_the_front_door_sends_a_visitor_to_the_calculator_and_a_clinician_to_patients(
    prescriber,
):
    """The front door for a visitor: the calculator; signed in: the patient list."""
    assert Client().get("/")["Location"] == "/calculator/"
    client = Client()
    client.force_login(prescriber)
    assert client.get("/")["Location"] == "/patients/"


@pytest.mark.django_db
def test_the_login_page_links_the_calculator():
    """The sign-in page offers the calculator to a visitor without an account."""
    text = Client().get("/accounts/login/").content.decode()
    assert 'href="/calculator/"' in text
