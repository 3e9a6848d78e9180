"""Imports and board reports as jobs, run by real ``pfund worker`` processes on SQLite
and PostgreSQL: the upload is kept in the store with its job and imported all or
nothing (a bad file fails the job naming its row and field, and stores nothing); a
board report built by a worker is kept in the store and served by every API worker
(two ``pfund serve`` processes on PostgreSQL, one on SQLite's single file)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pfund.domain.account import Role
from pfund.domain.jobs import JobFileRole, JobState
from pfund.services import accounts, job_files, jobs
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.demo import load_demo
from pfund.services.portfolio import run_portfolio
from pfund.services.runtime import Runtime, open_runtime
from pfund.settings import Settings
from tests.cli.test_job_workers import Processes, actions, call, state, stop
from tests.cli.test_serve import free_port, wait_until_up

HEADER = (
    "id,title,area,regions,currency,stage,depends_on,excludes,"
    "cost.2028.capital,cost.2029.running,benefit.gain.per_year,benefit.gain.from,"
    "benefit.gain.years\n"
)
ROW = "{id},Clinic upgrade in Samara,{area},RU-SAM,USD,1,,,100;120;150,10,30;40;50,2030,10\n"
REPORT_WITHIN = 900  # seconds: the report appraises, optimises a frontier and a robustness


@pytest.fixture
def store(database_url: str) -> Iterator[Runtime]:
    runtime = open_runtime(Settings(database_url=database_url))
    yield runtime
    runtime.close()


@pytest.fixture
def processes(tmp_path: Path, database_url: str, store: Runtime) -> Iterator[Processes]:
    del store  # the store is migrated first
    running = Processes(tmp_path, database_url)
    try:
        yield running
    finally:
        running.stop_all()


def wait(check: Callable[[], bool], what: str, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {within} s for {what}")


def projects(rt: Runtime) -> set[str]:
    with rt.uow() as uow:
        return {p.id for p in uow.projects.list()}


def uploads(rt: Runtime, job_id: str) -> list[str]:
    with rt.uow() as uow:
        return [f.name for f in uow.job_files.of_job(job_id, JobFileRole.UPLOAD)]


def test_a_queued_import_is_run_by_a_worker_all_or_nothing_and_its_upload_removed(
    store: Runtime, processes: Processes
) -> None:
    rt, procs = store, processes
    load_demo(rt)
    before = projects(rt)
    good = job_files.queue_import(
        rt, "projects", "new.csv", (HEADER + ROW.format(id="NEW-1", area="health")).encode()
    )
    bad_rows = ROW.format(id="NEW-2", area="health") + ROW.format(id="NEW-3", area="astrology")
    bad = job_files.queue_import(rt, "projects", "bad.csv", (HEADER + bad_rows).encode())
    assert uploads(rt, good.id) == ["new.csv"] and uploads(rt, bad.id) == ["bad.csv"]
    worker, log = procs.worker("worker")
    wait(lambda: state(rt, good).done and state(rt, bad).done, "both imports", 300)
    imported, refused = state(rt, good), state(rt, bad)
    assert imported.state is JobState.DONE, (imported.error, log.read_text())
    assert (imported.result, imported.progress) == ("1 projects", 1)
    assert actions(rt, good) == ["job.queued", "job.started", "job.done"]
    assert refused.state is JobState.FAILED
    assert refused.error is not None and "bad.csv, row 3, field 'area'" in refused.error
    assert projects(rt) == before | {"NEW-1"}  # NEW-2 was good but its file was not
    assert uploads(rt, good.id) == [] and uploads(rt, bad.id) == []
    stop(worker, log)


def test_a_board_report_built_by_a_worker_is_served_by_every_api_worker(
    store: Runtime, processes: Processes, database_url: str
) -> None:
    rt, procs = store, processes
    load_demo(rt)
    run = run_portfolio(rt, appraise_pipeline(load_inputs(rt)), time_limit=30)[0].record_id
    accounts.add_user(rt, "ops", "a long enough password 1", roles=[Role.ADMIN])
    token = accounts.issue_token(rt, "ops").token
    servers = []
    for name in ("api-a", "api-b") if database_url.startswith("postgresql") else ("api-a",):
        port = free_port()
        process, log = procs.start(
            name, "serve", "--port", str(port), PFUND_SERVE_RUNS_JOBS="false"
        )
        wait_until_up(process, f"http://127.0.0.1:{port}", log)
        servers.append(f"http://127.0.0.1:{port}")
    a, b = servers[0], servers[-1]
    procs.worker("worker")
    job = call(a, "POST", "/jobs", token, {"kind": "report", "parameters": {"lang": "both"}})
    assert job["state"] == "queued"

    def ended() -> bool:
        return str(call(b, "GET", f"/jobs/{job['id']}", token)["state"]) in {
            "done",
            "failed",
            "cancelled",
        }

    wait(ended, "the report job", REPORT_WITHIN)
    done = call(b, "GET", f"/jobs/{job['id']}", token)
    assert done["state"] == "done", done
    assert done["result"] == f"board report of {run}: index.html, index.ru.html"
    listed = call(b, "GET", f"/jobs/{job['id']}/files", token)
    assert [f["name"] for f in listed] == ["index.html", "index.ru.html"]
    for base in servers:
        english = fetch(base, f"/api/v1/jobs/{job['id']}/files/index.html", token)
        assert english[0].startswith("text/html") and run in english[1]
        russian = fetch(base, f"/api/v1/jobs/{job['id']}/files/index.ru.html", token)
        assert 'lang="ru"' in russian[1]
    assert jobs.get_job(rt, job["id"]).state is JobState.DONE


def fetch(base: str, path: str, token: str) -> tuple[str, str]:
    import urllib.request

    request = urllib.request.Request(base + path)
    request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=60) as answer:
        return answer.headers["content-type"], answer.read().decode()
