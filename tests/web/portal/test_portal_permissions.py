"""The permission matrix: a patient signed in reaches no staff URL (every named URL of the
URLconf outside the portal answers 302 to the portal, 403 or 404 — never 200), no other
patient's data (by id, fragment, download or feed); staff cannot use the portal pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

#: public for everyone (signed in or not), holding no patient data
PUBLIC = {"front_door", "healthz"}
PUBLIC_PREFIXES = ("calculator:",)


def _named_urls() -> list[tuple[str, str]]:
    """(name, pattern) of every named URL, with namespaces."""
    out: list[tuple[str, str]] = []

    def walk(patterns: Any, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                out.append((namespace + p.name, prefix + str(p.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return out


def _fill(pattern: str, ids: dict[str, Any]) -> str:
    path = re.sub(r"<int:(\w+)>", lambda m: str(ids.get(m.group(1), 1)), pattern)
    path = re.sub(r"<(?:str|slug|path):(\w+)>", "x", path)
    path = re.sub(r"<(\w+)>", "x", path)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "")
    return "/" + path.lstrip("/")


def _staff_urls() -> list[tuple[str, str]]:
    return [
        (name, pattern)
        for name, pattern in _named_urls()
        if name not in PUBLIC
        and not name.startswith(PUBLIC_PREFIXES)
        and (not name.startswith("portal:") or name.startswith("portal:staff_"))
        and not pattern.startswith("admin/")
    ]


def test_the_matrix_covers_the_staff_urls() -> None:
    names = {n for n, _ in _staff_urls()}
    assert {"patients:list", "patients:detail", "monitoring:dashboard", "accounts:account",
            "audit:list", "portal:staff_invite"} <= names


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_patient_reaches_no_staff_url(
    patient_client: Client, patient_a: Any, approved_a: Any, method: str
) -> None:
    ids = {"pk": patient_a.pk, "number": 1, "patient_id": patient_a.pk}
    for name, pattern in _staff_urls():
        path = _fill(pattern, ids)
        response = getattr(patient_client, method)(path)
        assert response.status_code in (302, 403, 404, 405), (name, path, response.status_code)
        if response.status_code == 302:
            assert response["Location"] == reverse("portal:today"), (name, path)


def test_a_patient_reaches_no_staff_url_by_htmx(patient_client: Client, patient_a: Any) -> None:
    for name, pattern in _staff_urls():
        path = _fill(pattern, {"pk": patient_a.pk, "number": 1})
        response = patient_client.get(path, HTTP_HX_REQUEST="true")
        assert response.status_code in (403, 404, 405), (name, path, response.status_code)


def test_the_admin_site_refuses_a_patient(patient_client: Client) -> None:
    response = patient_client.get("/admin/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == reverse("portal:today")


def test_patient_a_never_sees_patient_b(
    patient_client: Client, account_b: Any, patient_b: Any, approved_a: Any
) -> None:
    """The portal has no id in its URLs: every page is the signed-in patient's own."""
    for name in ("portal:today", "portal:calendar", "portal:my_plan", "portal:reminders"):
        page = patient_client.get(reverse(name))
        assert page.status_code == 200
        assert patient_b.reference.encode() not in page.content
    for path in (f"/patients/{patient_b.pk}/", f"/patients/{patient_b.pk}/plans/1/handout.pdf"):
        assert patient_client.get(path).status_code in (302, 403, 404)


def test_staff_of_every_role_get_403_on_the_patient_pages(
    personas: dict[str, Any], client_for: Any, account_a: Any
) -> None:
    for user in personas.values():
        client = client_for(user)
        for name in ("portal:today", "portal:calendar", "portal:my_plan", "portal:reminders"):
            assert client.get(reverse(name)).status_code == 403, (user, name)
