"""Files of ended jobs are removed after ``job_file_days``, on both databases: by the
service (audited, job by job), by ``pfund jobs prune`` and by ``pfund worker`` itself;
files of jobs still queued or running, and of jobs ended more recently, stay."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from pfund.cli.app import app
from pfund.domain.account import Principal, Role, User
from pfund.domain.jobs import Job, JobFileRole, JobState
from pfund.errors import Forbidden
from pfund.services import job_files, jobs
from pfund.services.audit import verify
from pfund.services.job_worker import Worker
from pfund.services.runtime import Runtime
from pfund.store.repositories.jobs import JOBS

CSV = b"id,title\nX-1,A clinic\n"


def ended_days_ago(rt: Runtime, job: Job, days: float) -> None:
    """Make ``job`` look as if it ended ``days`` days ago (the test's clock)."""
    with rt.engine.begin() as conn:
        moment = jobs.now() - timedelta(days=days)
        conn.execute(update(JOBS).where(JOBS.c.id == job.id).values(finished_at=moment))


def cancelled_import(rt: Runtime, name: str) -> Job:
    """An import cancelled before a worker took it: its upload stays with it."""
    job = job_files.queue_import(rt, "projects", name, CSV)
    jobs.cancel(rt, job.id)
    return job


def built_report(rt: Runtime) -> Job:
    """A job that ran, built two files and ended done."""
    job = jobs.enqueue(rt, "probe")
    assert jobs.claim(rt, "w", lease_seconds=60) is not None
    job_files.store_results(rt, job.id, {"board.html": b"<p>report</p>", "data.csv": b"a\n1\n"})
    assert jobs.end(rt, job.id, "w", JobState.DONE)
    return job


def names(rt: Runtime, job: Job) -> list[str]:
    with rt.uow() as uow:
        return [f.name for f in uow.job_files.of_job(job.id)]


def audited(rt: Runtime, job: Job) -> list[tuple[str, str, dict[str, object]]]:
    with rt.uow() as uow:
        return [
            (e.action, e.actor, e.details)
            for e in uow.audit.list(record_id=job.id)
            if e.action == "job.files_pruned"
        ]


def test_prune_removes_the_files_of_jobs_ended_longer_ago_and_audits_each_job(
    rt: Runtime,
) -> None:
    old_report, old_upload = built_report(rt), cancelled_import(rt, "old.csv")
    recent = cancelled_import(rt, "recent.csv")
    waiting = job_files.queue_import(rt, "projects", "waiting.csv", CSV)
    for job in (old_report, old_upload, waiting):
        ended_days_ago(rt, job, 40)  # a queued job has no end: it is kept whatever
    ended_days_ago(rt, recent, 20)

    pruned = job_files.prune(rt, older_than_days=30)

    assert (pruned.jobs, pruned.files) == (2, 3)
    assert pruned.bytes == len(b"<p>report</p>") + len(b"a\n1\n") + len(CSV)
    assert names(rt, old_report) == [] and names(rt, old_upload) == []
    assert names(rt, recent) == ["recent.csv"] and names(rt, waiting) == ["waiting.csv"]
    assert jobs.get_job(rt, old_report.id).state is JobState.DONE  # the job itself stays
    ((action, actor, details),) = audited(rt, old_report)
    assert (action, actor) == ("job.files_pruned", rt.actor)
    assert details["older_than_days"] == 30
    files: list[dict[str, str]] = details["files"]  # type: ignore[assignment]
    assert [f["name"] for f in files] == ["board.html", "data.csv"]
    assert {f["role"] for f in files} == {JobFileRole.RESULT.value}
    assert audited(rt, recent) == [] and audited(rt, waiting) == []
    again = job_files.prune(rt, older_than_days=30)
    assert (again.jobs, again.files, again.bytes) == (0, 0, 0)
    assert job_files.prune(rt, older_than_days=0).jobs == 1  # the recent one's turn
    with rt.uow() as uow:
        assert verify(uow).intact


def test_prune_works_in_batches_and_needs_the_store_managed(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(job_files, "PRUNE_BATCH", 2)
    ended = [cancelled_import(rt, f"f{i}.csv") for i in range(5)]
    analyst = User(username="ann", roles=[Role.ANALYST], created_at=jobs.now())
    with pytest.raises(Forbidden):
        job_files.prune(replace(rt, principal=Principal(user=analyst)), older_than_days=0)
    assert all(names(rt, job) for job in ended)
    assert job_files.prune(rt, older_than_days=0).files == 5
    assert all(len(audited(rt, job)) == 1 for job in ended)


def test_a_worker_prunes_when_it_starts_and_then_once_per_period(rt: Runtime) -> None:
    first = cancelled_import(rt, "first.csv")
    ended_days_ago(rt, first, 3)
    worker = Worker(rt, lease_seconds=60, prune_days=2, name="w1")
    assert worker.run(drain=True) == 0
    assert names(rt, first) == []
    ((_, actor, _),) = audited(rt, first)
    assert actor == "worker:w1:0"
    second = cancelled_import(rt, "second.csv")
    ended_days_ago(rt, second, 3)
    worker.prune_if_due("w1:0")  # within the hour since it pruned: not yet
    assert names(rt, second) == ["second.csv"]
    worker.prune_every = 0
    worker.prune_if_due("w1:0")
    assert names(rt, second) == []
    quiet = Worker(rt, lease_seconds=60, name="w2")  # no prune_days: serve's job thread
    third = cancelled_import(rt, "third.csv")
    ended_days_ago(rt, third, 3)
    quiet.prune_if_due("w2:0")
    assert names(rt, third) == ["third.csv"]


def test_jobs_prune_command_uses_the_setting_unless_told_and_prints_json(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["--db", database_url, "init"]).exit_code == 0
    from pfund.services.runtime import open_runtime
    from pfund.settings import Settings

    rt = open_runtime(Settings(database_url=database_url))
    try:
        old, older = cancelled_import(rt, "old.csv"), cancelled_import(rt, "older.csv")
        ended_days_ago(rt, old, 5)
        ended_days_ago(rt, older, 10)
        monkeypatch.setenv("PFUND_JOB_FILE_DAYS", "7")
        done = runner.invoke(app, ["--db", database_url, "jobs", "prune", "--json"])
        assert done.exit_code == 0, done.output
        found = json.loads(done.output)
        assert (found["jobs"], found["files"], found["bytes"]) == (1, 1, len(CSV))
        assert names(rt, older) == [] and names(rt, old) == ["old.csv"]
        done = runner.invoke(app, ["--db", database_url, "jobs", "prune", "--older-than", "1"])
        assert done.exit_code == 0, done.output
        assert "Removed 1 files (" in done.output and "of 1 jobs" in done.output
        assert names(rt, old) == []
        refused = runner.invoke(app, ["--db", database_url, "jobs", "prune", "--older-than", "-1"])
        assert refused.exit_code == 2
    finally:
        rt.close()
