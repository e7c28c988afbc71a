"""SQLite: the online backup API for a consistent copy while the server runs, and restore by
the same API into the live database file (page by page, through SQLite's own locks)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .archive import GENERATED_TABLES, BackupFailed, BackupRefused, Inventory

__all__ = [
    "sqlite_holdings",
    "sqlite_inventory",
    "sqlite_payload_inventory",
    "sqlite_restore",
    "sqlite_snapshot",
]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_inventory(db: sqlite3.Connection) -> Inventory:
    tables = [
        str(row[0])
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name"
        )
    ]
    counts = {
        t: int(db.execute(f"SELECT count(*) FROM {_quoted(t)}").fetchone()[0]) for t in tables
    }
    listed = db.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
    triggers = sorted(f"{table}.{name}" for table, name in listed)
    return Inventory(counts, triggers, _migrations(db, tables), sqlite3.sqlite_version)


def _migrations(db: Any, tables: Iterable[str]) -> dict[str, list[str]]:
    if "django_migrations" not in tables:
        return {}
    applied: dict[str, list[str]] = {}
    for app, name in db.execute("SELECT app, name FROM django_migrations ORDER BY app, name"):
        applied.setdefault(str(app), []).append(str(name))
    return applied


def sqlite_snapshot(source: str, target: Path) -> Inventory:
    """Copy the live database ``source`` to ``target`` with SQLite's online backup API in one
    step (one read transaction: a consistent snapshot; in WAL mode the server's writers are not
    blocked), make the copy a standalone file and check it (``PRAGMA integrity_check``)."""
    try:
        src = sqlite3.connect(source, timeout=30)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
                _integrity(dst, str(target))
                return sqlite_inventory(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as error:
        raise BackupFailed(f"SQLite backup of {source} failed: {error}") from None


def _integrity(db: sqlite3.Connection, where: str, pragma: str = "integrity_check") -> None:
    result = [str(row[0]) for row in db.execute(f"PRAGMA {pragma}")]
    if result != ["ok"]:
        raise BackupFailed(f"{where}: {pragma} failed: {'; '.join(result[:3])}")


def sqlite_payload_inventory(payload: Path, where: str) -> Inventory:
    """Open an extracted SQLite payload read-only, check its structure and take its inventory.
    ``quick_check``: the checksums already prove it is the copy ``integrity_check`` passed when
    the backup was made (the full check of 300 MB takes 10 s)."""
    try:
        db = sqlite3.connect(f"{payload.resolve().as_uri()}?mode=ro", uri=True)
        try:
            _integrity(db, where, "quick_check")
            return sqlite_inventory(db)
        finally:
            db.close()
    except (sqlite3.Error, BackupFailed) as error:
        raise BackupRefused(f"{where}: the database in the backup is damaged ({error})") from None


def sqlite_holdings(target: str) -> dict[str, int]:
    """Tables of ``target`` that hold rows beyond those ``migrate`` and the server write."""
    try:
        db = sqlite3.connect(target, timeout=30)
        try:
            tables = sqlite_inventory(db).tables
        finally:
            db.close()
    except sqlite3.Error as error:
        raise BackupRefused(f"database {target}: cannot be read as SQLite ({error})") from None
    return {t: n for t, n in tables.items() if n and t not in GENERATED_TABLES}


def sqlite_restore(payload: Path, target: str) -> Inventory:
    """Replace ``target``'s content with the payload's, page by page through SQLite (its locks
    and WAL respected; one step, so atomic); return what the target then holds (its pages are
    the checked payload's, so the caller compares rows and triggers, not pages)."""
    try:
        src = sqlite3.connect(f"{payload.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(target, timeout=30)
            try:
                src.backup(dst)
                return sqlite_inventory(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as error:
        raise BackupFailed(
            f"restore into {target} failed: {error} (is a benzodetox server using it? stop it)"
        ) from None
