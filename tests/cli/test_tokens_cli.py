"""``benzodetox token add|list|revoke``: the key printed once and stored hashed, a listing that
never shows it, revocation that the API honours at once, audit events, exit 2 naming the option."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.test import RequestFactory

from benzodetox.cli.main import cli
from benzodetox.web.api.auth import ApiAuthError, authenticate, hash_key
from benzodetox.web.api.models import ApiToken
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.programmes.models import Membership, Programme
from benzodetox.web.programmes.scoping import unscoped

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def member() -> Any:
    programme = Programme.objects.create(name="North")
    user = get_user_model().objects.create(username="kim")
    Membership.objects.create(user=user, programme=programme, role="nurse")
    return user


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, ["token", *args])


def bearer(key: str) -> HttpRequest:
    return RequestFactory().get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {key}")


def test_add_prints_the_key_once_and_stores_only_its_hash(member: Any) -> None:
    result = run("add", "ehr", "--programme", "North", "--user", "kim", "--scope", "read,write")
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key.startswith("bzd_")
    with unscoped():
        token = ApiToken.objects.get()
        (event,) = AuditEvent.objects.filter(action="api_token.created")
    assert token.key_hash == hash_key(key) and token.scopes == ["read", "write"]
    assert event.username.startswith("cli:") and event.detail["api_token"] == "ehr"
    assert authenticate(bearer(key), "write").pk == token.pk
    listing = run("list", "--programme", "North")
    assert listing.exit_code == 0 and "ehr" in listing.output and "active" in listing.output
    assert key not in listing.output and key[:12] in listing.output


def test_revoke_takes_effect_at_once(member: Any) -> None:
    key = run("add", "ehr", "--programme", "North", "--user", "kim", "--scope", "read").stdout
    revoked = run("revoke", "ehr", "--programme", "North")
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    with pytest.raises(ApiAuthError) as caught:
        authenticate(bearer(key.strip()), "read")
    assert caught.value.status == 401
    assert "revoked" in run("list", "--programme", "North").output
    with unscoped():
        assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["add", "x", "--programme", "South", "--user", "kim", "--scope", "read"], "--programme"),
        (["add", "x", "--programme", "North", "--user", "nobody", "--scope", "read"], "--user"),
        (["add", "x", "--programme", "North", "--user", "kim", "--scope", "admin"], "--scope"),
        (["add", "x", "--programme", "North", "--user", "kim", "--scope", "read",
          "--days", "0"], "--days"),
        (["add", " ", "--programme", "North", "--user", "kim", "--scope", "read"], "NAME"),
        (["revoke", "ghost", "--programme", "North"], "NAME"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_option(
    member: Any, args: list[str], named: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert named in result.output and "Traceback" not in result.output
    with unscoped():
        assert not ApiToken.objects.exists()


def test_a_taken_name_is_refused(member: Any) -> None:
    run("add", "ehr", "--programme", "North", "--user", "kim", "--scope", "read")
    again = run("add", "ehr", "--programme", "North", "--user", "kim", "--scope", "read")
    assert again.exit_code == 2 and "NAME" in again.output
