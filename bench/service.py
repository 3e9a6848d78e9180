"""Service bench: the whole stack under a mixed load, as a fund would run it.

Builds the sample fund in ``--db`` (PostgreSQL's schema is dropped and rebuilt, so name
a database of its own; SQLite in a temporary folder when no ``--db``): loaded,
appraised, optimised, approved, and the results loop run (partners' reports, one
verified, a tranche paid by results), so the portal's results page shows what a fund
in operation shows. Then starts ``pfund serve --workers N`` (jobs left to the job
workers) and ``--job-workers`` ``pfund worker`` processes, and drives a mixed load from
``--connections`` client threads of this process, each one request at a time:

- 90 % public reads, each route equally often: home, project list (page and API), a
  project page (any public project), the portal's results page (English and
  Russian), funding, decisions;
- 9 % staff reads with a signed-in session (staff home, jobs, tranches, screening,
  conditions, a project's staff page) and the jobs API with a bearer token;
- 1 % writes: a public proposal through the form, and a job started through the API.

Printed as JSON: requests per second; p50 / p99 latency overall, by class and by route
(the results page on its own); errors (connection failures and 5xx) and other
non-success answers by status; job latency from queued to done. The client shares the
machine with the server: the figures are the stack's and its load's together.

Usage: python bench/service.py --db postgresql+psycopg://postgres@127.0.0.1/pf_bench
                               [--seconds 30] [--connections 16] [--api-workers 4]
                               [--job-workers 2] [--job-kind probe]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from pfund.domain.account import Role
from pfund.domain.jobs import JobState
from pfund.services import accounts, jobs
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.demo import load_demo
from pfund.services.demo_loop import run_results_loop
from pfund.services.portfolio import run_portfolio
from pfund.services.runtime import Runtime, open_runtime
from pfund.settings import Settings
from web_load import free_port, reset_postgres, settle_postgres

PFUND = str(Path(sys.executable).parent / "pfund")
USER, PASSWORD = "bench-admin", "a long enough bench password 1"
PUBLIC = 0.90
STAFF = 0.99  # the rest are writes


def build(url: str) -> str:
    """The sample fund in operation, and a staff bearer token."""
    rt = open_runtime(Settings(database_url=url, actor="bench"))
    try:
        summary = load_demo(rt)
        report, _ = run_portfolio(rt, appraise_pipeline(load_inputs(rt)), time_limit=30)
        year = summary.envelope_year
        assert year is not None
        run_results_loop(rt, report.record_id, year=year)
        accounts.add_user(rt, USER, PASSWORD, roles=[Role.ADMIN])
        return accounts.issue_token(rt, USER).token
    finally:
        rt.close()


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)


def stack(url: str, args: argparse.Namespace, folder: Path) -> tuple[list[Any], str]:
    """``pfund serve`` and the job workers, once every API worker is ready."""
    env = os.environ | {
        "PFUND_DATABASE_URL": url,
        "PFUND_SERVE_RUNS_JOBS": "false",
        "PFUND_PROPOSALS_PER_HOUR": "1000000",  # one client address sends every proposal
        "PFUND_JOB_POLL_SECONDS": "0.2",
        "PYTHONUNBUFFERED": "1",
    }
    port = free_port()
    serve = [PFUND, "serve", "--port", str(port), "--workers", str(args.api_workers)]
    serve += ["--worker-timeout", str(args.worker_timeout)]
    started = [start(serve, env, folder / "serve.log")]
    logs = [folder / f"worker-{n}.log" for n in range(args.job_workers)]
    started += [start([PFUND, "worker"], env, log) for log in logs]
    base = f"http://127.0.0.1:{port}"
    try:  # every process starts at once; a loaded machine may take minutes
        for n, log in enumerate(logs):
            _wait(lambda log=log: "waiting for jobs" in log.read_text(), f"job worker {n}", log)
        _wait(lambda: _ready(base), "pfund serve to be ready", folder / "serve.log")
    except BaseException:
        stop(started)
        raise
    return started, base


def _ready(base: str) -> bool:
    try:
        return httpx.get(base + "/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _wait(check: Any, what: str, log: Path, within: float = 900) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"waited {within} s for {what}:\n{log.read_text()[-3000:]}")


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def signed_in(base: str) -> httpx.Cookies:
    """A staff session's cookies (the sign-in form, with its CSRF token)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/signin")
        csrf = _csrf(page.text)
        answer = client.post(
            "/signin", data={"username": USER, "password": PASSWORD, "csrf_token": csrf}
        )
        if answer.status_code != 303:
            raise RuntimeError(f"sign-in answered {answer.status_code}")
        return client.cookies


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


@dataclass
class Tally:
    """Every answer's time and status, by class and by route name."""

    times: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    job_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, name: str, seconds: float, status: int) -> None:
        with self.lock:
            self.times[(kind, name)].append(seconds)
            self.statuses[(kind, status)] += 1


class Load:
    """The mix of requests, and one client thread's loop."""

    def __init__(
        self, base: str, token: str, projects: list[str], args: argparse.Namespace
    ) -> None:
        self.base, self.token, self.args = base, token, args
        self.cookies = signed_in(base)
        self.public = [
            ("home", "/"),
            ("project list page", "/projects"),
            ("project list API", "/api/v1/projects"),
            ("results page", "/results"),
            ("results page ru", "/results?lang=ru"),
            ("funding", "/funding"),
            ("decisions", "/decisions"),
            ("project page", ""),  # one route of the mix: a project drawn from the list
        ]
        self.projects = projects
        self.staff = [
            ("staff home", "/staff"),
            ("staff jobs", "/staff/jobs"),
            ("staff tranches", "/staff/tranches"),
            ("staff screening", "/staff/screening"),
            ("staff conditions", "/staff/conditions"),
            ("staff proposals", "/staff/proposals"),
            ("staff reviews", "/staff/reviews"),
            ("staff payments", "/staff/results/payments"),
            ("jobs API", "/api/v1/jobs"),
        ]

    def run(self, tally: Tally, stop_at: float, seed: int, *, record: bool) -> None:
        chance = random.Random(seed)
        with (
            httpx.Client(base_url=self.base, timeout=60) as public,
            httpx.Client(base_url=self.base, timeout=60, cookies=self.cookies) as staff,
        ):
            while time.monotonic() < stop_at:
                kind, name, call = self._pick(chance, public, staff, tally)
                began = time.perf_counter()
                try:
                    status = call().status_code
                except httpx.HTTPError as err:
                    with tally.lock:
                        tally.failures[type(err).__name__] += 1
                    status = 0
                if record:
                    tally.add(kind, name, time.perf_counter() - began, status)

    def _pick(
        self, chance: random.Random, public: httpx.Client, staff: httpx.Client, tally: Tally
    ) -> tuple[str, str, Callable[[], httpx.Response]]:
        """One request of the mix: its class, its route's name, and the call."""
        draw = chance.random()
        if draw < PUBLIC:
            name, path = chance.choice(self.public)
            path = path or f"/projects/{chance.choice(self.projects)}"
            return "public", name, partial(public.get, path)
        if draw < STAFF:
            name, path = chance.choice(self.staff)
            bearer = {"Authorization": f"Bearer {self.token}"} if "/api/" in path else {}
            return "staff", name, partial(staff.get, path, headers=bearer)
        if chance.random() < 0.5:
            return "write", "proposal", partial(self._propose, public)
        return "write", "job start", partial(self._start_job, public, tally)

    def _propose(self, client: httpx.Client) -> httpx.Response:
        """The form read for its token, then sent (one write, timed as the two together)."""
        csrf = _csrf(client.get("/propose").text)
        form = {
            "csrf_token": csrf,
            "title": "Clean water for Tver villages",
            "description": "Drill and equip twelve wells for villages without safe water.",
            "area": "health",
            "regions": "RU-TVE",
            "first_year": "2030",
            "years": "2",
            "cost_low": "400000",
            "cost_likely": "500000",
            "cost_high": "700000",
            "people_reached": "9000",
            "organisation": "Bench Initiative",
            "contact_name": "Bench Proposer",
            "contact_email": "bench@example.org",
        }
        return client.post("/propose", data=form)

    def _start_job(self, client: httpx.Client, tally: Tally) -> httpx.Response:
        body = {"kind": self.args.job_kind, "parameters": self._job_parameters()}
        answer = client.post(
            "/api/v1/jobs", json=body, headers={"Authorization": f"Bearer {self.token}"}
        )
        if answer.status_code == 202:
            with tally.lock:
                tally.job_ids.append(answer.json()["id"])
        return answer

    def _job_parameters(self) -> dict[str, Any]:
        if self.args.job_kind == "probe":
            return {"steps": 5, "step_seconds": 0.02}
        return {}


def drive(load: Load, seconds: float, connections: int, *, record: bool) -> Tally:
    tally = Tally()
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(target=load.run, args=(tally, stop_at, n), kwargs={"record": record})
        for n in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def figures(times: list[float]) -> dict[str, Any]:
    if len(times) < 2:
        return {"requests": len(times)}
    cuts = statistics.quantiles(times, n=100)
    return {
        "requests": len(times),
        "p50_ms": round(cuts[49] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
    }


def summarise(tally: Tally, seconds: float) -> dict[str, Any]:
    every = [t for times in tally.times.values() for t in times]
    by_class: dict[str, list[float]] = defaultdict(list)
    for (kind, _), times in tally.times.items():
        by_class[kind].extend(times)
    server_errors = sum(n for (_, status), n in tally.statuses.items() if status >= 500)
    return {
        "requests_per_second": round(len(every) / seconds, 1),
        "overall": figures(every),
        "by_class": {kind: figures(times) for kind, times in sorted(by_class.items())},
        "by_route": {name: figures(times) for (_, name), times in sorted(tally.times.items())},
        "errors": server_errors + sum(tally.failures.values()),
        "connection_failures": dict(tally.failures),
        "statuses": {f"{kind} {status}": n for (kind, status), n in sorted(tally.statuses.items())},
    }


def job_latency(rt: Runtime, ids: list[str], within: float) -> dict[str, Any]:
    """Queued → done of every job the load started, once they have all ended."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        ended = [jobs.get_job(rt, i) for i in ids]
        if all(j.done for j in ended):
            break
        time.sleep(0.5)
    done = [j for j in ended if j.state is JobState.DONE and j.finished_at]
    latency = sorted((j.finished_at - j.created_at).total_seconds() for j in done)  # type: ignore[operator]
    wait = sorted((j.started_at - j.created_at).total_seconds() for j in done if j.started_at)
    out: dict[str, Any] = {"started": len(ids), "done": len(done)}
    out["not_done"] = {
        str(s): n for s, n in Counter(j.state for j in ended if j not in done).items()
    }
    if latency:
        out["queued_to_done_seconds"] = {
            "p50": round(statistics.median(latency), 3),
            "max": round(latency[-1], 3),
        }
        out["claim_wait_seconds"] = {
            "p50": round(statistics.median(wait), 3),
            "max": round(wait[-1], 3),
        }
    return out


def public_projects(base: str) -> list[str]:
    answer = httpx.get(base + "/api/v1/projects", timeout=60).json()
    return [p["id"] for p in answer]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="a database of its own (default: SQLite)")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warm-seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--api-workers", type=int, default=4)
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument(
        "--worker-timeout", type=int, default=300, help="seconds an API worker may take to start"
    )
    parser.add_argument("--job-kind", default="probe", help="the kind the load starts")
    parser.add_argument("--keep-logs", default=None, help="copy the stack's logs here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        os.environ.setdefault("PFUND_KEYS_FILE", str(folder / "pfund.keys"))
        url = args.db or f"sqlite:///{folder / 'service.db'}"
        if url.startswith("postgresql"):
            reset_postgres(url)
        began = time.monotonic()
        token = build(url)
        built = time.monotonic() - began
        if url.startswith("postgresql"):
            settle_postgres(url)
        processes, base = stack(url, args, folder)
        rt = open_runtime(Settings(database_url=url, actor="bench"))
        try:
            load = Load(base, token, public_projects(base), args)
            drive(load, args.warm_seconds, args.connections, record=False)
            load_before = os.getloadavg()[0]
            tally = drive(load, args.seconds, args.connections, record=True)
            report = {
                "database": rt.engine.dialect.name,
                "cores": os.cpu_count(),
                "api_workers": args.api_workers,
                "job_workers": args.job_workers,
                "connections": args.connections,
                "seconds": args.seconds,
                "build_seconds": round(built, 1),
                "load_average_before_and_after": [
                    round(load_before, 2),
                    round(os.getloadavg()[0], 2),
                ],
                **summarise(tally, args.seconds),
                "jobs": job_latency(rt, tally.job_ids, within=300),
            }
        finally:
            rt.close()
            stop(processes)
            if args.keep_logs:
                Path(args.keep_logs).mkdir(parents=True, exist_ok=True)
                for log in folder.glob("*.log"):
                    (Path(args.keep_logs) / log.name).write_bytes(log.read_bytes())
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
