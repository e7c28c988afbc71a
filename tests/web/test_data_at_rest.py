"""Data at rest: the data folder is 0700, the SQLite database 0600 (with its WAL files), and
SQLite runs synchronous=FULL so a power cut loses no acknowledged commit (issue 12, item 6)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from benzodetox.web.env import make_private_dir, make_private_file

PROBE = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS probe (x integer)")
    cursor.execute("INSERT INTO probe VALUES (1)")
    cursor.execute("PRAGMA synchronous")
    print(cursor.fetchone()[0])
    cursor.execute("PRAGMA journal_mode")
    print(cursor.fetchone()[0])
    import os, stat
    name = str(connection.settings_dict["NAME"])
    print(oct(stat.S_IMODE(os.stat(name + "-wal").st_mode)))
    print(oct(stat.S_IMODE(os.stat(name + "-shm").st_mode)))
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _start(data_dir: Path) -> list[str]:
    env = dict(os.environ, BENZODETOX_DATA_DIR=str(data_dir))
    env.pop("DATABASE_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "benzodetox.web.settings"
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=lambda: os.umask(0o022),  # the usual umask, which gives 0644 files
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_new_data_folder_and_database_are_readable_by_their_owner_only(tmp_path):
    """Under umask 022 the folder is 0700, the database and its -wal/-shm files 0600."""
    data_dir = tmp_path / "new" / "data"
    *_, wal, shm = _start(data_dir)
    assert _mode(data_dir) == 0o700
    assert _mode(data_dir / "benzodetox.sqlite3") == 0o600
    assert (wal, shm) == ("0o600", "0o600")
    assert _mode(data_dir / "secret_key") == 0o600


def test_an_existing_open_data_folder_and_database_are_made_private(tmp_path):
    """A folder (0755) and database (0644) made by an earlier version are tightened on start."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    database = data_dir / "benzodetox.sqlite3"
    database.touch()
    database.chmod(0o644)
    _start(data_dir)
    assert (_mode(data_dir), _mode(database)) == (0o700, 0o600)


def test_sqlite_runs_with_synchronous_full_in_wal_mode(tmp_path):
    """PRAGMA synchronous is 2 (FULL), journal_mode WAL, on the application's connection."""
    synchronous, journal, *_ = _start(tmp_path / "data")
    assert (synchronous, journal) == ("2", "wal")


def test_make_private_file_keeps_an_existing_files_content(tmp_path):
    """Tightening an existing database never truncates it."""
    path = tmp_path / "db"
    path.write_bytes(b"keep me")
    path.chmod(0o644)
    make_private_file(path)
    assert path.read_bytes() == b"keep me" and _mode(path) == 0o600


def test_a_data_folder_that_cannot_be_made_names_the_variable(tmp_path):
    """A folder under a file fails with ImproperlyConfigured naming BENZODETOX_DATA_DIR."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ImproperlyConfigured, match="BENZODETOX_DATA_DIR"):
        make_private_dir(blocker / "data")
    with pytest.raises(ImproperlyConfigured, match="BENZODETOX_DATA_DIR"):
        make_private_file(blocker / "db")
