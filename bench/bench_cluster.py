"""Two ``benzodetox serve`` instances on one PostgreSQL database under 50 clients (issue 12,
item 8): stateless servers, no lost writes, p50/p95 and throughput beside the floor.

Creates a scratch database (``benzodetox_bench_cluster_<pid>``) on the server of
``DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/postgres), migrates and seeds it
(patients with approved plans and assessments, one nurse account per client), starts two
servers on loopback — each with its own empty data folder (nothing shared on disk), the same
``SECRET_KEY`` from the environment, the scheduler on — and drives ``--clients`` clients for
``--seconds``: each signs in once, then loops over a realistic mix (the patient list with a
filter, a patient's page, a patient's monitoring page, recording a CIWA-B = a write), every
request to the next server in turn (a session made on one server is used on the other).
Counts errors, checks that every acknowledged write (a redirect after the POST) is in the
database, and runs the same clients against ``/healthz`` (one ``SELECT 1`` through the same
middleware, servers and database: the floor). Prints the figures and the machine, stops the
servers and drops the database. Loopback only; the client threads share the machine's CPUs
with the servers and PostgreSQL.

    uv run python bench/bench_cluster.py [--clients 50] [--seconds 60] [--workers 2]
                                         [--threads 4] [--patients 2000] [--keep]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time as clock
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import describe
from _web import scratch_postgres

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = f"benzodetox_bench_cluster_{os.getpid()}"
PASSWORD = "cluster bench passphrase 7"
CIWA_ITEMS = 20
#: the mix: (kind, weight)
MIX = (("list", 30), ("patient", 25), ("monitoring", 25), ("record", 20))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(n_patients: int, clients: int) -> tuple[list[str], list[int]]:
    """Patients with plans and assessments (bench_monitoring's seed), one nurse per client."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from bench_monitoring import _seed as seed_monitoring
    from benzodetox.web.programmes.models import Membership, Programme

    _, own, _ = seed_monitoring(n_patients, n_patients * 20)
    programme = Programme.objects.get(name="Bench programme 1")
    programme.two_factor_roles = []  # the bench signs in with a password only
    programme.save()
    hashed = make_password(PASSWORD)
    names = [f"bench-nurse-{i:03d}" for i in range(clients)]
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=name, password=hashed) for name in names]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, programme=programme, role="nurse") for u in users]
    )
    return names, own


def _start_servers(
    count: int, workers: int, threads: int, env_base: dict[str, str], folders: list[str]
) -> tuple[list[subprocess.Popen[str]], list[int]]:
    servers, ports = [], []
    for folder in folders[:count]:
        port = _free_port()
        env = dict(env_base, BENZODETOX_DATA_DIR=folder)
        servers.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "benzodetox",
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                    "--threads",
                    str(threads),
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
        ports.append(port)
    deadline = clock.monotonic() + 120
    for port, server in zip(ports, servers, strict=True):
        while True:
            if server.poll() is not None:
                raise SystemExit(
                    f"a server stopped: {server.stderr.read() if server.stderr else ''}"
                )
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            if clock.monotonic() > deadline:
                raise SystemExit(f"the server on port {port} did not answer /healthz")
            clock.sleep(0.5)
    return servers, ports


class Browser:
    """One client: its cookies, a kept-alive connection per server, and the next server."""

    def __init__(self, ports: list[int], offset: int) -> None:
        self.ports = ports
        self.turn = offset
        self.cookies: dict[str, str] = {}
        self.connections: dict[int, http.client.HTTPConnection] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, bytes]:
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if method == "POST" and port in self.connections:
            # a write goes on a fresh connection: a kept-alive one the server closed while
            # idle would fail it, and a POST is never repeated (it could be a second write)
            self.connections.pop(port).close()
        for attempt in (1, 2):
            connection = self.connections.get(port)
            if connection is None:
                connection = self.connections[port] = http.client.HTTPConnection(
                    "127.0.0.1", port, timeout=60
                )
            try:
                connection.request(method, path, body=body, headers=headers)
                answer = connection.getresponse()
                content = answer.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                del self.connections[port]
                if attempt == 2 or method == "POST":
                    raise  # a POST is never silently repeated: it would be a second write
        for header in answer.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return answer.status, answer.headers.get("Location", ""), content

    def close(self) -> None:
        for connection in self.connections.values():
            connection.close()


@dataclass
class Tally:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    attempted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, problem: str = "") -> None:
        with self.lock:
            self.timings[kind].append(ms)
            if problem:
                self.errors.append(f"{kind}: {problem}")


def _sign_in(browser: Browser, username: str) -> str:
    """'' when signed in, else the problem."""
    status, _, _ = browser.request("GET", "/accounts/login/")
    token = browser.cookies.get("csrftoken", "")
    if status != 200 or not token:
        return f"login page HTTP {status}"
    status, location, _ = browser.request(
        "POST",
        "/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    if status != 302 or "/accounts/" in location:
        return f"sign-in HTTP {status} to {location!r}"
    return ""


def _client(
    number: int, username: str, ports: list[int], own: list[int], stop: float, tally: Tally
) -> None:
    rng = random.Random(number)
    browser = Browser(ports, number)
    started = clock.perf_counter()
    try:
        problem = _sign_in(browser, username)
    except OSError as error:
        problem = str(error)
    tally.add("sign-in", (clock.perf_counter() - started) * 1000, problem)
    if problem:
        return
    kinds = [k for k, w in MIX for _ in range(w)]
    filters = ["", "?phase=tapering", "?sort=alerts", "?q=P-00", "?next=7", "?sort=dose"]
    writes = 0
    while clock.monotonic() < stop:
        kind = rng.choice(kinds)
        patient = rng.choice(own)
        started = clock.perf_counter()
        problem = ""
        try:
            if kind == "list":
                status, _, body = browser.request("GET", "/patients/" + rng.choice(filters))
                if status != 200 or b"</table>" not in body:
                    problem = f"HTTP {status}"
            elif kind == "patient":
                status, _, body = browser.request("GET", f"/patients/{patient}/")
                problem = "" if status == 200 else f"HTTP {status}"
            elif kind == "monitoring":
                status, _, body = browser.request("GET", f"/patients/{patient}/monitoring/")
                if status != 200 or b"<svg" not in body:
                    problem = f"HTTP {status}"
            else:
                writes += 1
                note = f"bench-{number}-{writes}-{secrets.token_hex(4)}"
                form = {f"item_{i}": str(rng.randint(0, 1)) for i in range(1, CIWA_ITEMS + 1)}
                form.update(
                    at=clock.strftime("%Y-%m-%dT%H:%M", clock.gmtime(clock.time() - 120)),
                    notes=note,
                    csrfmiddlewaretoken=browser.cookies.get("csrftoken", ""),
                )
                with tally.lock:
                    tally.attempted += 1
                path = f"/patients/{patient}/monitoring/record/ciwa-b/"
                status, location, body = browser.request("POST", path, form)
                if status == 302 and location.endswith(f"/patients/{patient}/monitoring/"):
                    with tally.lock:
                        tally.acknowledged.append(note)
                else:
                    found = re.findall(rb'class="errorlist[^"]*"[^>]*>(.{0,200})', body)
                    problem = f"HTTP {status} {location!r} {found[:1]!r}"
        except OSError as error:
            problem = f"{type(error).__name__}: {error}"
        tally.add(kind, (clock.perf_counter() - started) * 1000, problem)
    browser.close()


def _floor_client(number: int, ports: list[int], stop: float, tally: Tally) -> None:
    browser = Browser(ports, number)
    while clock.monotonic() < stop:
        started = clock.perf_counter()
        try:
            status, _, body = browser.request("GET", "/healthz")
            problem = "" if status == 200 and body == b"ok" else f"HTTP {status}"
        except OSError as error:
            problem = f"{type(error).__name__}: {error}"
        tally.add("floor", (clock.perf_counter() - started) * 1000, problem)
    browser.close()


def _run(target: Any, args_of: list[tuple[Any, ...]]) -> None:
    threads = [threading.Thread(target=target, args=a) for a in args_of]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _line(label: str, timings: list[float], seconds: float, errors: int = 0) -> str:
    if not timings:
        return f"{label:<34} no requests"
    ordered = sorted(timings)
    n = len(ordered)
    p95 = ordered[max(int(0.95 * n) - 1, 0)]
    return (
        f"{label:<34} n={n:<6} p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   "
        f"{n / seconds:6.1f} req/s   errors {errors}"
    )


def _stored(notes: list[str]) -> int:
    from benzodetox.web.monitoring.models import Assessment
    from benzodetox.web.programmes.scoping import unscoped

    found = 0
    with unscoped():
        for start in range(0, len(notes), 1000):
            found += Assessment.objects.filter(notes__in=notes[start : start + 1000]).count()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--servers", type=int, default=2, choices=(1, 2, 3, 4))
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.seconds <= 600:
        raise SystemExit("--clients must be 1–200 and --seconds 1–600 (a bounded run)")

    with scratch_postgres(BENCH_DB, keep=args.keep):
        started = clock.perf_counter()
        names, own = _seed(args.patients, args.clients)
        print(
            f"seeded {args.patients:,} patients, {args.patients * 20:,} assessments and "
            f"{args.clients} nurse accounts in {clock.perf_counter() - started:.1f} s"
        )
        from django.db import connections

        connections.close_all()
        env = dict(
            os.environ,
            SECRET_KEY=secrets.token_urlsafe(50),  # shared by the servers, from the environment
            BENZODETOX_ALLOWED_HOSTS="127.0.0.1",
            BENZODETOX_SCHEDULER_MINUTES="1",
            BENZODETOX_TIME_ZONE="UTC",  # the clients write "observed at" in UTC
            DEBUG="0",
        )
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.pop("SECRET_KEY_FILE", None)
        with tempfile.TemporaryDirectory(prefix="benzodetox-cluster-") as top:
            folders = [os.path.join(top, f"server-{i}") for i in range(args.servers)]
            servers, ports = _start_servers(args.servers, args.workers, args.threads, env, folders)
            try:
                mix = Tally()
                stop = clock.monotonic() + args.seconds
                began = clock.monotonic()
                _run(
                    _client,
                    [(i, names[i], ports, own, stop, mix) for i in range(args.clients)],
                )
                mix_seconds = clock.monotonic() - began
                floor = Tally()
                stop = clock.monotonic() + args.seconds
                _run(_floor_client, [(i, ports, stop, floor) for i in range(args.clients)])
            finally:
                for server in servers:
                    server.terminate()
                for server in servers:
                    try:
                        server.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        server.kill()
            leftovers = {
                name: sorted(os.listdir(folder))
                for name, folder in zip(
                    ("server-1", "server-2", "server-3", "server-4"), folders, strict=False
                )
            }
        stored = _stored(mix.acknowledged)
        from benzodetox.web.scheduler.models import JobRun

        runs = {row.name: row.runs for row in JobRun.objects.all()}

        print(f"benzodetox cluster bench — {describe()} (shared with the load generator)")
        print(
            f"{args.servers} × benzodetox serve ({args.workers} workers × {args.threads} "
            f"threads each) on one PostgreSQL database {BENCH_DB}; {args.clients} clients × "
            f"{args.seconds:.0f} s, each request to the next server in turn"
        )
        everything: list[float] = []
        by_kind_errors: dict[str, int] = defaultdict(int)
        for problem in mix.errors:
            by_kind_errors[problem.split(":", 1)[0]] += 1
        for kind in ("sign-in", *[k for k, _ in MIX]):
            print(_line(f"  {kind}", mix.timings[kind], mix_seconds, by_kind_errors[kind]))
            if kind != "sign-in":
                everything.extend(mix.timings[kind])
        print(_line("mix (without sign-in)", everything, mix_seconds, len(mix.errors)))
        print(
            _line(
                "floor: /healthz (SELECT 1)",
                floor.timings["floor"],
                args.seconds,
                len(floor.errors),
            )
        )
        lost = len(mix.acknowledged) - stored
        print(
            f"writes: {mix.attempted} attempted, {len(mix.acknowledged)} acknowledged, "
            f"{stored} of those in the database afterwards — lost {lost}"
        )
        print(f"periodic job runs across both servers: {runs}")
        print(f"files the servers left in their data folders: {leftovers}")
        for problem in sorted(set(mix.errors + floor.errors))[:8]:
            print(f"  error: {problem}")
        if mix.errors or floor.errors or lost:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
