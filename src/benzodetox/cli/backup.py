"""``benzodetox backup FILE`` and ``benzodetox restore FILE``: the database in one file that
proves it is whole, and back into an empty database.

``backup`` copies the configured database (SQLite: the online backup API, consistent while the
server runs; PostgreSQL: ``pg_dump --format=custom``), checks the copy, writes FILE (0600, never
over an existing file) with a manifest (versions, migrations, rows per table, triggers) and
checksums, reads it back, and records ``backup.created`` in the audit log.

``restore`` checks FILE whole (checksums, the database inside against its manifest), refuses a
backup of another vendor or of a newer schema, refuses a database that holds data unless
``--overwrite`` names it, restores (atomically on both vendors), compares rows and triggers with
the manifest, migrates an older schema forward and records ``backup.restored``. ``--check``
does every check and changes nothing. The secret key is not in a backup (see
docs/operations/backup.md).
"""

from __future__ import annotations

import getpass
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import click

from .server import BadInput, migrate_if_needed, setup_django

VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class Failed(click.ClickException):
    """One-line error, exit status 1: the database or a tool failed."""

    exit_code = 1


@contextmanager
def _errors() -> Iterator[None]:
    from django.db import Error as DatabaseError

    from benzodetox.web.backup import BackupFailed, BackupRefused

    try:
        yield
    except BackupRefused as error:
        raise BadInput(str(error)) from None
    except (BackupFailed, DatabaseError) as error:
        text = str(error).strip()
        raise Failed(text.splitlines()[0] if text else repr(error)) from None


def _new_file(ctx: click.Context, param: click.Parameter, value: str) -> Path:
    path = Path(value).expanduser()
    if path.exists() or path.is_symlink():
        raise click.BadParameter(
            f"{value!r} exists; a backup never replaces a file: give a new name (e.g. dated)"
        )
    folder = path.parent.resolve()
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise click.BadParameter(f"{value!r}: expected a file in an existing, writable folder")
    return path


def _version() -> str:
    return package_version("benzodetox")


def _database() -> tuple[str, str, Any]:
    """(vendor, the database's name as --overwrite takes it, settings)."""
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    return connection.vendor, str(db["NAME"]), db


def _audit(action: str, command: str, summary: str, detail: dict[str, Any]) -> None:
    """An audit event by the system (no signed-in user, no programme), naming the OS account."""
    from benzodetox.web.audit.services import record

    try:
        actor = getpass.getuser()
    except (KeyError, OSError):
        actor = f"uid {os.getuid()}"
    detail = {"via": f"benzodetox {command}", "os_user": actor, **detail}
    record(None, action, summary=summary, detail=detail)


def _secret_key_note() -> str:
    from django.conf import settings

    if os.environ.get("SECRET_KEY", "").strip():
        where = "SECRET_KEY (set in the environment)"
    elif os.environ.get("SECRET_KEY_FILE", "").strip():
        where = os.environ["SECRET_KEY_FILE"].strip()
    else:
        where = str(Path(settings.DATA_DIR) / "secret_key")
    return (
        f"benzodetox: the secret key is not in the backup: keep a copy of {where} "
        "apart from it (docs/operations/backup.md)"
    )


@click.command()
@click.argument("file", metavar="FILE", callback=_new_file)
def backup(file: Path) -> None:
    """Back up the database to FILE (a new file, readable by its owner only).

    Safe while the server runs. FILE holds the database, a manifest (versions, migrations, rows
    per table, triggers) and checksums; `benzodetox restore --check FILE` verifies it. The
    secret key is not included: keep a copy of it apart."""
    setup_django()
    with _errors():
        manifest = _make_backup(file)
        _audit(
            "backup.created",
            "backup",
            f"backup written to {file.name}: {len(manifest.tables)} tables, {manifest.rows} rows",
            {
                "file": str(file.resolve()),
                "sha256": manifest.payload_sha256,
                "rows": manifest.rows,
                "vendor": manifest.vendor,
            },
        )
    size = file.stat().st_size
    click.echo(
        f"benzodetox: backup of {VENDOR_NAMES[manifest.vendor]} {manifest.database} written to "
        f"{file} ({len(manifest.tables)} tables, {manifest.rows} rows, {size:,} bytes; verified)"
    )
    click.echo(_secret_key_note())


def _make_backup(file: Path) -> Any:
    from benzodetox.web.backup import (
        PAYLOADS,
        BackupFailed,
        Manifest,
        count_differences,
        file_sha256,
        read_backup,
        write_backup,
    )

    vendor, name, db = _database()
    if vendor not in PAYLOADS:
        raise BackupFailed(f"backup supports SQLite and PostgreSQL, not {vendor}")
    with tempfile.TemporaryDirectory(dir=file.parent, prefix=".benzodetox-backup-") as work:
        payload = Path(work) / PAYLOADS[vendor]
        if vendor == "sqlite":
            from benzodetox.web.backup.sqlite import sqlite_snapshot

            inventory, schema = sqlite_snapshot(name, payload), "main"
        else:
            from benzodetox.web.backup.postgres import (
                PgTarget,
                pg_archive_counts,
                pg_dump,
                pg_snapshot,
            )

            target = PgTarget.from_settings(db)
            with pg_snapshot(target) as (snapshot, schema, inventory):
                pg_dump(target, snapshot, payload)
            differences = count_differences(inventory.tables, pg_archive_counts(payload))
            if differences:
                raise BackupFailed(f"pg_dump's archive differs from its snapshot: {differences[0]}")
        manifest = Manifest(
            vendor=vendor,
            app_version=_version(),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            database=name,
            server_version=inventory.server_version,
            schema=schema,
            migrations=inventory.migrations,
            tables=inventory.tables,
            triggers=inventory.triggers,
            payload=payload.name,
            payload_bytes=payload.stat().st_size,
            payload_sha256=file_sha256(payload),
        )
        write_backup(file, manifest, payload)
        payload.unlink()
        read_backup(file, None)  # what is on disk reads back whole
    return manifest


@click.command()
@click.argument(
    "file", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--check", is_flag=True, help="Verify FILE and whether it fits here; change nothing.")
@click.option(
    "--overwrite",
    metavar="DATABASE",
    help="Replace a database that holds data; name it as the refusal shows it.",
)
def restore(file: Path, check: bool, overwrite: str | None) -> None:
    """Restore the backup FILE into the configured database, which must hold no data.

    Stop every benzodetox server using the database first. FILE is checked whole before
    anything changes; the restore is one transaction; an older schema is migrated forward."""
    setup_django()
    from django.db import connections

    from benzodetox.web.backup import read_backup

    vendor, name, db = _database()
    with _errors(), tempfile.TemporaryDirectory(prefix="benzodetox-restore-") as work:
        manifest, payload = read_backup(file, Path(work))
        pending = _fits(manifest, vendor, str(file))
        _verify_payload(manifest, payload, str(file))
        holdings = _holdings(vendor, name, db)
        if check:
            _report(file, manifest, pending, name, holdings)
            return
        if overwrite is not None and overwrite != name:
            raise BadInput(f"--overwrite {overwrite!r} does not name this database: {name!r}")
        if holdings and overwrite is None:
            shown = ", ".join(f"{t} {n}" for t, n in sorted(holdings.items())[:4])
            raise BadInput(
                f"database {name} holds data ({shown}{' …' if len(holdings) > 4 else ''} rows); "
                f"restore never overwrites data: restore into an empty database, or pass "
                f"--overwrite {name!r} to replace it"
            )
        connections.close_all()
        _restore_into(vendor, name, db, manifest, payload)
    connections.close_all()
    with _errors():
        migrated = migrate_if_needed()
        _audit(
            "backup.restored",
            "restore",
            f"restored from {file.name} (made {manifest.created_at})",
            {
                "file": str(file.resolve()),
                "sha256": manifest.payload_sha256,
                "made": manifest.created_at,
                "app_version": manifest.app_version,
                "rows": manifest.rows,
                "overwrote": bool(overwrite),
                "migrated": migrated,
            },
        )
    click.echo(
        f"benzodetox: restored {file} (made {manifest.created_at} by benzodetox "
        f"{manifest.app_version}) into {VENDOR_NAMES[vendor]} {name}: "
        f"{len(manifest.tables)} tables, {manifest.rows} rows, triggers: "
        f"{len(manifest.triggers)}, as in the backup"
    )
    if migrated:
        click.echo("benzodetox: the backup's older schema was migrated to this version")
    click.echo("benzodetox: the secret key is not restored: keep the server's own key file")


def _fits(manifest: Any, vendor: str, where: str) -> int:
    """Refuse another vendor's backup and a newer schema; return the migrations an older
    schema will need."""
    from django.db.migrations.loader import MigrationLoader

    from benzodetox.web.backup import BackupRefused

    if manifest.vendor != vendor:
        how = (
            "set DATABASE_URL to an empty PostgreSQL database"
            if manifest.vendor == "postgresql"
            else "unset DATABASE_URL to restore into SQLite in BENZODETOX_DATA_DIR"
        )
        raise BackupRefused(
            f"{where}: a backup of a {VENDOR_NAMES[manifest.vendor]} database; this benzodetox "
            f"uses {VENDOR_NAMES.get(vendor, vendor)}: {how}"
        )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    ours = {app for app, _ in known}
    applied = {(app, name) for app, names in manifest.migrations.items() for name in names}
    # An app this version does not have is newer only if the backup's version is; otherwise
    # it is one since removed, whose tables come back unused.
    newer = _version_key(manifest.app_version) > _version_key(_version())
    unknown = sorted(f"{app}.{name}" for app, name in applied - known if app in ours or newer)
    if unknown:
        raise BackupRefused(
            f"{where}: made by benzodetox {manifest.app_version} with a newer schema than this "
            f"benzodetox {_version()} knows ({', '.join(unknown[:3])}"
            f"{' …' if len(unknown) > 3 else ''}): upgrade to {manifest.app_version} or later"
        )
    return len(known - applied) if applied else 0


def _version_key(version: str) -> tuple[int, ...]:
    """'0.10.2' → (0, 10, 2): enough to order benzodetox's own release numbers."""
    return tuple(int(part) for part in re.findall(r"\d+", version)[:4])


def _verify_payload(manifest: Any, payload: Path, where: str) -> None:
    """The database inside FILE holds what the manifest says (rows per table, triggers)."""
    from benzodetox.web.backup import BackupRefused, count_differences

    if manifest.vendor == "sqlite":
        from benzodetox.web.backup.sqlite import sqlite_payload_inventory

        inventory = sqlite_payload_inventory(payload, where)
        found, triggers = inventory.tables, inventory.triggers
    else:
        from benzodetox.web.backup.postgres import pg_archive_counts

        found, triggers = pg_archive_counts(payload), manifest.triggers
    differences = count_differences(manifest.tables, found)
    if differences:
        raise BackupRefused(f"{where}: the database differs from its manifest: {differences[0]}")
    if sorted(triggers) != sorted(manifest.triggers):
        raise BackupRefused(f"{where}: the database's triggers differ from its manifest")


def _holdings(vendor: str, name: str, db: Any) -> dict[str, int]:
    if vendor == "sqlite":
        from benzodetox.web.backup.sqlite import sqlite_holdings

        return sqlite_holdings(name)
    from benzodetox.web.backup.postgres import PgTarget, pg_holdings

    return pg_holdings(PgTarget.from_settings(db))


def _restore_into(vendor: str, name: str, db: Any, manifest: Any, payload: Path) -> None:
    from benzodetox.web.backup import BackupFailed, count_differences

    if vendor == "sqlite":
        from benzodetox.web.backup.sqlite import sqlite_restore

        inventory = sqlite_restore(payload, name)
        differences = count_differences(manifest.tables, inventory.tables)
        if differences or sorted(inventory.triggers) != sorted(manifest.triggers):
            raise BackupFailed(f"restored database differs from the backup: {differences[:1]}")
    else:
        from benzodetox.web.backup.postgres import PgTarget, pg_restore

        pg_restore(PgTarget.from_settings(db), payload, manifest)


def _report(file: Path, manifest: Any, pending: int, name: str, holdings: dict[str, int]) -> None:
    click.echo(
        f"{file}: a whole backup (checksums, {len(manifest.tables)} tables, {manifest.rows} rows "
        f"and triggers: {len(manifest.triggers)} verified)"
    )
    click.echo(
        f"  made {manifest.created_at} by benzodetox {manifest.app_version} from "
        f"{VENDOR_NAMES[manifest.vendor]} {manifest.server_version} {manifest.database}"
    )
    click.echo(
        f"  schema: older; migrations to apply after a restore: {pending}"
        if pending
        else "  schema: the same as this benzodetox"
    )
    if holdings:
        click.echo(f"  database {name} holds data: restore refuses it without --overwrite {name!r}")
    else:
        click.echo(f"  database {name} holds no data: `benzodetox restore {file}` restores here")


commands = [backup, restore]
