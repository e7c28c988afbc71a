"""`benzodetox serve` runs the overdue scan and the phase advance itself: no cron needed."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _finished_jobs(db: Path) -> set[str]:
    if not db.exists():
        return set()
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            rows = conn.execute(
                "SELECT name FROM scheduler_jobrun WHERE finished_at IS NOT NULL AND ok"
            ).fetchall()
    except sqlite3.OperationalError:  # not migrated yet
        return set()
    return {name for (name,) in rows}


def test_serve_with_two_workers_runs_each_job_by_itself(tmp_path):
    """A real server (two gunicorn workers, SQLite in its data folder) records a finished run
    of both jobs within a minute of starting, with nothing but `benzodetox serve`."""
    env = dict(os.environ, BENZODETOX_DATA_DIR=str(tmp_path), BENZODETOX_SCHEDULER_MINUTES="1")
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benzodetox",
            "serve",
            "--port",
            str(_free_port()),
            "--workers",
            "2",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        found: set[str] = set()
        while time.monotonic() < deadline and server.poll() is None:
            found = _finished_jobs(tmp_path / "benzodetox.sqlite3")
            if found >= {"overdue-scan", "phase-advance"}:
                break
            time.sleep(0.5)
        assert found >= {"overdue-scan", "phase-advance"}, server.poll()
        with sqlite3.connect(tmp_path / "benzodetox.sqlite3") as conn:
            (runs,) = conn.execute(
                "SELECT runs FROM scheduler_jobrun WHERE name = 'overdue-scan'"
            ).fetchone()
        assert runs == 1  # two workers, one run in the interval
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "overdue scan and phase advance every 1 min" in output
    assert "Traceback" not in output
