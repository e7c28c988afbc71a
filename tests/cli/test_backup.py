"""``benzodetox backup`` and ``benzodetox restore`` (issue 12, item 7), on the database the suite
runs on: SQLite in a data folder, or PostgreSQL (``DATABASE_URL``) in scratch databases with
unique names, dropped at the end.

The demo is seeded into a real installation, backed up and restored into an empty one by the
command itself (a subprocess, as an operator runs it); the copies are compared table by table,
trigger by trigger and sequence by sequence, then written to.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benzodetox.cli.main import cli
from benzodetox.web.backup import BackupRefused, read_backup
from benzodetox.web.backup.sqlite import sqlite_snapshot

BASE_URL = os.environ.get("DATABASE_URL", "")
VENDOR = "postgresql" if BASE_URL else "sqlite"
AUDIT = "audit_auditevent"


def _admin() -> Any:
    import psycopg

    parts = urlsplit(BASE_URL)
    return psycopg.connect(
        urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, "")), autocommit=True
    )


@dataclass
class Site:
    """One installation of benzodetox: its data folder and, on PostgreSQL, its database."""

    data_dir: Path
    static_root: Path
    database_url: str = ""

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env |= {
            "BENZODETOX_DATA_DIR": str(self.data_dir),
            "BENZODETOX_STATIC_ROOT": str(self.static_root),
            "BENZODETOX_SCHEDULER_MINUTES": "0",
        }
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "benzodetox.cli.main", *args],
            env=self.env(),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    @property
    def name(self) -> str:
        """The database's name as restore's --overwrite takes it."""
        if self.database_url:
            return urlsplit(self.database_url).path.lstrip("/")
        return str(self.data_dir / "benzodetox.sqlite3")

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url, autocommit=True) as connection:
                cursor = connection.execute(sql)
                return list(cursor.fetchall()) if cursor.description else []
        connection = sqlite3.connect(self.name, isolation_level=None, timeout=20)
        try:
            return list(connection.execute(sql).fetchall())
        finally:
            connection.close()

    def tables(self) -> list[str]:
        if self.database_url:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        return sorted(str(row[0]) for row in self.query(sql))

    def counts(self) -> dict[str, int]:
        return {t: int(self.query(f'SELECT count(*) FROM "{t}"')[0][0]) for t in self.tables()}

    def triggers(self) -> set[str]:
        if self.database_url:
            sql = (
                "SELECT c.relname, g.tgname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid"
                " WHERE NOT g.tgisinternal"
            )
        else:
            sql = "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"
        return {f"{table}.{name}" for table, name in self.query(sql)}

    def max_id(self, table: str) -> int:
        return int(self.query(f'SELECT coalesce(max(id), 0) FROM "{table}"')[0][0])

    def sequences(self) -> dict[str, tuple[int, int]]:
        """table → (the value the next insert's id is at least, the largest id present)."""
        if self.database_url:
            rows = self.query(
                "SELECT c.relname, a.attname, s.relname FROM pg_depend d "
                "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
                "JOIN pg_class c ON c.oid = d.refobjid "
                "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid "
                "WHERE d.deptype IN ('a', 'i')"
            )
            found = {}
            for table, column, sequence in rows:
                last, called = self.query(f'SELECT last_value, is_called FROM "{sequence}"')[0]
                top = self.query(f'SELECT coalesce(max("{column}"), 0) FROM "{table}"')[0][0]
                found[table] = (int(last) + 1 if called else int(last), int(top))
            return found
        return {
            str(table): (int(seq) + 1, self.max_id(str(table)))
            for table, seq in self.query("SELECT name, seq FROM sqlite_sequence")
        }


@pytest.fixture(scope="module")
def make_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Site]]:
    """New, empty installations; their scratch PostgreSQL databases are dropped at the end."""
    static_root = tmp_path_factory.mktemp("static")
    databases: list[str] = []

    def make(label: str) -> Site:
        data_dir = tmp_path_factory.mktemp(label)
        if not BASE_URL:
            return Site(data_dir, static_root)
        name = f"bzbk_{label}_{uuid.uuid4().hex[:12]}"
        with _admin() as admin:
            admin.execute(f"CREATE DATABASE {name}")
        databases.append(name)
        parts = urlsplit(BASE_URL)
        url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
        return Site(data_dir, static_root, url)

    yield make
    if databases:
        with _admin() as admin:
            for name in databases:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@dataclass
class Original:
    site: Site
    counts: dict[str, int]
    triggers: set[str]
    sequences: dict[str, tuple[int, int]]
    file: Path
    output: str


@pytest.fixture(scope="module")
def original(
    make_site: Callable[[str], Site], tmp_path_factory: pytest.TempPathFactory
) -> Original:
    """The demo (two programmes, patients in every phase, plans, assessments, care plans,
    history and audit rows) seeded by ``serve --demo --check``, counted, then backed up."""
    site = make_site("source")
    seeded = site.run("serve", "--demo", "--check")
    assert seeded.returncode == 0, seeded.stderr
    counts, triggers, sequences = site.counts(), site.triggers(), site.sequences()
    file = tmp_path_factory.mktemp("backups") / "benzodetox.backup"
    done = site.run("backup", str(file))
    assert done.returncode == 0, done.stderr
    return Original(site, counts, triggers, sequences, file, done.stdout)


@pytest.fixture(scope="module")
def empty(make_site: Callable[[str], Site]) -> Site:
    """One empty installation for the tests where restore must refuse or only check (each of
    them asserts that it is still empty afterwards)."""
    return make_site("empty")


def _restore(site: Site, file: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return site.run("restore", str(file), *extra)


def _holds_no_data(site: Site) -> bool:
    generated = {"django_migrations", "django_content_type", "auth_permission"}
    return all(n == 0 for t, n in site.counts().items() if t not in generated)


def test_a_restore_into_an_empty_database_has_every_row_trigger_and_sequence(
    original: Original, make_site: Callable[[str], Site]
) -> None:
    """Every table has the original's rows (the audit log one more: the restore itself), the
    same triggers exist and guard, each table's next id is past its largest, and new writes
    (an account, a membership, their audit events) succeed after the original's ids."""
    target = make_site("target")
    done = _restore(target, original.file)
    assert done.returncode == 0, done.stderr
    expected = dict(original.counts)
    expected[AUDIT] += 1
    assert target.counts() == expected
    assert target.triggers() == original.triggers
    assert any(trigger.startswith(f"{AUDIT}.") for trigger in target.triggers())
    assert target.sequences() == {
        table: (nxt + (1 if table == AUDIT else 0), top + (1 if table == AUDIT else 0))
        for table, (nxt, top) in original.sequences.items()
    }
    assert all(nxt > top for nxt, top in target.sequences().values())
    added = target.run(
        "user", "add", "after-restore", "--role", "nurse", "--programme", "Demo programme",
        stdin="a long enough passphrase\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert target.max_id("auth_user") > original.sequences["auth_user"][1]
    assert target.max_id(AUDIT) == original.sequences[AUDIT][1] + 3  # restored, created, added
    ((action, username, programme),) = target.query(
        f"SELECT action, username, programme_id FROM {AUDIT} WHERE id = "
        f"{original.sequences[AUDIT][1] + 1}"
    )
    assert (action, username, programme) == ("backup.restored", "", None)
    with pytest.raises(Exception, match=r"append-only|immutable"):
        target.query(f"UPDATE {AUDIT} SET summary = 'rewritten'")


def test_the_backup_is_private_and_its_manifest_says_what_it_holds(original: Original) -> None:
    """FILE is 0600; the manifest names the vendor, the versions, the last migration of each
    app and the original's rows per table; backup.created is audited by the system."""
    assert original.file.stat().st_mode & 0o777 == 0o600
    with tarfile.open(original.file) as tar:
        assert tar.getnames() == ["manifest.json", f"database.{_ext()}", "SHA256SUMS"]
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["vendor"] == VENDOR and manifest["format_version"] == 1
    assert manifest["tables"] == original.counts
    assert manifest["last_migrations"]["audit"] >= "0002"
    assert "secret key is not in the backup" in original.output
    (event,) = original.site.query(
        f"SELECT username, programme_id, user_id, detail FROM {AUDIT} "
        "WHERE action = 'backup.created' ORDER BY id LIMIT 1"
    )
    detail = event[3] if isinstance(event[3], dict) else json.loads(event[3])
    assert event[:3] == ("", None, None)
    assert detail["via"] == "benzodetox backup" and detail["rows"] == sum(original.counts.values())


def _ext() -> str:
    return "pgdump" if VENDOR == "postgresql" else "sqlite3"


def test_restore_refuses_a_database_that_holds_data(original: Original) -> None:
    """Restoring over the seeded original exits 2 and says how to overwrite; --overwrite naming
    another database is refused too; nothing changes."""
    before = original.site.counts()
    done = _restore(original.site, original.file)
    assert done.returncode == 2
    assert "holds data" in done.stderr and f"--overwrite '{original.site.name}'" in done.stderr
    assert "Traceback" not in done.stderr
    wrong = _restore(original.site, original.file, "--overwrite", "some-other-database")
    assert wrong.returncode == 2 and "does not name this database" in wrong.stderr
    assert original.site.counts() == before


def test_overwrite_naming_the_database_replaces_it(
    original: Original, make_site: Callable[[str], Site]
) -> None:
    """A restored copy that then gained an account is replaced when --overwrite names it: the
    account is gone, the rows are the backup's again."""
    site = make_site("overwrite")
    assert _restore(site, original.file).returncode == 0
    added = site.run(
        "user", "add", "later", "--role", "nurse", "--programme", "Demo programme",
        stdin="a long enough passphrase\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    done = _restore(site, original.file, "--overwrite", site.name)
    assert done.returncode == 0, done.stderr
    assert site.query("SELECT count(*) FROM auth_user WHERE username = 'later'") == [(0,)]
    expected = dict(original.counts)
    expected[AUDIT] += 1
    assert site.counts() == expected


def test_a_backup_of_an_older_schema_is_migrated_forward(
    original: Original, make_site: Callable[[str], Site], tmp_path: Path
) -> None:
    """A backup made before the scheduler's migration (undone here with `migrate scheduler
    zero`) restores, then is migrated to this version: the job table is back and --check had
    said how many migrations it would need."""
    older = make_site("older")
    assert _restore(older, original.file).returncode == 0
    undone = older.run("manage", "migrate", "scheduler", "zero", "--verbosity", "0")
    assert undone.returncode == 0, undone.stderr
    assert "scheduler_jobrun" not in older.tables()
    file = tmp_path / "older.backup"
    assert older.run("backup", str(file)).returncode == 0
    target = make_site("forward")
    with tarfile.open(original.file) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    scheduler = manifest["migrations"]["scheduler"]
    checked = _restore(target, file, "--check")
    assert f"migrations to apply after a restore: {len(scheduler)}" in checked.stdout, checked
    done = _restore(target, file)
    assert done.returncode == 0, done.stderr
    assert "older schema was migrated" in done.stdout
    assert "scheduler_jobrun" in target.tables()
    applied = target.query("SELECT name FROM django_migrations WHERE app = 'scheduler'")
    assert sorted(name for (name,) in applied) == scheduler


@pytest.mark.skipif(VENDOR != "postgresql", reason="the emptying and loading transaction")
def test_a_failed_postgresql_restore_changes_nothing(
    original: Original, make_site: Callable[[str], Site]
) -> None:
    """When loading fails midway (a type in the target has a table's name), the emptying of the
    target is rolled back with the rest: its table and row are still there; exit 1, one line."""
    site = make_site("failing")
    site.query("CREATE TABLE keep_me (x int)")
    site.query("INSERT INTO keep_me VALUES (42)")
    site.query("CREATE TYPE auth_group AS (x int)")
    done = _restore(site, original.file, "--overwrite", site.name)
    assert done.returncode == 1, done.stderr
    assert "nothing was changed" in done.stderr and "auth_group" in done.stderr
    assert site.query("SELECT x FROM keep_me") == [(42,)]
    assert site.tables() == ["keep_me"]


def test_restore_check_verifies_the_file_and_changes_nothing(
    original: Original, empty: Site
) -> None:
    """--check reports a whole backup with its row count and that the target holds no data."""
    site = empty
    done = _restore(site, original.file, "--check")
    assert done.returncode == 0, done.stderr
    assert f"{sum(original.counts.values())} rows" in done.stdout
    assert "holds no data" in done.stdout
    assert _holds_no_data(site)


def _cut_in(file: Path, member: str) -> bytes:
    """The backup cut short in the middle of ``member``."""
    with tarfile.open(file) as tar:
        (info,) = [m for m in tar.getmembers() if m.name.startswith(member)]
    return file.read_bytes()[: info.offset_data + info.size // 2]


def test_a_truncated_backup_is_refused_and_the_target_stays_empty(
    original: Original, empty: Site, tmp_path: Path
) -> None:
    """A file cut short exits 2 with one line saying it is truncated; the target stays empty."""
    short = tmp_path / "short.backup"
    short.write_bytes(_cut_in(original.file, "database"))
    done = _restore(empty, short)
    assert done.returncode == 2, done.stderr
    assert "truncated" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert _holds_no_data(empty)


@pytest.mark.parametrize("member", ["manifest.json", "database", "SHA256SUMS"])
def test_a_cut_in_any_member_is_named_truncated(
    member: str, original: Original, tmp_path: Path
) -> None:
    """Cut inside the manifest, the database or the checksums (written last): refused."""
    short = tmp_path / "short.backup"
    short.write_bytes(_cut_in(original.file, member))
    with pytest.raises(BackupRefused, match="truncated"):
        read_backup(short, tmp_path)


def test_a_compressed_backup_reads_back_the_same(original: Original, tmp_path: Path) -> None:
    """A backup gzipped for storage (as the docs allow) reads back with the same manifest."""
    import gzip

    packed = tmp_path / "packed.backup.gz"
    packed.write_bytes(gzip.compress(original.file.read_bytes(), compresslevel=1))
    assert read_backup(packed, None)[0] == read_backup(original.file, None)[0]


def test_a_changed_byte_in_the_database_fails_its_checksum(
    original: Original, empty: Site, tmp_path: Path
) -> None:
    """One byte changed in the middle of the database is refused before anything is restored."""
    data = bytearray(original.file.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad = tmp_path / "bad.backup"
    bad.write_bytes(bytes(data))
    done = _restore(empty, bad)
    assert done.returncode == 2 and "checksum" in done.stderr, done.stderr
    assert _holds_no_data(empty)


def _rewritten(file: Path, target: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of the backup with its manifest changed (and its checksums made to fit)."""
    with tarfile.open(file) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        payload = tar.extractfile(f"database.{_ext()}").read()  # type: ignore[union-attr]
    change(manifest)
    raw = json.dumps(manifest).encode()
    sums = (
        f"{hashlib.sha256(raw).hexdigest()}  manifest.json\n"
        f"{hashlib.sha256(payload).hexdigest()}  {manifest['payload']}\n"
    ).encode()
    with tarfile.open(target, "w") as tar:
        for name, data in (
            ("manifest.json", raw),
            (manifest["payload"], payload),
            ("SHA256SUMS", sums),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def test_a_backup_from_a_newer_schema_is_refused(
    original: Original, empty: Site, tmp_path: Path
) -> None:
    """A migration this version does not know (the backup is newer) is named in the refusal."""

    def newer(manifest: dict[str, Any]) -> None:
        manifest["migrations"]["plans"].append("9999_from_the_future")

    file = _rewritten(original.file, tmp_path / "newer.backup", newer)
    site = empty
    done = _restore(site, file)
    assert done.returncode == 2
    assert "newer schema" in done.stderr and "plans.9999_from_the_future" in done.stderr
    assert _holds_no_data(site)


def test_a_backup_of_the_other_vendor_is_refused(
    original: Original, empty: Site, tmp_path: Path
) -> None:
    """A SQLite backup is not restored into PostgreSQL, nor the other way round."""
    other = "sqlite" if VENDOR == "postgresql" else "postgresql"

    def moved(manifest: dict[str, Any]) -> None:
        manifest["vendor"] = other
        manifest["payload"] = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[other]

    file = _rewritten(original.file, tmp_path / "other.backup", moved)
    done = _restore(empty, file)
    assert done.returncode == 2
    assert "a backup of a" in done.stderr and "DATABASE_URL" in done.stderr
    assert _holds_no_data(empty)


def test_missing_and_existing_files_exit_2_naming_file(tmp_path: Path) -> None:
    """restore of a missing file, and backup over an existing file or into a missing folder,
    exit 2 with one message naming FILE, before any database is opened."""
    runner = CliRunner()
    missing = runner.invoke(cli, ["restore", str(tmp_path / "nothing.backup")])
    assert (
        missing.exit_code == 2 and "'FILE'" in missing.output and "does not exist" in missing.output
    )
    existing = tmp_path / "exists.backup"
    existing.write_bytes(b"keep me")
    over = runner.invoke(cli, ["backup", str(existing)])
    assert over.exit_code == 2 and "never replaces a file" in over.output
    assert existing.read_bytes() == b"keep me"
    nowhere = runner.invoke(cli, ["backup", str(tmp_path / "no" / "such" / "x.backup")])
    assert nowhere.exit_code == 2 and "existing, writable folder" in nowhere.output


def test_a_file_that_is_not_a_backup_says_what_it_is(tmp_path: Path) -> None:
    """A bare SQLite database given to restore is named as such (no database is touched)."""
    bare = tmp_path / "benzodetox.sqlite3"
    sqlite3.connect(bare).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(BackupRefused, match="bare SQLite database"):
        read_backup(bare, tmp_path)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_damaged_backup_is_refused_or_reads_back_identical(
    data: st.DataObject, original: Original, tmp_path: Path
) -> None:
    """Whatever single byte changes, or wherever the file is cut, reading it either refuses it
    (BackupRefused) or yields the very same manifest, whose checksum the database inside was
    just verified against: never a different backup."""
    whole = original.file.read_bytes()
    reference, _ = read_backup(original.file, None)
    damaged = bytearray(whole)
    if data.draw(st.booleans(), label="cut"):
        damaged = damaged[: data.draw(st.integers(0, len(whole) - 1), label="length")]
    else:
        at = data.draw(st.one_of(st.integers(0, 8191), st.integers(0, len(whole) - 1)), label="at")
        damaged[at] ^= data.draw(st.integers(1, 255), label="xor")
    file = tmp_path / f"{uuid.uuid4().hex}.backup"
    file.write_bytes(bytes(damaged))
    try:
        manifest, _ = read_backup(file, None)
    except BackupRefused:
        return
    finally:
        file.unlink()
    assert manifest == reference


def test_a_sqlite_snapshot_is_consistent_while_a_writer_holds_a_transaction(tmp_path: Path) -> None:
    """With another connection mid-transaction (WAL, as the server runs), the backup API copies
    the committed rows at once, without waiting, and the copy passes its integrity check."""
    live = tmp_path / "live.sqlite3"
    writer = sqlite3.connect(live, isolation_level=None, timeout=0.1)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE note (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT)")
    writer.executemany("INSERT INTO note (text) VALUES (?)", [("kept",)] * 50)
    writer.execute("BEGIN IMMEDIATE")
    writer.executemany("INSERT INTO note (text) VALUES (?)", [("uncommitted",)] * 20)
    inventory = sqlite_snapshot(str(live), tmp_path / "copy.sqlite3")
    writer.execute("COMMIT")
    writer.close()
    assert inventory.tables == {"note": 50}
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert copy.execute("SELECT count(*) FROM note WHERE text = 'kept'").fetchone() == (50,)
    copy.close()


def test_a_backup_taken_while_rows_are_written_is_consistent(
    original: Original, tmp_path: Path
) -> None:
    """A writer commits audit rows all through a backup: the backup succeeds (on PostgreSQL
    its archive must match the snapshot the counts were read in) and restore --check finds the
    database inside holding exactly the rows its manifest counts, some of the writer's among
    them. (Last in the file: it adds rows to the original.)"""
    before = original.site.counts()[AUDIT]
    stop, written = threading.Event(), [0]

    def write() -> None:
        while not stop.is_set():
            original.site.query(
                f"INSERT INTO {AUDIT} (at, username, action, object_type, object_id, summary, "
                "detail, request_id) VALUES (CURRENT_TIMESTAMP, 'writer', 'test.written', '', "
                "'', '', '{}', '')"
            )
            written[0] += 1

    writer = threading.Thread(target=write)
    writer.start()
    file = tmp_path / "busy.backup"
    try:
        done = original.site.run("backup", str(file))
    finally:
        stop.set()
        writer.join()
    assert done.returncode == 0, done.stderr
    checked = _restore(original.site, file, "--check")
    assert checked.returncode == 0 and "a whole backup" in checked.stdout, checked.stderr
    with tarfile.open(file) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert before < manifest["tables"][AUDIT] < before + written[0] + 2
