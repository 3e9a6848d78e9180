"""The moves of a job, on both databases: a worker whose lease ran out cannot end the
job it lost, a job is claimed by one worker, cancelling asks and then ends."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from pfund.domain.jobs import JobState
from pfund.errors import Conflict, Forbidden
from pfund.services import jobs
from pfund.services.runtime import Runtime, open_runtime
from pfund.settings import Settings


@pytest.fixture
def rt(database_url: str) -> Iterator[Runtime]:
    runtime = open_runtime(Settings(database_url=database_url))
    yield runtime
    runtime.close()


def expire(rt: Runtime, job_id: str) -> None:
    """Wait until a lease of 0.05 s has run out (the reaper compares with now)."""
    while jobs.get_job(rt, job_id).lease_until > jobs.now():  # type: ignore[operator]
        time.sleep(0.01)


def test_a_worker_that_lost_its_lease_cannot_end_the_job_its_successor_runs(rt: Runtime) -> None:
    job = jobs.enqueue(rt, "probe", max_attempts=2)
    first = jobs.claim(rt, "first", lease_seconds=0.05)
    assert first is not None and first.id == job.id
    assert jobs.claim(rt, "second", lease_seconds=60) is None  # nothing else is queued
    expire(rt, job.id)
    assert [j.id for j in jobs.reap(rt, "second")] == [job.id]
    assert jobs.get_job(rt, job.id).state is JobState.QUEUED
    second = jobs.claim(rt, "second", lease_seconds=60)
    assert second is not None and second.attempts == 2
    assert not jobs.end(rt, job.id, "first", JobState.DONE, result="late")
    assert not jobs.renew(rt, job.id, "first", lease_seconds=60, progress=0.5).held
    assert jobs.end(rt, job.id, "second", JobState.DONE, result="ok")
    assert not jobs.end(rt, job.id, "second", JobState.DONE, result="again")
    ended = jobs.get_job(rt, job.id)
    assert (ended.state, ended.result, ended.claimed_by) == (JobState.DONE, "ok", "second")


def test_a_job_out_of_attempts_fails_saying_its_worker_stopped_answering(rt: Runtime) -> None:
    job = jobs.enqueue(rt, "probe", max_attempts=1)
    assert jobs.claim(rt, "w", lease_seconds=0.05) is not None
    expire(rt, job.id)
    jobs.reap(rt, "reaper")
    failed = jobs.get_job(rt, job.id)
    assert failed.state is JobState.FAILED
    assert failed.error == "the worker running it stopped answering (attempt 1 of 1)"


def test_cancelling_a_running_job_asks_its_worker_and_an_ended_one_is_refused(
    rt: Runtime,
) -> None:
    job = jobs.enqueue(rt, "probe")
    assert jobs.claim(rt, "w", lease_seconds=60) is not None
    assert jobs.cancel(rt, job.id).cancel_requested
    assert jobs.renew(rt, job.id, "w", lease_seconds=60, progress=0.1).cancel
    assert jobs.end(rt, job.id, "w", JobState.CANCELLED)
    with pytest.raises(Conflict):
        jobs.cancel(rt, job.id)


def test_a_job_is_queued_only_by_a_role_that_may_do_its_work(rt: Runtime) -> None:
    from dataclasses import replace

    from pfund.domain.account import Principal, Role, User

    reviewer = User(username="rev", roles=[Role.REVIEWER], created_at=jobs.now())
    with pytest.raises(Forbidden):
        jobs.enqueue(replace(rt, principal=Principal(user=reviewer)), "appraisal")


def test_work_waits_for_a_queued_job_or_a_lease_run_out_and_not_for_a_held_one(
    rt: Runtime,
) -> None:
    assert not jobs.work_waiting(rt) and not jobs.any_running(rt)
    held = jobs.enqueue(rt, "probe", max_attempts=2)
    assert jobs.work_waiting(rt)
    assert jobs.claim(rt, "w", lease_seconds=60) is not None
    assert jobs.any_running(rt)
    assert not jobs.work_waiting(rt)  # running, its worker holds the lease
    lost = jobs.enqueue(rt, "probe", max_attempts=2)
    assert jobs.claim(rt, "gone", lease_seconds=0.05) is not None
    assert not jobs.work_waiting(rt)
    expire(rt, lost.id)
    assert jobs.work_waiting(rt)  # nothing queued, but a lease ran out: reap it
    jobs.reap(rt, "reaper")
    assert jobs.claim(rt, "w2", lease_seconds=60) is not None
    assert jobs.end(rt, held.id, "w", JobState.DONE)
    assert jobs.end(rt, lost.id, "w2", JobState.DONE)
    assert not jobs.work_waiting(rt) and not jobs.any_running(rt)
