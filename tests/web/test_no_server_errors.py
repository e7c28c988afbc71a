"""No input gives a server error (issue 12, item 5): a bounded, hypothesis-driven fuzz over every
form and URL parameter of the web app, as each role and as a clinician of another programme.

The demo programme is seeded (patients in every phase, plans, courses, alerts); each role's pages
are crawled from every URL pattern (path ids from the demo and fuzzed ids), their forms read from
the HTML, then hypothesis posts each form with values mixing the page's own choices and hostile
text (1e30, 9999-12-31, NUL bytes, 10,000 characters, negative and huge numbers …) and fetches
each page with fuzzed query parameters. Every answer must be below 500 and raise no exception.
The budget is fixed (examples per test), so the test takes well under a minute.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benzodetox.web.programmes.scoping import unscoped

ROLES = ("admin", "prescriber", "nurse", "counsellor", "read-only")

#: Values that caused or could cause server errors: overflow, precision, encodings, sizes.
HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "1e30",
    "1E+999999999",
    "NaN",
    "Infinity",
    "-0",
    "9" * 30,
    "0.0000001",
    "1,5",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2024-02-30",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "25:61",
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "x" * 10_000,
    "é漢字🙂",
    "on",
    "true",
    "[]",
    "{}",
]

SKIP_PATHS = ("/accounts/logout/", "/static/")


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name → values seen


class _FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self.links: set[str] = set()
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.add(urljoin(self.page, a["href"]))
        for attr in ("hx-post", "hx-get"):
            if a.get(attr):
                method = "post" if attr == "hx-post" else "get"
                self.forms.append(Form(self.page, urljoin(self.page, a[attr]), method))
        if tag == "form":
            action = urljoin(self.page, a.get("action") or self.page)
            self._form = Form(self.page, action, (a.get("method") or "get").lower())
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            values = self._form.fields.setdefault(name, [])
            if a.get("value"):
                values.append(a["value"])
            if a.get("type") == "checkbox" and not a.get("value"):
                values.append("on")
        elif tag in ("textarea", "select") and name:
            self._form.fields.setdefault(name, [])
            self._select = name if tag == "select" else None
        elif tag == "option" and self._select and a.get("value") is not None:
            self._form.fields[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        if tag == "select":
            self._select = None


def _patterns(resolver: Any = None, prefix: str = "") -> Iterator[str]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _instances(route: str, ids: dict[str, list[str]]) -> list[str]:
    """The route with its parameters filled from the demo's ids (and one id that exists nowhere)."""
    if route.startswith("admin/") or route.startswith("^"):
        return []
    urls = ["/" + route]
    for match in _PARAM.finditer(route):
        name = match.group(2)
        values = [*ids.get(name, ["1"]), "987654321"]
        urls = [u.replace(match.group(0), v, 1) for u in urls for v in values]
    return urls[:12]


@dataclass
class Site:
    clients: dict[str, Client]
    pages: list[str]
    forms: list[Form]


def _demo_ids() -> dict[str, list[str]]:
    """Ids of the demo's richest records: the patients with a course, an alert and a plan."""
    from benzodetox.web.careplans.models import Course
    from benzodetox.web.monitoring.models import Alert, Assessment
    from benzodetox.web.patients.models import Patient
    from benzodetox.web.plans.models import PlanVersion

    with unscoped():
        course = Course.objects.order_by("pk").first()
        alert = Alert.objects.order_by("pk").first()
        entry = Assessment.objects.order_by("pk").first()
        version = PlanVersion.objects.order_by("pk").first()
        first = Patient.objects.order_by("pk").first()
        chosen = [r.patient_id for r in (course, alert, version) if r is not None]
        patients = list(dict.fromkeys([*chosen, first.pk if first else 1]))
        return {
            "pk": [str(p) for p in patients[:3]],
            "number": [str(version.number if version else 1)],
            "course_id": [str(course.pk if course else 1)],
            "alert_id": [str(alert.pk if alert else 1)],
            "entry_id": [str(entry.pk if entry else 1)],
            "kind": ["ciwa-b", "vitals", "nonsense"],
            "item_id": ["1"],
        }


@pytest.fixture
def site(settings: Any, tmp_path: Any, transactional_db: Any) -> Site:
    """The demo seeded, one signed-in client per role (and another programme's prescriber), and
    every page and form each of them can reach."""
    from benzodetox.web.demo import seed_demo

    settings.DATA_DIR = tmp_path
    _, logins = seed_demo()
    users = get_user_model()
    clients: dict[str, Client] = {}
    for login in logins:
        key = login.role if "other" not in login.username else "other"
        client = Client()
        client.force_login(users.objects.get(username=login.username))
        clients[key] = client
    ids = _demo_ids()
    pages = sorted({url for route in _patterns() for url in _instances(route, ids)})
    forms: list[Form] = []
    seen: set[tuple[str, str, str]] = set()
    for page in pages:
        if page.endswith((".pdf", ".ics", ".csv")):
            continue  # downloads hold no forms (and a PDF takes a second to draw)
        # A prescriber reaches every patient form; programme settings are the admin's.
        roles = ("prescriber",) if re.search(r"/\d+/", page) else ("admin", "prescriber")
        for role in roles:
            response = clients[role].get(page)
            assert response.status_code < 500, (role, page)
            kind = response.get("Content-Type", "")
            if response.status_code != 200 or not kind.startswith("text/html"):
                continue
            parser = _FormParser(page)
            parser.feed(response.content.decode())
            for form in parser.forms:
                key = (form.action, form.method, ",".join(sorted(form.fields)))
                if urlsplit(form.action).path.startswith(SKIP_PATHS) or key in seen:
                    continue
                seen.add(key)
                forms.append(form)
    return Site(clients, pages, forms)


BUDGET = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _value(draw: Any, seen: list[str]) -> str:
    choices = st.sampled_from(seen) if seen else st.just("")
    return draw(
        st.one_of(
            choices,
            choices,
            st.sampled_from(HOSTILE),
            st.text(st.characters(exclude_categories=("Cs",)), max_size=30),  # UTF-8 only
            st.integers(min_value=-(10**20), max_value=10**20).map(str),
            st.decimals(allow_nan=True, allow_infinity=True, places=4).map(str),
        )
    )


def _check(response: Any, what: Any) -> None:
    assert response.status_code < 500, what


def test_the_site_was_crawled_with_its_forms(site):
    """The fuzz has something to fuzz: the demo's pages and dozens of forms (a guard against a
    crawl that silently finds nothing)."""
    assert len(site.pages) > 40
    assert len(site.forms) > 20
    assert any(f.method == "post" for f in site.forms)


@BUDGET
@given(data=st.data())
def test_no_form_post_gives_a_server_error_for_any_role(site, data):
    """Any form of the app, posted by any role with its own choices mixed with hostile values,
    answers below 500."""
    form = data.draw(st.sampled_from(site.forms), label="form")
    role = data.draw(st.sampled_from([*ROLES, "other"]), label="role")
    names = list(form.fields)
    posted = {
        name: _value(data.draw, form.fields[name])
        for name in names
        if data.draw(st.integers(0, 9), label=f"keep {name}") > 0
    }
    extra = data.draw(st.sampled_from([{}, {"programme": "987654321"}, {"x": "1e30"}]))
    posted.update(extra)
    client = site.clients[role]
    if form.method == "post":
        response = client.post(form.action, posted, HTTP_HX_REQUEST="true")
    else:
        response = client.get(form.action, posted)
    _check(response, (role, form.method, form.action, posted))


@BUDGET
@given(data=st.data())
def test_no_url_or_query_parameter_gives_a_server_error_for_any_role(site, data):
    """Any page with fuzzed path ids and query parameters (page, sort, programme, dates …),
    fetched by any role, answers below 500."""
    page = data.draw(st.sampled_from(site.pages), label="page")
    role = data.draw(st.sampled_from([*ROLES, "other"]), label="role")
    path = re.sub(
        r"/\d+/",
        lambda m: (
            "/" + data.draw(st.sampled_from([m.group(0)[1:-1], "0", "99999999999999999999"])) + "/"
        ),
        page,
    )
    keys = [
        "page",
        "sort",
        "programme",
        "q",
        "within",
        "phase",
        "since",
        "until",
        "patient",
        "username",
        "action",
        "number",
        "strategy",
        "table",
    ]
    query = {
        key: _value(data.draw, [])
        for key in data.draw(st.lists(st.sampled_from(keys), max_size=4, unique=True))
    }
    response = site.clients[role].get(path, query)
    _check(response, (role, path, query))
