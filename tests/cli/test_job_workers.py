"""``pfund worker`` processes against one store, on SQLite and PostgreSQL: racing for
jobs, each job runs once; a worker killed mid-job leaves it queued again or failed,
never lost and never done twice; a cancellation stops a running job. On PostgreSQL,
two ``pfund serve`` processes and two workers: a job queued through one server is
seen, and cancelled, through the other.

Lease times are short (``PFUND_JOB_LEASE_SECONDS``) so a dead worker is noticed soon;
every wait has a generous deadline that only a hung process reaches.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pfund.domain.account import Role
from pfund.domain.jobs import Job, JobState
from pfund.services import accounts, jobs
from pfund.services.runtime import Runtime, open_runtime
from pfund.settings import Settings
from tests.cli.test_serve import free_port, wait_until_up

WITHIN = 180  # seconds before a wait gives up: the machine is shared and may be loaded
LEASE = "1.5"
PFUND = str(Path(sys.executable).parent / "pfund")


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    return base | {
        "PYTHONUNBUFFERED": "1",
        "PFUND_JOB_LEASE_SECONDS": LEASE,
        "PFUND_JOB_POLL_SECONDS": "0.1",
        **extra,
    }


@pytest.fixture
def rt(database_url: str) -> Iterator[Runtime]:
    runtime = open_runtime(Settings(database_url=database_url))
    yield runtime
    runtime.close()


class Processes:
    """The processes a test started, each logging to a file; all killed at the end."""

    def __init__(self, folder: Path, url: str) -> None:
        self.folder, self.url, self.started = folder, url, []  # type: ignore[var-annotated]

    def start(self, name: str, *args: str, **extra: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.folder / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [PFUND, "--db", self.url, *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env(**extra),
            )
        self.started.append(process)
        return process, log

    def worker(self, name: str, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
        process, log = self.start(name, "worker", *args)
        until(lambda: "waiting for jobs" in log.read_text(), f"{name} to start", log)
        return process, log

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.wait()


@pytest.fixture
def procs(tmp_path: Path, database_url: str, rt: Runtime) -> Iterator[Processes]:
    del rt  # the store is migrated first
    running = Processes(tmp_path, database_url)
    try:
        yield running
    finally:
        running.stop_all()


def until(check: Callable[[], bool], what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + WITHIN
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"waited {WITHIN} s for {what}" + (f":\n{log.read_text()}" if log else ""))


def probe(rt: Runtime, *, steps: int, step_seconds: float, attempts: int = 1) -> Job:
    params = {"steps": steps, "step_seconds": step_seconds}
    return jobs.enqueue(rt, "probe", params, max_attempts=attempts)


def state(rt: Runtime, job: Job) -> Job:
    return jobs.get_job(rt, job.id)


def actions(rt: Runtime, job: Job) -> list[str]:
    with rt.uow() as uow:
        return [e.action for e in uow.audit.list(record_id=job.id)]


def stop(process: subprocess.Popen[bytes], log: Path) -> None:
    """SIGTERM: the worker claims nothing more and exits 0."""
    process.send_signal(signal.SIGTERM)
    try:
        assert process.wait(timeout=WITHIN) == 0, log.read_text()
    except subprocess.TimeoutExpired:
        pytest.fail(f"the worker did not stop on SIGTERM:\n{log.read_text()}")


def test_two_workers_racing_run_each_job_exactly_once(rt: Runtime, procs: Processes) -> None:
    first, first_log = procs.worker("first", "--concurrency", "2")
    second, second_log = procs.worker("second", "--concurrency", "2")
    queued = [probe(rt, steps=3, step_seconds=0.02) for _ in range(16)]
    until(lambda: all(state(rt, j).done for j in queued), "every job to end", first_log)
    for job in queued:
        ended = state(rt, job)
        assert ended.state is JobState.DONE, ended
        assert ended.attempts == 1
        assert actions(rt, job) == ["job.queued", "job.started", "job.done"]
    stop(first, first_log)
    stop(second, second_log)
    assert "taken from" not in first_log.read_text() + second_log.read_text()


def test_a_worker_killed_mid_job_leaves_it_queued_again_or_failed_never_done_twice(
    rt: Runtime, procs: Processes
) -> None:
    doomed, log = procs.worker("doomed", "--concurrency", "2")
    once = probe(rt, steps=4000, step_seconds=0.05)  # one attempt: failed when its worker dies
    twice = probe(rt, steps=100, step_seconds=0.05, attempts=2)  # queued again, then done
    until(lambda: all(state(rt, j).state is JobState.RUNNING for j in (once, twice)), "both", log)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    rescuer, rescuer_log = procs.worker("rescuer")
    until(lambda: state(rt, once).done and state(rt, twice).done, "the jobs to end", rescuer_log)
    failed, done = state(rt, once), state(rt, twice)
    assert failed.state is JobState.FAILED
    assert failed.error is not None and "stopped answering (attempt 1 of 1)" in failed.error
    assert actions(rt, once) == ["job.queued", "job.started", "job.lease_expired"]
    assert done.state is JobState.DONE
    assert done.attempts == 2
    assert actions(rt, twice) == [
        "job.queued",
        "job.started",
        "job.lease_expired",
        "job.started",
        "job.done",
    ]
    stop(rescuer, rescuer_log)


def test_cancelling_stops_a_running_job_and_drops_a_queued_one(
    rt: Runtime, procs: Processes
) -> None:
    worker, log = procs.worker("worker")
    running = probe(rt, steps=4000, step_seconds=0.05)
    until(lambda: state(rt, running).state is JobState.RUNNING, "the job to start", log)
    waiting = probe(rt, steps=1, step_seconds=0)  # behind the running one (concurrency 1)
    assert jobs.cancel(rt, waiting.id).state is JobState.CANCELLED
    asked = jobs.cancel(rt, running.id)
    assert asked.cancel_requested and asked.state is JobState.RUNNING
    until(lambda: state(rt, running).done, "the running job to stop", log)
    assert state(rt, running).state is JobState.CANCELLED
    assert actions(rt, running)[-2:] == ["job.cancel_requested", "job.cancelled"]
    assert actions(rt, waiting) == ["job.queued", "job.cancelled"]
    stop(worker, log)


def call(base: str, method: str, path: str, token: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}/api/v1{path}", data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


@pytest.mark.postgres
def test_a_job_queued_through_one_server_is_seen_and_cancelled_through_the_other(
    rt: Runtime, procs: Processes, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several servers on one store: PostgreSQL")
    admin = accounts.add_user(rt, "ops", "a long enough password 1", roles=[Role.ADMIN])
    token = accounts.issue_token(rt, admin.username).token
    servers = []
    for name in ("api-a", "api-b"):
        port = free_port()
        process, log = procs.start(
            name, "serve", "--port", str(port), PFUND_SERVE_RUNS_JOBS="false"
        )
        wait_until_up(process, f"http://127.0.0.1:{port}", log)
        servers.append(f"http://127.0.0.1:{port}")
    a, b = servers
    procs.worker("worker-1")
    _, log = procs.worker("worker-2")
    short = call(a, "POST", "/jobs", token, {"kind": "probe", "parameters": {"steps": 2}})
    assert short["state"] == "queued"
    until(lambda: call(b, "GET", f"/jobs/{short['id']}", token)["state"] == "done", "done", log)
    assert call(b, "GET", f"/jobs/{short['id']}", token)["result"] == "2 steps"
    long = call(
        b,
        "POST",
        "/jobs",
        token,
        {"kind": "probe", "parameters": {"steps": 4000, "step_seconds": 0.05}},
    )
    until(lambda: call(a, "GET", f"/jobs/{long['id']}", token)["state"] == "running", "run", log)
    call(a, "POST", f"/jobs/{long['id']}/cancel", token)
    until(lambda: call(b, "GET", f"/jobs/{long['id']}", token)["state"] == "cancelled", "stop", log)
    listed = {j["id"] for j in call(a, "GET", "/jobs", token)}
    assert {short["id"], long["id"]} <= listed
