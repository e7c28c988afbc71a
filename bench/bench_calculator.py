"""The open taper calculator (issue 17): preview request p95 < 50 ms; 20 concurrent clients for
30 s against a real ``benzodetox serve`` on loopback with 0 errors.

1. In process: the preview fragment through the whole Django stack with the test client (a new
   regimen amount each request, so no two plans are the same), median/p95/p99.
2. Over HTTP: ``benzodetox serve`` started as a subprocess on a free port with a scratch
   ``BENZODETOX_DATA_DIR`` (SQLite; the calculator touches no database) and the rate limit raised
   through ``BENZODETOX_CALCULATOR_RATE_PER_MINUTE``; 20 threads each request previews and pages in
   a loop for 30 s; every answer must be HTTP 200 with the plan's step table.

    uv run python bench/bench_calculator.py [--requests 300] [--clients 20] [--seconds 30]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time as clock
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import describe
from _web import time_requests

ROOT = Path(__file__).resolve().parents[1]


def query(i: int) -> str:
    """A two-dose alprazolam regimen with a switch to diazepam; the amount varies with ``i``."""
    amount = ("0.5", "0.75", "1", "1.5", "2")[i % 5]
    return urlencode(
        {
            "dose-0-drug": "alprazolam",
            "dose-0-amount": amount,
            "dose-0-unit": "mg",
            "dose-0-time": "08:00",
            "dose-1-drug": "alprazolam",
            "dose-1-amount": "1",
            "dose-1-unit": "mg",
            "dose-1-time": "22:00",
            "switch_to": "diazepam",
            "source": "ashton-2002",
            "strategy": "asam",
            "percent": "10",
            "interval_days": "14",
            "market": "us",
            "allow_liquid": "on",
            "crossover_days": "7",
            "start": "2030-03-04",
        }
    )


def in_process(n: int) -> tuple[str, float]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benzodetox.web.settings")
    os.environ["BENZODETOX_ALLOWED_HOSTS"] = "testserver"
    os.environ["BENZODETOX_CALCULATOR_RATE_PER_MINUTE"] = "1000000"
    import django

    django.setup()
    from django.test import Client

    client = Client()
    return time_requests(
        "calculator preview (in process)",
        n,
        lambda i: client.get(f"/calculator/preview/?{query(i)}"),
        expect=b'class="steps"',
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = clock.monotonic() + seconds
    while clock.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            clock.sleep(0.3)
    raise SystemExit(f"the server did not answer {url} within {seconds} s")


def over_http(clients: int, seconds: float) -> int:
    """Returns the number of errors (non-200, missing table, or a failed connection)."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="benzodetox-bench-calc-") as data_dir:
        env = dict(
            os.environ,
            BENZODETOX_DATA_DIR=data_dir,
            BENZODETOX_CALCULATOR_RATE_PER_MINUTE="1000000",
            BENZODETOX_SCHEDULER_MINUTES="0",
        )
        for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "BENZODETOX_ALLOWED_HOSTS"):
            env.pop(name, None)
        server = subprocess.Popen(
            [sys.executable, "-m", "benzodetox", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(f"{base}/healthz")
            timings: list[float] = []
            errors: list[str] = []
            lock = threading.Lock()
            stop = clock.monotonic() + seconds

            def client(number: int) -> None:
                i = number
                while clock.monotonic() < stop:
                    path = "/calculator/preview/" if i % 4 else "/calculator/"
                    started = clock.perf_counter()
                    try:
                        with urllib.request.urlopen(f"{base}{path}?{query(i)}", timeout=30) as a:
                            body = a.read()
                            ok = a.status == 200 and b'class="steps"' in body
                            problem = "" if ok else f"HTTP {a.status} without the step table"
                    except OSError as error:
                        problem = str(error)
                    took = (clock.perf_counter() - started) * 1000
                    with lock:
                        timings.append(took)
                        if problem:
                            errors.append(problem)
                    i += clients

            threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    timings.sort()
    n = len(timings)
    print(
        f"{'calculator over HTTP, ' + str(clients) + ' clients':<40} n={n:<5} "
        f"median {statistics.median(timings):6.1f} ms   p95 {timings[int(0.95 * n) - 1]:6.1f} ms   "
        f"p99 {timings[max(int(0.99 * n) - 1, 0)]:6.1f} ms   {n / seconds:6.0f} req/s   "
        f"errors {len(errors)}"
    )
    for problem in sorted(set(errors))[:5]:
        print(f"  error: {problem}")
    return len(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    print(describe())
    _, p95 = in_process(args.requests)
    errors = over_http(args.clients, args.seconds)
    print(f"preview p95 {p95:.1f} ms (target < 50 ms); errors under load {errors} (target 0)")
    if p95 >= 50 or errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
