"""Jobs as use cases: queue one, read them, cancel one, and the moves a worker makes.

Every move of a job (queued, started, done, failed, cancelled, queued again after its
worker died) is one transaction that makes the move by a conditional update and records
the audit event with it; a move the database refuses (another worker claimed the job,
the lease ran out) records nothing and says so by returning False or None. Renewing a
lease is not a move, only a sign of life, and is not audited.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pfund.domain.account import Permission
from pfund.domain.jobs import Job, JobFile, JobState
from pfund.errors import Conflict, NotFound
from pfund.services.audit import AuditWriter
from pfund.services.job_kinds import kind_of
from pfund.services.runtime import Runtime
from pfund.store.tables.jobs import ERROR

ERROR_LENGTH = ERROR.length or 2000
LOST_WORKER = "the worker running it stopped answering (attempt %(n)s of %(m)s)"


def now() -> datetime:
    return datetime.now(UTC)


def enqueue(
    rt: Runtime,
    kind: str,
    parameters: dict[str, Any] | None = None,
    *,
    max_attempts: int = 2,
    files: Sequence[tuple[JobFile, bytes]] = (),
) -> Job:
    """Queue a job of ``kind`` for the workers, as the acting user (checked now, and
    again by the work itself when it runs), with the ``files`` it will read stored in
    the same transaction (so a job never waits for an upload that is not there)."""
    spec = kind_of(kind)
    rt.require(spec.permission)
    job = Job(
        id=f"JOB-{secrets.token_hex(6)}",
        kind=kind,
        state=JobState.QUEUED,
        parameters=spec.check(parameters),
        actor=rt.actor,
        created_at=now(),
        max_attempts=max_attempts,
    )
    details: dict[str, Any] = {"kind": kind}
    with rt.uow() as uow:
        uow.jobs.add(job)
        for file, content in files:
            uow.job_files.add(file.model_copy(update={"job_id": job.id}), content)
        if files:
            details["files"] = {f.name: f.sha256 for f, _ in files}
        AuditWriter(uow, rt.actor).record("job.queued", "job", job.id, details)
        uow.commit()
    return job


def get_job(rt: Runtime, job_id: str) -> Job:
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        job = uow.jobs.get(job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    return job


def list_jobs(rt: Runtime, *, state: JobState | None = None, limit: int = 100) -> list[Job]:
    """The latest jobs, newest first."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        return uow.jobs.list(state=state, limit=limit)


def work_waiting(rt: Runtime) -> bool:
    """Whether a worker has something to claim or take back: a queued job, or a running
    one whose lease ran out. Only reads (two EXISTS queries), so it takes no write lock."""
    with rt.uow() as uow:
        return uow.jobs.any_in(JobState.QUEUED) or uow.jobs.any_expired(now())


def any_running(rt: Runtime) -> bool:
    with rt.uow() as uow:
        return uow.jobs.any_in(JobState.RUNNING)


def cancel(rt: Runtime, job_id: str) -> Job:
    """Cancel a queued job now; ask a running one to stop at its next progress point.

    Needs the permission that starting a job of its kind needs."""
    job = get_job(rt, job_id)
    rt.require(kind_of(job.kind).permission)
    with rt.uow() as uow:
        uow.hold_writes()
        if uow.jobs.cancel_queued(job_id, now=now()):
            action = "job.cancelled"
        elif uow.jobs.request_cancel(job_id):
            action = "job.cancel_requested"
        else:
            raise Conflict(f"job {job_id} has already ended; there is nothing to cancel")
        AuditWriter(uow, rt.actor).record(action, "job", job_id, {"kind": job.kind})
        uow.commit()
    return get_job(rt, job_id)


def claim(rt: Runtime, worker: str, *, lease_seconds: float) -> Job | None:
    """The oldest queued job, now running and held by ``worker``; None when none waits."""
    with rt.uow() as uow:
        uow.hold_writes()
        job_id = uow.jobs.next_queued()
        moment = now()
        if job_id is None or not uow.jobs.claim(
            job_id, worker, now=moment, lease_until=moment + timedelta(seconds=lease_seconds)
        ):
            return None
        job = uow.jobs.get(job_id)
        assert job is not None
        AuditWriter(uow, f"worker:{worker}").record(
            "job.started", "job", job_id, {"kind": job.kind, "attempt": job.attempts}
        )
        uow.commit()
    return job


@dataclass(frozen=True)
class Beat:
    """What a renewal found: whether ``worker`` still holds the job, and whether
    someone asked to cancel it."""

    held: bool
    cancel: bool


def renew(rt: Runtime, job_id: str, worker: str, *, lease_seconds: float, progress: float) -> Beat:
    """Extend ``worker``'s lease on a running job and store its progress."""
    with rt.uow() as uow:
        moment = now()
        held = uow.jobs.renew(
            job_id,
            worker,
            now=moment,
            lease_until=moment + timedelta(seconds=lease_seconds),
            progress=progress,
        )
        job = uow.jobs.get(job_id)
        uow.commit()
    return Beat(held=held, cancel=bool(job and job.cancel_requested))


def end(
    rt: Runtime,
    job_id: str,
    worker: str,
    state: JobState,
    *,
    result: str | None = None,
    error: str | None = None,
) -> bool:
    """End a job ``worker`` holds (done, failed or cancelled); False, and nothing
    written, when the worker no longer holds it, so a job ends once."""
    if error is not None:
        error = error[:ERROR_LENGTH]
    with rt.uow() as uow:
        uow.hold_writes()
        if not uow.jobs.end(job_id, worker, state, now=now(), result=result, error=error):
            return False
        details = {"state": state.value, "result": result} if result else {"state": state.value}
        AuditWriter(uow, f"worker:{worker}").record(f"job.{state.value}", "job", job_id, details)
        uow.commit()
    return True


def reap(rt: Runtime, reaper: str) -> list[Job]:
    """Take back every job whose worker's lease ran out: queued again while it has
    attempts left (cancelled if cancelling was asked), failed otherwise."""
    taken: list[Job] = []
    with rt.uow() as uow:
        uow.hold_writes()
        moment = now()
        audit = AuditWriter(uow, f"worker:{reaper}")
        for job in uow.jobs.expired(moment):
            state, error = _after_lost(job)
            if uow.jobs.release(job, state, now=moment, error=error):
                details = {"state": state.value, "worker": job.claimed_by or ""}
                audit.record("job.lease_expired", "job", job.id, details)
                taken.append(job)
        uow.commit()
    return taken


def _after_lost(job: Job) -> tuple[JobState, str | None]:
    lost = LOST_WORKER % {"n": job.attempts, "m": job.max_attempts}
    if job.cancel_requested:
        return JobState.CANCELLED, None
    if job.attempts < job.max_attempts:
        return JobState.QUEUED, lost
    return JobState.FAILED, lost


@dataclass(frozen=True)
class QueueFigures:
    """What the metrics show of the queue: counts by state, the oldest wait, and the
    count and total seconds of the jobs that ended in the last hour, by kind."""

    states: dict[str, int]
    oldest_queued_seconds: float
    ended: dict[str, tuple[int, float]]


def queue_figures(rt: Runtime) -> QueueFigures:
    moment = now()
    with rt.uow() as uow:
        states = uow.jobs.counts()
        oldest = uow.jobs.oldest_queued()
        recent = uow.jobs.finished_since(moment - timedelta(hours=1))
    ended: dict[str, tuple[int, float]] = {}
    for job in recent:
        count, total = ended.get(job.kind, (0, 0.0))
        ended[job.kind] = (count + 1, total + job.seconds)
    waited = (moment - oldest).total_seconds() if oldest is not None else 0.0
    return QueueFigures(
        states={s.value: states.get(s.value, 0) for s in JobState},
        oldest_queued_seconds=max(waited, 0.0),
        ended=ended,
    )
