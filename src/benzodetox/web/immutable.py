"""Clinical records the database itself refuses to change or remove.

``GUARDED`` is the one list of guarded tables. ``install()`` gives each of them triggers
(SQLite and PostgreSQL) that refuse every ``UPDATE`` and ``DELETE`` (and, on PostgreSQL,
``TRUNCATE``) whatever path the write takes: the ORM, ``_base_manager``, a queryset, raw SQL or
a database shell. A correction is a new row (a new plan version, an assessment's correction as
its next version, a new relapse-plan version) with its reason; the old row stays as it was.

One change is allowed, on one table: an assessment's pointer to the version that corrects it
(``superseded_by_id``) may be set once, from empty, with every other column unchanged.

The maintenance bypass (``maintenance()``) lets one transaction DELETE/TRUNCATE guarded rows:
it exists for emptying a database (the test runner's flush between transactional tests, a
restore into an emptied database) and is never used by the application. It never allows an
UPDATE. On SQLite it is the one row of ``benzodetox_maintenance``; on PostgreSQL the
transaction-local setting ``benzodetox.maintenance``. Both end with the transaction.

``install()`` is idempotent: the audit migration runs it, and so does every ``post_migrate``
(SQLite drops a table's triggers when a migration rebuilds the table).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction

__all__ = [
    "GUARDED",
    "MAINTENANCE_SETTING",
    "MAINTENANCE_TABLE",
    "Guarded",
    "install",
    "installed",
    "maintenance",
    "trigger_names",
    "uninstall",
]


@dataclass(frozen=True)
class Guarded:
    """A table whose rows are written once. ``pointer`` names the one column that may be set
    once, from NULL, with every other column unchanged (an assessment's successor)."""

    table: str
    what: str
    pointer: str = ""


HISTORY = "history rows"

GUARDED: tuple[Guarded, ...] = (
    Guarded("plans_planversion", "plan versions"),
    Guarded("plans_planapproval", "plan approvals"),
    Guarded("plans_plansignature", "plan signatures"),
    Guarded("monitoring_assessment", "recorded assessments", pointer="superseded_by_id"),
    Guarded("monitoring_advicerecord", "advice records"),
    Guarded("careplans_relapseplanversion", "relapse-plan versions"),
    Guarded("careplans_adjunctnote", "adjunct notes"),
    Guarded("careplans_returntousereport", "return-to-use reports"),
    Guarded("audit_auditevent", "audit events"),
    # django-simple-history: every historical table
    Guarded("patients_historicalpatient", HISTORY),
    Guarded("patients_historicalregimendose", HISTORY),
    Guarded("patients_historicalintake", HISTORY),
    Guarded("plans_historicalplanpolicy", HISTORY),
    Guarded("careplans_historicalcourse", HISTORY),
    Guarded("careplans_historicalcoursesession", HISTORY),
    Guarded("careplans_historicalaftercareplan", HISTORY),
    Guarded("careplans_historicalaftercareitem", HISTORY),
    Guarded("careplans_historicalaftercarepolicysettings", HISTORY),
    Guarded("careplans_historicalpharmacypolicysettings", HISTORY),
    Guarded("checkins_diaryentry", "dose diary entries"),
)

MAINTENANCE_TABLE = "benzodetox_maintenance"
MAINTENANCE_SETTING = "benzodetox.maintenance"
FUNCTION = "benzodetox_refuse_change"
OPERATIONS = {"sqlite": ("update", "delete"), "postgresql": ("update", "delete", "truncate")}


def _message(guarded: Guarded) -> str:
    return (
        f"{guarded.what} are immutable ({guarded.table}): never changed or removed; "
        "a correction is a new version with its reason"
    )


def trigger_names(vendor: str, guarded: Guarded) -> tuple[str, ...]:
    """The names of the triggers guarding ``guarded`` on ``vendor``."""
    return tuple(f"{guarded.table}__no_{op}" for op in OPERATIONS.get(vendor, ()))


# --- SQLite -------------------------------------------------------------------------------

SQLITE_MAINTENANCE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {MAINTENANCE_TABLE} "
    "(id INTEGER PRIMARY KEY CHECK (id = 1), reason TEXT NOT NULL, since TEXT NOT NULL)"
)


def _sqlite_columns(cursor: Any, table: str) -> list[str]:
    cursor.execute(f'PRAGMA table_info("{table}")')
    return [str(row[1]) for row in cursor.fetchall()]


def _sqlite_triggers(guarded: Guarded, columns: Sequence[str]) -> dict[str, str]:
    """name → the exact CREATE TRIGGER statement (compared with sqlite_master's copy)."""
    table = guarded.table
    refuse = "SELECT RAISE(ABORT, '" + _message(guarded).replace("'", "''") + "')"
    update_when = ""
    if guarded.pointer:
        same = " AND ".join(f'OLD."{c}" IS NEW."{c}"' for c in columns if c != guarded.pointer)
        update_when = (
            f' WHEN NOT (OLD."{guarded.pointer}" IS NULL AND NEW."{guarded.pointer}" IS NOT NULL'
            + (f" AND {same}" if same else "")
            + ")"
        )
    update_name, delete_name = trigger_names("sqlite", guarded)
    return {
        update_name: (
            f'CREATE TRIGGER "{update_name}" BEFORE UPDATE ON "{table}" FOR EACH ROW'
            f"{update_when} BEGIN {refuse}; END"
        ),
        delete_name: (
            f'CREATE TRIGGER "{delete_name}" BEFORE DELETE ON "{table}" FOR EACH ROW'
            f" WHEN NOT EXISTS (SELECT 1 FROM {MAINTENANCE_TABLE}) BEGIN {refuse}; END"
        ),
    }


def _install_sqlite(cursor: Any, tables: set[str], guarded: Sequence[Guarded]) -> int:
    cursor.execute(SQLITE_MAINTENANCE_TABLE)
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    existing = {str(name): str(sql) for name, sql in cursor.fetchall()}
    made = 0
    for item in guarded:
        if item.table not in tables:
            continue
        columns = _sqlite_columns(cursor, item.table) if item.pointer else []
        for name, sql in _sqlite_triggers(item, columns).items():
            if existing.get(name) == sql:
                continue
            # missing, or stale (e.g. a column was added since): replace it
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
            cursor.execute(sql)
            made += 1
    return made


# --- PostgreSQL -----------------------------------------------------------------------------

PG_BODY = f"""
DECLARE
    pointer text;
    before jsonb;
    after jsonb;
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE')
       AND coalesce(current_setting('{MAINTENANCE_SETTING}', true), '') = 'on' THEN
        IF TG_LEVEL = 'ROW' THEN RETURN OLD; END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND TG_NARGS > 1 THEN
        pointer := TG_ARGV[1];
        before := to_jsonb(OLD);
        after := to_jsonb(NEW);
        IF jsonb_typeof(before -> pointer) = 'null'
           AND jsonb_typeof(after -> pointer) <> 'null'
           AND (before - pointer) = (after - pointer) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION USING
        ERRCODE = 'integrity_constraint_violation',
        MESSAGE = format(
            '%s are immutable (%s): never changed or removed; '
            'a correction is a new version with its reason (%s refused)',
            TG_ARGV[0], TG_TABLE_NAME, TG_OP);
END
"""
PG_FUNCTION = (
    f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $fn${PG_BODY}$fn$"
)
#: serialises install() between servers migrating at the same moment (pg_advisory_xact_lock)
PG_LOCK = 0x62656E7A6F  # "benzo"


def _pg_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _pg_triggers(guarded: Guarded) -> dict[str, str]:
    args = _pg_literal(guarded.what)
    if guarded.pointer:
        args += ", " + _pg_literal(guarded.pointer)
    update_name, delete_name, truncate_name = trigger_names("postgresql", guarded)
    table = f'"{guarded.table}"'
    call = f"EXECUTE FUNCTION {FUNCTION}({args})"
    return {
        update_name: f'CREATE OR REPLACE TRIGGER "{update_name}" BEFORE UPDATE ON {table} '
        f"FOR EACH ROW {call}",
        delete_name: f'CREATE OR REPLACE TRIGGER "{delete_name}" BEFORE DELETE ON {table} '
        f"FOR EACH ROW {call}",
        truncate_name: f'CREATE OR REPLACE TRIGGER "{truncate_name}" BEFORE TRUNCATE ON {table} '
        f"FOR EACH STATEMENT {call}",
    }


def _pg_existing(cursor: Any) -> set[tuple[str, str]]:
    cursor.execute(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname = %s "
        "AND pg_table_is_visible(c.oid)",
        [FUNCTION],
    )
    return {(str(table), str(name)) for table, name in cursor.fetchall()}


def _install_postgresql(cursor: Any, tables: set[str], guarded: Sequence[Guarded]) -> int:
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PG_LOCK])
    cursor.execute(
        "SELECT prosrc FROM pg_proc WHERE proname = %s AND pg_function_is_visible(oid)", [FUNCTION]
    )
    made = 0
    if [row[0] for row in cursor.fetchall()] != [PG_BODY]:
        cursor.execute(PG_FUNCTION)  # missing or out of date (no DDL when it is current)
        made += 1
    existing = _pg_existing(cursor)
    for item in guarded:
        if item.table not in tables:
            continue
        for name, sql in _pg_triggers(item).items():
            if (item.table, name) not in existing:
                cursor.execute(sql)
                made += 1
    return made


# --- both -----------------------------------------------------------------------------------


def install(connection: Any, guarded: Sequence[Guarded] = GUARDED) -> int:
    """Create the missing (or stale) triggers on the tables that exist; return how many were
    made. Idempotent: a second call makes none."""
    vendor = connection.vendor
    if vendor not in OPERATIONS:
        return 0
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if vendor == "sqlite":
            return _install_sqlite(cursor, tables, guarded)
        return _install_postgresql(cursor, tables, guarded)


def uninstall(connection: Any, guarded: Sequence[Guarded] = GUARDED) -> None:
    """Drop every trigger ``install()`` makes (the migration's reverse)."""
    vendor = connection.vendor
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for item in guarded:
            for name in trigger_names(vendor, item):
                if vendor == "sqlite":
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
                elif item.table in tables:
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{item.table}"')
        if vendor == "sqlite":
            cursor.execute(f"DROP TABLE IF EXISTS {MAINTENANCE_TABLE}")
        elif vendor == "postgresql":
            cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


def installed(connection: Any, guarded: Sequence[Guarded] = GUARDED) -> dict[str, set[str]]:
    """table → the names of its guard triggers present now (for tests and ``check``)."""
    found: dict[str, set[str]] = {item.table: set() for item in guarded}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            pairs = {(str(t), str(n)) for t, n in cursor.fetchall()}
        elif connection.vendor == "postgresql":
            pairs = _pg_existing(cursor)
        else:
            pairs = set()
    for table, name in pairs:
        if table in found and name.startswith(f"{table}__no_"):
            found[table].add(name)
    return found


def _maintenance_on(cursor: Any, vendor: str) -> bool:
    if vendor == "sqlite":
        cursor.execute(f"SELECT count(*) FROM {MAINTENANCE_TABLE}")
        return bool(cursor.fetchone()[0])
    cursor.execute("SELECT coalesce(current_setting(%s, true), '')", [MAINTENANCE_SETTING])
    return bool(cursor.fetchone()[0] == "on")


@contextmanager
def maintenance(connection: Any, reason: str) -> Iterator[None]:
    """Inside this block (one transaction) guarded rows may be DELETEd or TRUNCATEd — never
    UPDATEd. For emptying a database only: the test runner's flush and a restore. The switch
    is part of the transaction, so it ends with it, whether the block succeeds or fails.
    """
    if not reason.strip():
        raise ValueError("maintenance needs a reason")
    vendor = connection.vendor
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            if vendor == "sqlite":
                cursor.execute(SQLITE_MAINTENANCE_TABLE)
            nested = vendor in OPERATIONS and _maintenance_on(cursor, vendor)
            if vendor == "sqlite" and not nested:
                cursor.execute(
                    f"INSERT INTO {MAINTENANCE_TABLE} (id, reason, since) "
                    "VALUES (1, %s, datetime('now'))",
                    [reason[:200]],
                )
            elif vendor == "postgresql" and not nested:
                cursor.execute("SELECT set_config(%s, 'on', true)", [MAINTENANCE_SETTING])
        yield
        if not nested:
            with connection.cursor() as cursor:
                if vendor == "sqlite":
                    cursor.execute(f"DELETE FROM {MAINTENANCE_TABLE}")
                elif vendor == "postgresql":
                    cursor.execute("SELECT set_config(%s, '', true)", [MAINTENANCE_SETTING])
