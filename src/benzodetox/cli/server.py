"""``benzodetox serve``, ``benzodetox user add|reset-link|unlock`` and ``benzodetox manage``:
the web application.

``serve`` applies pending migrations, collects static files when they changed, optionally
seeds the demo, then serves with gunicorn (gthread workers) and whitenoise; each worker runs the
periodic jobs' thread (``web/scheduler/runner.py``: the overdue scan and the phase advance every
``BENZODETOX_SCHEDULER_MINUTES``, once across workers and servers). SQLite in
``BENZODETOX_DATA_DIR`` by default; PostgreSQL when ``DATABASE_URL`` is set.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from benzodetox.web.programmes.roles import Role  # Django's TextChoices: needs no settings

SETTINGS = "benzodetox.web.settings"


class BadInput(click.ClickException):
    """One-line error, exit status 2 (bad input), like the core's InputError."""

    exit_code = 2


def setup_django(extra_hosts: tuple[str, ...] = ()) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    if extra_hosts:
        from benzodetox.web.env import env_list

        hosts = env_list("BENZODETOX_ALLOWED_HOSTS", ("127.0.0.1", "localhost", "[::1]"))
        for host in extra_hosts:
            if host and host not in hosts:
                hosts.append("*" if host in ("0.0.0.0", "::") else host)
        os.environ["BENZODETOX_ALLOWED_HOSTS"] = ",".join(hosts)
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:
        raise BadInput(f"configuration: {error}") from None


def migrate_if_needed(verbosity: int = 0) -> bool:
    """Apply unapplied migrations; True when there were some."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return False
    call_command("migrate", interactive=False, verbosity=verbosity)
    return True


def _static_fingerprint() -> str:
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collectstatic_if_needed() -> bool:
    """Collect static files when the sources changed since the last collection."""
    from django.conf import settings
    from django.core.management import call_command

    root = Path(settings.STATIC_ROOT)
    stamp = root / ".benzodetox-static-stamp"
    fingerprint = _static_fingerprint()
    if stamp.exists() and stamp.read_text("utf-8") == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0, clear=True)
    root.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint, "utf-8")
    return True


def _print_calculator(url: str) -> None:
    """The demo's front door: the open calculator, which needs no login."""
    from django.conf import settings

    if settings.CALCULATOR_ENABLED:
        click.echo(f"Taper calculator (no sign-in, nothing stored): {url}calculator/")
    else:
        click.echo("Taper calculator: off (BENZODETOX_CALCULATOR=0)")


def _print_logins(logins: list[Any], url: str) -> None:
    click.echo("")
    click.echo(f"Demo logins for {url}")
    width = max(len(login.username) for login in logins)
    for login in logins:
        where = f", patient portal {url}portal/login/" if login.role == "patient" else ""
        click.echo(
            f"  {login.username:<{width}}  password {login.password}  "
            f"({login.role}, {login.programme}{where})"
        )
    click.echo("")


def _shown(host: str) -> str:
    """The address a person types to reach a server listening on ``host``."""
    return "127.0.0.1" if host in ("0.0.0.0", "::") else host


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--demo", is_flag=True, help="Seed the demo programme once and print its logins.")
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="gunicorn worker processes.",
)
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option("--check", is_flag=True, help="Prepare (migrate, static, demo) and exit.")
def serve(host: str, port: int, demo: bool, workers: int, threads: int, check: bool) -> None:
    """Serve the clinician web application (migrates and collects static files first)."""
    if demo:
        # The demo has no mail server: reset links an admin issues are printed here instead.
        os.environ.setdefault("BENZODETOX_EMAIL", "console")
        os.environ.setdefault("BENZODETOX_BASE_URL", f"http://{_shown(host)}:{port}")
    setup_django((host,))
    from django.conf import settings
    from django.db import connections

    url = f"http://{_shown(host)}:{port}/"
    if demo:
        _print_calculator(url)  # the demo's front door, first

    db = settings.DATABASES["default"]
    where = (
        db["NAME"]
        if str(db["ENGINE"]).endswith("sqlite3")
        else f"PostgreSQL {db['HOST']}/{db['NAME']}"
    )
    click.echo(f"benzodetox: database {where}")
    if migrate_if_needed():
        click.echo("benzodetox: database migrated")
    if collectstatic_if_needed():
        click.echo(f"benzodetox: static files collected in {settings.STATIC_ROOT}")
    if demo:
        from benzodetox.web.demo import seed_demo

        seeded, logins = seed_demo()
        if seeded:
            click.echo("benzodetox: demo programme seeded")
        _print_logins(logins, url)
    connections.close_all()  # no connection may be shared with the forked workers
    minutes = settings.SCHEDULER_MINUTES
    click.echo(
        f"benzodetox: overdue scan and phase advance every {minutes} min"
        if minutes
        else "benzodetox: scheduler off (BENZODETOX_SCHEDULER_MINUTES=0): use cron for scans"
    )
    if check:
        return
    click.echo(f"benzodetox: serving on {url} (Ctrl+C to stop)")
    _run_gunicorn(host, port, workers, threads)


def _start_scheduler(worker: Any = None) -> None:
    """Each worker runs the scheduler thread; the job rows decide which one does the work."""
    from django.conf import settings

    from benzodetox.web.scheduler.runner import start_in_background

    start_in_background(settings.SCHEDULER_MINUTES)


def _run_gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    class Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {
                "bind": bind,
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "timeout": 60,
                "graceful_timeout": 10,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "benzodetox",
                "post_worker_init": _start_scheduler,
            }.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from benzodetox.web.wsgi import application

            return application

    Application().run()


@click.group()
def user() -> None:
    """Manage accounts of the web application."""


@user.command("add")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in Role]),
)
@click.option("--programme", required=True, help="Programme name (created if new).")
@click.option(
    "--change-role",
    is_flag=True,
    help="Allow changing the role of someone who is already a member of the programme.",
)
def user_add(username: str, role: str, programme: str, change_role: bool) -> None:
    """Add USERNAME with ROLE in PROGRAMME (password from stdin, or prompted twice).

    An existing user keeps their password and joins the programme; changing the role of an
    existing member needs --change-role. Every account, membership and role change is written
    to the audit log."""
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from benzodetox.web.programmes.models import Membership, Programme
    from benzodetox.web.programmes.services import add_member

    migrate_if_needed()
    users = get_user_model()
    # as Django stores it (NFKC: 'ªo' is 'ao'), so the same person is found, not created twice
    username = users.normalize_username(username)
    _valid_name(users, users.USERNAME_FIELD, username, "username")
    _valid_name(Programme, "name", programme, "--programme")
    existing = users.objects.filter(username=username).first()
    previous = (
        Membership.objects.filter(user=existing, programme__name=programme).first()
        if existing is not None
        else None
    )
    if previous is not None and previous.role == role:
        click.echo(f"{username} is already {role} in {programme}: nothing changed")
        return
    if previous is not None and not change_role:
        raise BadInput(
            f"{username} is already {previous.role} in {programme}; to make them {role} "
            "run again with --change-role"
        )
    with transaction.atomic():
        if existing is None:
            existing = _create_user(users, username)
            _audit_cli("account.created", existing, None, f"account {username} created")
            click.echo(f"user {username} created")
        membership = add_member(existing, programme, role)
        if previous is None:
            _audit_cli(
                "member.added",
                existing,
                membership.programme_id,
                f"{username} added as {role}",
                {"role": role},
            )
        else:
            _audit_cli(
                "member.role_changed",
                existing,
                membership.programme_id,
                f"{username}: {previous.role} → {role}",
                {"from": previous.role, "to": role},
            )
    click.echo(f"{username} is {role} in {programme}")


def _existing_user(username: str) -> Any:
    """The account USERNAME names (normalised as the web does), on a migrated database; exit 2
    when there is none."""
    setup_django()
    from django.contrib.auth import get_user_model

    migrate_if_needed()
    users = get_user_model()
    target = users.objects.filter(username=users.normalize_username(username)).first()
    if target is None:
        raise BadInput(f"username {username[:40]!r} refused: no such user")
    return target


@user.command("reset-link")
@click.argument("username")
@click.option(
    "--base-url",
    default="",
    help="Address the link starts with (default: BENZODETOX_BASE_URL, else http://127.0.0.1:8000).",
)
def user_reset_link(username: str, base_url: str) -> None:
    """Print a one-time link for USERNAME to set a new password (and e-mail it when e-mail is
    configured and the user has an address). It works once, until BENZODETOX_RESET_LINK_HOURS
    (default 24) have passed; its creation and its use are written to the audit log."""
    target = _existing_user(username)
    name = target.get_username()
    from benzodetox.web.accounts.services import issue_reset_link

    if not target.is_active:
        raise BadInput(f"username {name!r} refused: the account is inactive; activate it first")
    if base_url and not base_url.startswith(("http://", "https://")):
        raise BadInput(f"--base-url {base_url[:40]!r} refused: it starts with http:// or https://")
    issued = issue_reset_link(target, actor_name=f"cli:{_os_user()}", base_url=base_url)
    hours = round((issued.link.expires_at - issued.link.created_at).total_seconds() / 3600)
    click.echo(issued.url)
    note = f"works once, for {hours} h"
    if issued.emailed_to:
        note += f"; e-mailed to {issued.emailed_to}"
    click.echo(note, err=True)


@user.command("unlock")
@click.argument("username")
def user_unlock(username: str) -> None:
    """Clear the sign-in delays of USERNAME (its failed sign-ins and those of its trusted
    browsers), so the right password works at once. Written to the audit log."""
    target = _existing_user(username)
    name = target.get_username()
    from benzodetox.web.accounts import throttle
    from benzodetox.web.audit.models import AuditEvent

    cleared = throttle.unlock_user(name)
    AuditEvent(
        username=f"cli:{_os_user()}"[:150],
        action="account.unlocked",
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        summary=f"sign-in delays of {name} cleared",
        detail={"member": name, "counters": cleared, "via": "benzodetox user unlock"},
    ).save()
    click.echo(f"{name}: sign-in delays cleared" if cleared else f"{name} had no sign-in delay")


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _valid_name(model: Any, field_name: str, value: str, option: str) -> None:
    """The model field's own validators (the web's username rules, the maximum length)."""
    from django.core.exceptions import ValidationError

    field = model._meta.get_field(field_name)
    try:
        field.clean(value, None)
    except ValidationError as error:
        raise BadInput(f"{option} {value[:40]!r} refused: " + " ".join(error.messages)) from None


def _create_user(users: Any, username: str) -> Any:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        validate_password(password, users(username=username))
    except ValidationError as error:
        raise BadInput("password refused: " + " ".join(error.messages)) from None
    return users.objects.create_user(username=username, password=password)


def _audit_cli(
    action: str,
    member: Any,
    programme_id: int | None,
    summary: str,
    detail: dict[str, str] | None = None,
) -> None:
    """An audit event for a change made from the command line: the actor is the operating-system
    account that ran it (there is no signed-in user), the object the account changed."""
    import getpass

    from benzodetox.web.audit.models import AuditEvent

    try:
        actor = getpass.getuser()
    except (KeyError, OSError):
        actor = f"uid {os.getuid()}"
    AuditEvent(
        username=f"cli:{actor}"[:150],
        action=action,
        programme_id=programme_id,
        object_type=member._meta.label_lower,
        object_id=str(member.pk),
        summary=summary[:300],
        detail={"member": member.get_username(), "via": "benzodetox user add", **(detail or {})},
    ).save()


@click.command(
    context_settings={"ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command, e.g. `benzodetox manage createsuperuser`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reads the settings, where a bad variable is found
    except ImproperlyConfigured as error:
        raise BadInput(f"configuration: {error}") from None
    execute_from_command_line(["benzodetox manage", *args])


commands = [serve, user, manage]
