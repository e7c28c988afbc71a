"""PostgreSQL: ``pg_dump --format=custom`` of an exported snapshot (the manifest's row counts are
read in the same snapshot), and restore through ``pg_restore | psql`` in one transaction.

Restore empties the target's schema (it only does so when the target holds no data, or the
operator named the database to overwrite), feeds the archive's SQL to ``psql
--single-transaction`` and, still inside that transaction, checks every table's rows and every
trigger against the manifest: a short or failed stream rolls everything back. ``pg_restore``
creates triggers after the rows are loaded, so the immutability triggers never see the load.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .archive import GENERATED_TABLES, BackupFailed, BackupRefused, Inventory, Manifest

__all__ = [
    "PgTarget",
    "pg_archive_counts",
    "pg_dump",
    "pg_holdings",
    "pg_restore",
    "pg_snapshot",
]

_CHUNK = 1 << 20
#: Django's OPTIONS that are not libpq connection parameters.
_NOT_LIBPQ = frozenset({"pool", "server_side_binding", "assume_role", "isolation_level", "context"})
_COPY = re.compile(rb'^COPY (?:"(?:[^"]|"")+"|[^ ."]+)\.("(?:[^"]|"")+"|[^ ("]+) ')


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupFailed(
            f"{name} not found on PATH: install the PostgreSQL client programs "
            "(Debian: postgresql-client) of the server's major version or later"
        )
    return found


def _tail(handle: IO[bytes], lines: int = 4) -> str:
    handle.seek(0)
    text = handle.read().decode("utf-8", "replace")
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(kept[-lines:]) or "no message"


@dataclass(frozen=True)
class PgTarget:
    """How to reach the database: a libpq connection string (the password travels in
    ``PGPASSWORD``, never on a command line) and the database's name."""

    conninfo: str
    password: str
    name: str

    @classmethod
    def from_settings(cls, db: Mapping[str, Any]) -> PgTarget:
        from psycopg.conninfo import make_conninfo

        params: dict[str, Any] = {
            key: value
            for key, value in (db.get("OPTIONS") or {}).items()
            if key not in _NOT_LIBPQ and isinstance(value, str | int)
        }
        for key, setting in (("host", "HOST"), ("port", "PORT"), ("user", "USER")):
            if db.get(setting):
                params[key] = str(db[setting])
        params["dbname"] = str(db["NAME"])
        return cls(make_conninfo(**params), str(db.get("PASSWORD") or ""), str(db["NAME"]))

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self, autocommit: bool = True) -> Any:
        import psycopg

        try:
            return psycopg.connect(
                self.conninfo, password=self.password or None, autocommit=autocommit
            )
        except psycopg.Error as error:
            raise BackupFailed(
                f"cannot connect to PostgreSQL database {self.name}: {error}"
            ) from None


def _inventory(cursor: Any, schema: str) -> Inventory:
    from psycopg import sql

    cursor.execute(
        "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r', 'p') "
        "ORDER BY c.relname",
        (schema,),
    )
    tables = [str(row[0]) for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(
            sql.Identifier(schema), sql.Identifier(table)
        )
        counts[table] = int(cursor.execute(query).fetchone()[0])
    cursor.execute(
        "SELECT c.relname, g.tgname FROM pg_catalog.pg_trigger g "
        "JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND NOT g.tgisinternal",
        (schema,),
    )
    triggers = sorted(f"{table}.{name}" for table, name in cursor.fetchall())
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in tables:
        query = sql.SQL("SELECT app, name FROM {}.django_migrations ORDER BY app, name").format(
            sql.Identifier(schema)
        )
        for app, name in cursor.execute(query).fetchall():
            migrations.setdefault(str(app), []).append(str(name))
    version = str(cursor.execute("SHOW server_version").fetchone()[0])
    return Inventory(counts, triggers, migrations, version)


@contextmanager
def pg_snapshot(target: PgTarget) -> Iterator[tuple[str, str, Inventory]]:
    """A read-only REPEATABLE READ transaction whose snapshot is exported, kept open while the
    caller runs ``pg_dump --snapshot``: yields (snapshot id, schema, inventory of that snapshot)."""
    connection = target.connect(autocommit=False)
    try:
        cursor = connection.cursor()
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        query = "SELECT pg_export_snapshot(), current_schema()"
        snapshot, schema = cursor.execute(query).fetchone()
        yield str(snapshot), str(schema), _inventory(cursor, str(schema))
    finally:
        connection.rollback()
        connection.close()


def pg_dump(target: PgTarget, snapshot: str, dest: Path) -> None:
    command = [
        _tool("pg_dump"),
        "--format=custom",
        "--no-password",
        f"--snapshot={snapshot}",
        f"--file={dest}",
        f"--dbname={target.conninfo}",
    ]
    done = subprocess.run(command, env=target.env(), capture_output=True, check=False)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BackupFailed(f"pg_dump failed: {' | '.join(message[-4:]) or done.returncode}")


def pg_archive_counts(payload: Path) -> dict[str, int]:
    """Rows per table in a custom-format archive: the lines of each table's COPY block in
    ``pg_restore --data-only`` (text COPY escapes newlines, so one row is one line)."""
    counts: dict[str, int] = {}
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [_tool("pg_restore"), "--data-only", "--file=-", str(payload)],
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        assert process.stdout is not None
        table: str | None = None
        for line in process.stdout:
            if table is None:
                match = _COPY.match(line)
                if match:
                    raw = match.group(1).decode("utf-8", "replace")
                    table = raw[1:-1].replace('""', '"') if raw.startswith('"') else raw
                    counts[table] = 0
            elif line == b"\\.\n":
                table = None
            else:
                counts[table] += 1
        if process.wait() != 0:
            raise BackupRefused(f"the archive in the backup is unreadable: {_tail(errors)}")
    return counts


def pg_holdings(target: PgTarget) -> dict[str, int]:
    """Tables of the target's schema that hold rows beyond those ``migrate`` and the server
    write."""
    with target.connect() as connection:
        cursor = connection.cursor()
        schema = str(cursor.execute("SELECT current_schema()").fetchone()[0])
        tables = _inventory(cursor, schema).tables
    return {t: n for t, n in tables.items() if n and t not in GENERATED_TABLES}


def _emptying(target: PgTarget) -> str:
    """SQL dropping every table, view, sequence and function of the target's schema (those of
    extensions excepted), to run inside the restore's transaction."""
    kinds = {"r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE", "v": "VIEW"}
    kinds |= {"m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
    not_extension = (
        "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = {}.oid "
        "AND d.deptype = 'e')"
    )
    with target.connect() as connection:
        cursor = connection.cursor()
        relations = cursor.execute(
            "SELECT c.relkind, format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r','p','f','v','m','S') AND "
            + not_extension.format("c")
            + " ORDER BY c.relkind DESC"
        ).fetchall()
        functions = cursor.execute(
            "SELECT format('%I.%I(%s)', n.nspname, p.proname, "
            "pg_catalog.pg_get_function_identity_arguments(p.oid)) FROM pg_catalog.pg_proc p "
            "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.prokind IN ('f', 'p') AND "
            + not_extension.format("p")
        ).fetchall()
    statements = ["SET lock_timeout = '30s';"]
    statements += [f"DROP {kinds[kind]} IF EXISTS {name} CASCADE;" for kind, name in relations]
    statements += [f"DROP ROUTINE IF EXISTS {name} CASCADE;" for (name,) in functions]
    return "\n".join(statements) + "\n"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _check(manifest: Manifest) -> str:
    """A DO block, run last inside the restore's transaction, raising (so rolling back) when a
    table's rows or a trigger differ from the manifest."""
    tag = f"$check_{secrets.token_hex(8)}$"
    schema = manifest.schema
    lines = ["", f"DO {tag}", "DECLARE found bigint;", "BEGIN"]
    for table, rows in sorted(manifest.tables.items()):
        lines += [
            f"SELECT count(*) INTO found FROM {_identifier(schema)}.{_identifier(table)};",
            f"IF found <> {rows} THEN RAISE EXCEPTION 'restore check: table % holds % rows; "
            f"the backup has %', {_literal(table)}, found, {rows}; END IF;",
        ]
    for trigger in manifest.triggers:
        table, _, name = trigger.partition(".")
        lines.append(
            "IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class c "
            "ON c.oid = g.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE n.nspname = {_literal(schema)} AND c.relname = {_literal(table)} "
            f"AND g.tgname = {_literal(name)} AND NOT g.tgisinternal) THEN RAISE EXCEPTION "
            f"'restore check: trigger % is missing', {_literal(trigger)}; END IF;"
        )
    lines += ["END", f"{tag};", ""]
    return "\n".join(lines)


def pg_restore(target: PgTarget, payload: Path, manifest: Manifest) -> None:
    """Empty the target's schema and load the archive, all in one transaction that also checks
    the result against the manifest; any failure leaves the target as it was."""
    emptying = _emptying(target)
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        psql = subprocess.Popen(
            [
                _tool("psql"),
                "--no-psqlrc",
                "--quiet",
                "--no-password",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                f"--dbname={target.conninfo}",
                "--file=-",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
            env=target.env(),
        )
        restore = subprocess.Popen(
            [_tool("pg_restore"), "--no-owner", "--no-acl", "--file=-", str(payload)],
            stdout=subprocess.PIPE,
            stderr=restore_errors,
        )
        try:
            _feed(psql, restore, emptying, _check(manifest), restore_errors)
        except BaseException:
            for process in (psql, restore):  # killed before stdin closes: psql never commits
                process.kill()
                process.wait()
            raise
        if psql.wait() != 0:
            raise BackupFailed(
                f"restore failed, nothing was changed (one transaction): {_tail(psql_errors)}"
            )


def _feed(
    psql: subprocess.Popen[bytes],
    restore: subprocess.Popen[bytes],
    emptying: str,
    check: str,
    restore_errors: IO[bytes],
) -> None:
    """Relay pg_restore's SQL to psql between the emptying and the check; psql's end of input
    (its COMMIT) comes only after pg_restore succeeded."""
    assert psql.stdin is not None and restore.stdout is not None
    try:
        psql.stdin.write(emptying.encode())
        while chunk := restore.stdout.read(_CHUNK):
            psql.stdin.write(chunk)
        if restore.wait() != 0:
            raise BackupFailed(f"pg_restore failed: {_tail(restore_errors)}")
        psql.stdin.write(check.encode())
        psql.stdin.close()
    except BrokenPipeError:
        restore.kill()  # psql stopped on an error; its message tells which
        restore.wait()
        with suppress(BrokenPipeError):
            psql.stdin.close()
