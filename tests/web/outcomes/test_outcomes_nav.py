"""The header links to programme outcomes for exactly the roles that may open them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from benzodetox.web.programmes.roles import Role, roles_allowed


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_the_outcomes_link_shows_for_the_roles_that_may_open_the_page(role, personas, client_for):
    """Admins and prescribers see 'Outcomes' in the header; nurses, counsellors and read-only
    members neither see it nor reach the page."""
    client = client_for(personas[role])
    page = client.get(reverse("patients:list")).content.decode()
    link = f'href="{reverse("outcomes:page")}"'
    may = Role(role) in roles_allowed("outcomes.view")
    assert (link in page) is may
    assert client.get(reverse("outcomes:page")).status_code == (200 if may else 403)
