"""Jobs through the API and the staff pages, and the queue's and audit check's metrics.

The service here runs its own queued jobs (``serve_runs_jobs``) unless a test turns it
off to look at a job that waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pfund.api.app import create_app
from pfund.cli.app import app as cli
from pfund.services import jobs
from pfund.services.job_worker import Worker
from pfund.services.runtime import Runtime
from tests.api.conftest import Headers, csrf_of, settings_for, sign_in
from tests.api.test_observe import LOCAL, samples


def settle(client: TestClient, headers: Headers, job_id: str) -> dict[str, object]:
    """The job once it has ended (the service's thread runs it)."""
    for _ in range(3000):  # a hung job, not a slow one, runs out of these
        job: dict[str, object] = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if job["state"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.1)
    pytest.fail(f"job {job_id} did not end")


@pytest.fixture
def idle(db_url: str, app_rt: Runtime) -> Iterator[TestClient]:
    """A service that queues jobs and leaves them to workers (none runs here)."""
    settings = settings_for(db_url).model_copy(update={"serve_runs_jobs": False})
    with TestClient(create_app(settings, runtime=app_rt), raise_server_exceptions=False) as c:
        yield c


def test_an_analyst_queues_an_appraisal_through_the_api_and_reads_its_record(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    ana = token_for("ana")
    started = client.post("/api/v1/jobs", json={"kind": "appraisal"}, headers=ana)
    assert started.status_code == 202, started.text
    assert started.json()["state"] == "queued"
    job = settle(client, ana, started.json()["id"])
    assert job["state"] == "done", job
    assert str(job["result"]).startswith("APR-")
    assert client.get("/api/v1/runs?kind=appraisal", headers=ana).json()[0]["id"] == job["result"]
    listed = client.get("/api/v1/jobs", headers=token_for("rev")).json()  # staff read them
    assert job["id"] in {j["id"] for j in listed}
    again = client.post(f"/api/v1/jobs/{job['id']}/cancel", headers=ana)
    assert again.status_code == 409  # it has ended


def test_jobs_are_refused_to_the_public_and_to_roles_without_the_kinds_permission(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    assert client.get("/api/v1/jobs").status_code == 401
    assert client.post("/api/v1/jobs", json={"kind": "appraisal"}).status_code == 401
    rev = token_for("rev")
    assert client.post("/api/v1/jobs", json={"kind": "appraisal"}, headers=rev).status_code == 403
    unknown = client.post("/api/v1/jobs", json={"kind": "teleport"}, headers=token_for("ana"))
    assert unknown.status_code == 400
    assert "appraisal" in unknown.text  # the kinds there are
    bad = client.post(
        "/api/v1/jobs",
        json={"kind": "portfolio", "parameters": {"time_limit": -1}},
        headers=token_for("ana"),
    )
    assert bad.status_code == 400
    assert "time_limit" in bad.text


def test_staff_see_the_queue_in_the_workspace_and_cancel_a_waiting_job(
    idle: TestClient,
) -> None:
    sign_in(idle, "ana")
    dashboard = idle.get("/staff").text
    started = idle.post(
        "/staff/appraise", data={"csrf_token": csrf_of(dashboard)}, follow_redirects=False
    )
    job_url = started.headers["location"]
    page = idle.get(job_url).text
    assert "Waiting for a worker" in page and 'http-equiv="refresh"' in page
    job_id = job_url.rsplit("/", 1)[1]
    assert job_id in idle.get("/staff/jobs").text
    assert "в очереди" in idle.get("/staff/jobs?lang=ru").text
    cancelled = idle.post(
        f"{job_url}/cancel", data={"csrf_token": csrf_of(page)}, follow_redirects=False
    )
    assert cancelled.status_code == 303
    page = idle.get(f"{job_url}?lang=en").text  # the language chosen last is remembered
    assert "Cancelled." in page and 'http-equiv="refresh"' not in page
    assert "Отменено." in idle.get(f"{job_url}?lang=ru").text


def test_staff_queue_the_board_report_from_the_jobs_page(idle: TestClient, app_rt: Runtime) -> None:
    sign_in(idle, "ana")
    page = idle.get("/staff/jobs").text
    assert 'action="/staff/jobs/report"' in page
    refused = idle.post("/staff/jobs/report", data={}, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token
    started = idle.post(
        "/staff/jobs/report", data={"csrf_token": csrf_of(page)}, follow_redirects=False
    )
    assert started.status_code == 303
    job = jobs.get_job(app_rt, started.headers["location"].rsplit("/", 1)[1])
    assert (job.kind, job.parameters["lang"], job.state.value) == ("report", "both", "queued")
    assert [j.id for j in jobs.list_jobs(app_rt)] == [job.id]
    sign_in(idle, "rev")  # reads the queue, may not build the report
    page = idle.get("/staff/jobs").text
    assert 'action="/staff/jobs/report"' not in page
    answer = idle.post("/staff/jobs/report", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 403
    assert [j.id for j in jobs.list_jobs(app_rt)] == [job.id]


def test_a_reviewer_sees_the_queue_but_may_not_cancel(idle: TestClient, app_rt: Runtime) -> None:
    job = jobs.enqueue(app_rt, "appraisal")
    sign_in(idle, "rev")
    page = idle.get(f"/staff/jobs/{job.id}").text
    assert "Cancel the job" not in page
    answer = idle.post(f"/staff/jobs/{job.id}/cancel", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 403
    assert jobs.get_job(app_rt, job.id).state.value == "queued"


def test_metrics_count_the_queue_and_age_the_last_audit_verification(
    db_url: str, app_rt: Runtime
) -> None:
    with TestClient(create_app(settings_for(db_url), runtime=app_rt), client=LOCAL) as client:
        before = samples(client)
        jobs.enqueue(app_rt, "probe", {"steps": 2})
        Worker(app_rt, lease_seconds=30).run(drain=True)
        jobs.enqueue(app_rt, "probe")  # left waiting
        verified = CliRunner().invoke(cli, ["--db", db_url, "audit", "verify"])
        assert verified.exit_code == 0, verified.output
        after = samples(client)
    assert ("pfund_audit_chain_verified_age_seconds", ()) not in before
    assert before[("pfund_jobs", (("state", "queued"),))] == 0
    assert after[("pfund_jobs", (("state", "queued"),))] == 1
    assert after[("pfund_jobs", (("state", "done"),))] == 1
    assert after[("pfund_job_duration_seconds_count", (("kind", "probe"),))] == 1
    assert after[("pfund_jobs_oldest_queued_seconds", ())] >= 0
    assert after[("pfund_audit_chain_verified_age_seconds", ())] >= 0
    assert after[("pfund_audit_chain_intact", ())] == 1


def test_the_service_takes_back_a_job_whose_process_died_when_it_starts(
    db_url: str, app_rt: Runtime
) -> None:
    job = jobs.enqueue(app_rt, "probe", {"steps": 2}, max_attempts=2)
    assert jobs.claim(app_rt, "a-process-that-died", lease_seconds=0.2) is not None
    settings = settings_for(db_url).model_copy(update={"job_poll_seconds": 0.05})
    with TestClient(create_app(settings, runtime=app_rt)):  # its start looks at the queue
        for _ in range(3000):
            if jobs.get_job(app_rt, job.id).done:
                break
            time.sleep(0.1)
    ended = jobs.get_job(app_rt, job.id)
    assert ended.state.value == "done" and ended.attempts == 2


def test_compliance_screens_every_counterparty_as_a_job_and_is_sent_to_the_hits(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    comp = token_for("comp")
    started = client.post("/api/v1/jobs", json={"kind": "screening"}, headers=comp)
    assert started.status_code == 202, started.text
    job = settle(client, comp, started.json()["id"])
    assert job["state"] == "done", job
    assert str(job["result"]).isdigit()
    sign_in(client, "comp")
    page = client.get(f"/staff/jobs/{job['id']}").text
    assert 'href="/staff/screening" id="result"' in page
    analyst = client.post("/api/v1/jobs", json={"kind": "screening"}, headers=token_for("ana"))
    assert analyst.status_code == 403  # screening is compliance's


PROJECTS = (
    "id,title,area,regions,currency,stage,depends_on,excludes,cost.2028.capital,"
    "cost.2029.running,benefit.gain.per_year,benefit.gain.from,benefit.gain.years\n"
    "JOB-IMP-1,Clinic upgrade in Samara,health,RU-SAM,USD,1,,,100;120;150,10,30;40;50,2030,10\n"
)


@pytest.fixture
def small_jobs(db_url: str, app_rt: Runtime) -> Iterator[TestClient]:
    """A service that imports any file over 100 bytes as a job, and runs its jobs."""
    settings = settings_for(db_url).model_copy(update={"import_job_bytes": 100})
    with TestClient(create_app(settings, runtime=app_rt), raise_server_exceptions=False) as c:
        yield c


def test_a_file_over_the_size_is_imported_by_a_job_from_the_staff_page_and_the_api(
    small_jobs: TestClient, token_for: Callable[[str], Headers]
) -> None:
    client = small_jobs
    ana, rev = token_for("ana"), token_for("rev")  # before a job writes (SQLite: one writer)
    sign_in(client, "ana")
    form = {"csrf_token": csrf_of(client.get("/staff/import").text), "kind": "projects"}
    sent = client.post(
        "/staff/import",
        data=form,
        files={"file": ("big.csv", PROJECTS.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text  # over 100 bytes: a job, and its page
    job_id = sent.headers["location"].rsplit("/", 1)[1]
    assert settle(client, ana, job_id)["result"] == "1 projects"
    assert "Imported 1 project." in client.get(f"/staff/jobs/{job_id}?lang=en").text
    assert "Импортировано: 1 проект." in client.get(f"/staff/jobs/{job_id}?lang=ru").text
    assert client.get("/api/v1/projects/JOB-IMP-1", headers=ana).status_code == 200
    bad = PROJECTS.replace("JOB-IMP-1", "JOB-IMP-2").replace(",health,", ",astrology,")
    queued = client.post(
        "/api/v1/jobs/imports/projects",
        files={"file": ("bad.csv", bad.encode(), "text/csv")},
        headers=ana,
    )
    assert queued.status_code == 202, queued.text
    failed = settle(client, ana, queued.json()["id"])
    assert failed["state"] == "failed" and "bad.csv, row 2, field 'area'" in str(failed["error"])
    assert client.get("/api/v1/projects/JOB-IMP-2", headers=ana).status_code == 404
    refused = client.post(
        "/api/v1/jobs/imports/projects",
        files={"file": ("p.csv", PROJECTS.encode(), "text/csv")},
        headers=rev,
    )
    assert refused.status_code == 403
    unknown = client.post(
        "/api/v1/jobs/imports/planets",
        files={"file": ("p.csv", PROJECTS.encode(), "text/csv")},
        headers=ana,
    )
    assert unknown.status_code == 400 and "kind" in unknown.text
    assert client.get(f"/api/v1/jobs/{job_id}/files", headers=ana).json() == []
    assert client.get(f"/api/v1/jobs/{job_id}/files/big.csv", headers=ana).status_code == 404
