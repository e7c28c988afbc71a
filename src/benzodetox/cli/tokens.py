"""``benzodetox token add|list|revoke``: API tokens of a programme (docs/api.md).

``token add NAME --programme P --user U --scope read[,write,approve] [--days 90]`` prints the key
once (only its SHA-256 is stored); ``token list --programme P`` shows names, prefixes, scopes,
users and status; ``token revoke NAME --programme P`` revokes at once. Creation and revocation
are written to the audit log with the operating-system account that ran the command. Bad input
exits 2 with one line naming the option.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

import click

from .server import BadInput, migrate_if_needed, setup_django

__all__ = ["commands", "token"]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _programme(name: str) -> Any:
    setup_django()
    migrate_if_needed()
    from benzodetox.web.programmes.models import Programme

    programme = Programme.objects.filter(name=name).first()
    if programme is None:
        raise BadInput(f"--programme {name[:60]!r} refused: no such programme")
    return programme


def _audit(action: str, token: Any, summary: str) -> None:
    from benzodetox.web.audit.models import AuditEvent

    AuditEvent(
        username=f"cli:{_os_user()}",
        action=action,
        programme_id=token.programme_id,
        object_type=token._meta.label_lower,
        object_id=str(token.pk),
        summary=summary[:300],
        detail={"api_token": token.name, "scopes": list(token.scopes), "user": token.user.username},
    ).save()


@click.group()
def token() -> None:
    """API tokens of a programme (the JSON API, FHIR and CDS Hooks)."""


@token.command("add")
@click.argument("name")
@click.option("--programme", required=True, help="Programme name.")
@click.option("--user", "username", required=True, help="The member the token acts for.")
@click.option("--scope", required=True, help="read, write, approve (comma-separated).")
@click.option("--days", type=int, default=90, show_default=True, help="Days until it expires.")
def token_add(name: str, programme: str, username: str, scope: str, days: int) -> None:
    """Create an API token and print its key once (it is stored hashed and cannot be shown
    again)."""
    target = _programme(programme)
    from django.contrib.auth import get_user_model

    from benzodetox.core.errors import InputError
    from benzodetox.web.api.auth import MAX_DAYS, create_token

    users = get_user_model()
    user = users.objects.filter(username=users.normalize_username(username)).first()
    if user is None:
        raise BadInput(f"--user {username[:40]!r} refused: no such user")
    if not 1 <= days <= MAX_DAYS:
        raise BadInput(f"--days {days} refused: a whole number from 1 to {MAX_DAYS}")
    try:
        created, key = create_token(target, user, name, scope, days, created_by=None)
    except InputError as error:
        option = {"name": "NAME", "scope": "--scope", "days": "--days", "user": "--user"}
        raise BadInput(
            f"{option.get(error.field, error.field)} {str(error.value)[:60]!r} refused: "
            f"expected {error.allowed}"
        ) from None
    _audit("api_token.created", created, f"API token {created.name!r} created")
    click.echo(key)
    click.echo(
        f"token {created.name!r} for {user.username} in {target.name}: "
        f"{', '.join(created.scopes)}; expires {created.expires_at:%Y-%m-%d}. "
        "The key above is shown once; store it now.",
        err=True,
    )


@token.command("list")
@click.option("--programme", required=True, help="Programme name.")
def token_list(programme: str) -> None:
    """The programme's tokens: name, key prefix, scopes, user, expiry, last use and status."""
    target = _programme(programme)
    from benzodetox.web.api.models import ApiToken
    from benzodetox.web.programmes.scoping import scope_programmes

    with scope_programmes({target.pk}):
        tokens = list(ApiToken.objects.select_related("user").order_by("name"))
    if not tokens:
        click.echo(f"no API tokens in {target.name}")
        return
    for item in tokens:
        used = f"{item.last_used_at:%Y-%m-%d %H:%M}" if item.last_used_at else "never"
        click.echo(
            f"{item.name}\t{item.prefix}…\t{','.join(item.scopes)}\t{item.user.username}\t"
            f"expires {item.expires_at:%Y-%m-%d}\tlast used {used}\t{item.status()}"
        )


@token.command("revoke")
@click.argument("name")
@click.option("--programme", required=True, help="Programme name.")
def token_revoke(name: str, programme: str) -> None:
    """Revoke the token NAME at once (it stays listed as revoked)."""
    target = _programme(programme)
    from benzodetox.web.api.auth import revoke_token
    from benzodetox.web.api.models import ApiToken
    from benzodetox.web.programmes.scoping import scope_programmes

    with scope_programmes({target.pk}):
        found = ApiToken.objects.select_related("user").filter(name=name.strip()).first()
    if found is None:
        raise BadInput(f"NAME {name[:60]!r} refused: no such token in {target.name}")
    if found.revoked_at is not None:
        click.echo(f"token {found.name!r} was already revoked")
        return
    revoke_token(found)
    _audit("api_token.revoked", found, f"API token {found.name!r} revoked")
    click.echo(f"token {found.name!r} revoked")


commands = [token]
