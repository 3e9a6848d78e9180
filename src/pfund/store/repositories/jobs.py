"""Jobs and audit verifications: the rows, and the conditional updates that move a job.

Every move of a job is one UPDATE whose WHERE names the state it leaves (and, for a
running job, the worker that holds it): two workers, or a worker and a reaper, that race
for one job both send it, and the database lets exactly one of them change the row. The
caller learns which by the row count. PostgreSQL also skips rows another transaction has
locked when picking the next job (``FOR UPDATE SKIP LOCKED``), so workers do not queue
behind each other's claims; SQLite has one writer at a time (the claim begins
``BEGIN IMMEDIATE``), so picking and claiming cannot interleave there.
"""

from __future__ import annotations

import builtins
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.orm import Session

from pfund.domain.audit import utc
from pfund.domain.jobs import FINAL_STATES, Job, JobFile, JobFileRole, JobState
from pfund.store.repositories._rows import table
from pfund.store.tables import AuditVerificationRow, JobFileRow, JobRow

JOBS = table(JobRow)
VERIFICATIONS = table(AuditVerificationRow)
FILES = table(JobFileRow)
FILE_FIELDS = [c for c in FILES.c if c.name != "content"]


def _moment(value: datetime | None) -> datetime | None:
    return utc(value) if value is not None else None


def build_job(row: Row[Any]) -> Job:
    values = dict(row._mapping)
    values["parameters"] = json.loads(values["parameters"])
    for name in ("created_at", "started_at", "finished_at", "lease_until", "heartbeat_at"):
        values[name] = _moment(values[name])
    return Job(**values)


def _one(moved: Any) -> bool:
    """Whether a conditional update changed its one row (the move was made)."""
    return int(moved.rowcount) == 1


class JobRepository:
    """The ``jobs`` table; nothing here commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, job: Job) -> None:
        values = job.model_dump()
        values["parameters"] = json.dumps(job.parameters, sort_keys=True)
        self.session.execute(insert(JOBS).values(**values))

    def get(self, job_id: str) -> Job | None:
        row = self.session.execute(select(JOBS).where(JOBS.c.id == job_id)).first()
        return build_job(row) if row is not None else None

    def list(self, *, state: JobState | None = None, limit: int = 100) -> builtins.list[Job]:
        """Newest first."""
        query = select(JOBS).order_by(JOBS.c.created_at.desc(), JOBS.c.id.desc()).limit(limit)
        if state is not None:
            query = query.where(JOBS.c.state == state.value)
        return [build_job(r) for r in self.session.execute(query)]

    def next_queued(self) -> str | None:
        """The oldest queued job nobody else is claiming right now (PostgreSQL skips rows
        locked by another claim; the claim's conditional update is what makes it safe)."""
        query = (
            select(JOBS.c.id)
            .where(JOBS.c.state == JobState.QUEUED.value)
            .order_by(JOBS.c.created_at, JOBS.c.id)
            .limit(1)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return self.session.execute(query).scalar()

    def claim(self, job_id: str, worker: str, *, now: datetime, lease_until: datetime) -> bool:
        """Move a queued job to running, held by ``worker``; False when it is not queued."""
        moved = self.session.execute(
            update(JOBS)
            .where(JOBS.c.id == job_id, JOBS.c.state == JobState.QUEUED.value)
            .values(
                state=JobState.RUNNING.value,
                claimed_by=worker,
                started_at=now,
                heartbeat_at=now,
                lease_until=lease_until,
                attempts=JOBS.c.attempts + 1,
                progress=0.0,
            )
        )
        return _one(moved)

    def renew(
        self, job_id: str, worker: str, *, now: datetime, lease_until: datetime, progress: float
    ) -> bool:
        """Extend the lease of a job ``worker`` still holds; False when it no longer does."""
        moved = self.session.execute(
            update(JOBS)
            .where(*self._held(job_id, worker))
            .values(heartbeat_at=now, lease_until=lease_until, progress=progress)
        )
        return _one(moved)

    def end(
        self,
        job_id: str,
        worker: str,
        state: JobState,
        *,
        now: datetime,
        result: str | None = None,
        error: str | None = None,
    ) -> bool:
        """Move a running job ``worker`` holds to an end state; False when it does not
        hold it any more (its lease ran out and it was queued again or failed)."""
        moved = self.session.execute(
            update(JOBS)
            .where(*self._held(job_id, worker))
            .values(
                state=state.value,
                finished_at=now,
                heartbeat_at=now,
                lease_until=None,
                progress=1.0 if state is JobState.DONE else JOBS.c.progress,
                result=result,
                error=error,
            )
        )
        return _one(moved)

    def expired(self, now: datetime) -> builtins.list[Job]:
        """Running jobs whose lease has run out: their worker stopped renewing it."""
        query = select(JOBS).where(JOBS.c.state == JobState.RUNNING.value, JOBS.c.lease_until < now)
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [build_job(r) for r in self.session.execute(query)]

    def any_expired(self, now: datetime) -> bool:
        """Whether a running job's lease has run out, read without locking anything."""
        query = select(JOBS.c.id).where(
            JOBS.c.state == JobState.RUNNING.value, JOBS.c.lease_until < now
        )
        return self.session.execute(select(query.exists())).scalar() is True

    def any_in(self, state: JobState) -> bool:
        """Whether any job is in ``state``."""
        query = select(JOBS.c.id).where(JOBS.c.state == state.value)
        return self.session.execute(select(query.exists())).scalar() is True

    def release(self, job: Job, state: JobState, *, now: datetime, error: str | None) -> bool:
        """Take an expired job from the worker that held it: back to ``queued`` (another
        attempt) or to an end state. False when that worker renewed or ended it meanwhile."""
        ended = state.final
        moved = self.session.execute(
            update(JOBS)
            .where(
                JOBS.c.id == job.id,
                JOBS.c.state == JobState.RUNNING.value,
                JOBS.c.claimed_by == job.claimed_by,
                JOBS.c.lease_until < now,
            )
            .values(
                state=state.value,
                claimed_by=job.claimed_by if ended else None,
                lease_until=None,
                finished_at=now if ended else None,
                error=error,
            )
        )
        return _one(moved)

    def cancel_queued(self, job_id: str, *, now: datetime) -> bool:
        moved = self.session.execute(
            update(JOBS)
            .where(JOBS.c.id == job_id, JOBS.c.state == JobState.QUEUED.value)
            .values(state=JobState.CANCELLED.value, finished_at=now, cancel_requested=True)
        )
        return _one(moved)

    def request_cancel(self, job_id: str) -> bool:
        """Ask the worker running the job to stop at its next progress point."""
        moved = self.session.execute(
            update(JOBS)
            .where(JOBS.c.id == job_id, JOBS.c.state == JobState.RUNNING.value)
            .values(cancel_requested=True)
        )
        return _one(moved)

    def counts(self) -> dict[str, int]:
        """How many jobs are in each state."""
        query = select(JOBS.c.state, func.count()).group_by(JOBS.c.state)
        return {str(state): int(n) for state, n in self.session.execute(query)}

    def oldest_queued(self) -> datetime | None:
        query = select(func.min(JOBS.c.created_at)).where(JOBS.c.state == JobState.QUEUED.value)
        return _moment(self.session.execute(query).scalar())

    def finished_since(self, since: datetime) -> builtins.list[Job]:
        """Jobs that ended since ``since`` (the metrics' durations)."""
        query = select(JOBS).where(JOBS.c.finished_at >= since, JOBS.c.started_at.is_not(None))
        return [build_job(r) for r in self.session.execute(query)]

    @staticmethod
    def _held(job_id: str, worker: str) -> tuple[Any, ...]:
        return (
            JOBS.c.id == job_id,
            JOBS.c.state == JobState.RUNNING.value,
            JOBS.c.claimed_by == worker,
        )


class JobFileRepository:
    """The ``job_files`` table: a file's facts are read apart from its content."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, file: JobFile, content: bytes) -> None:
        self.session.execute(insert(FILES).values(**file.model_dump(), content=content))

    def get(self, file_id: str) -> JobFile | None:
        row = self.session.execute(select(*FILE_FIELDS).where(FILES.c.id == file_id)).first()
        return _file(row) if row is not None else None

    def content(self, file_id: str) -> bytes | None:
        query = select(FILES.c.content).where(FILES.c.id == file_id)
        found = self.session.execute(query).scalar()
        return bytes(found) if found is not None else None

    def of_job(self, job_id: str, role: JobFileRole | None = None) -> builtins.list[JobFile]:
        query = select(*FILE_FIELDS).where(FILES.c.job_id == job_id).order_by(FILES.c.name)
        if role is not None:
            query = query.where(FILES.c.role == role.value)
        return [_file(r) for r in self.session.execute(query)]

    def drop(self, job_id: str, role: JobFileRole) -> None:
        """Remove a job's files of ``role`` (a retried job's earlier results; an
        imported upload)."""
        self.session.execute(
            delete(FILES).where(FILES.c.job_id == job_id, FILES.c.role == role.value)
        )

    def ended_before(self, before: datetime, *, limit: int) -> builtins.list[str]:
        """Up to ``limit`` jobs that ended (done, failed, cancelled) before ``before``
        and still have files, the longest ended first."""
        has_files = select(FILES.c.id).where(FILES.c.job_id == JOBS.c.id).exists()
        query = (
            select(JOBS.c.id)
            .where(
                JOBS.c.state.in_([s.value for s in FINAL_STATES]),
                JOBS.c.finished_at < before,
                has_files,
            )
            .order_by(JOBS.c.finished_at, JOBS.c.id)
            .limit(limit)
        )
        return [str(job_id) for job_id in self.session.execute(query).scalars()]

    def drop_all(self, job_id: str) -> None:
        """Remove every file of a job."""
        self.session.execute(delete(FILES).where(FILES.c.job_id == job_id))


def _file(row: Row[Any]) -> JobFile:
    values = dict(row._mapping)
    values["created_at"] = utc(values["created_at"])
    return JobFile(**values)


class VerificationRepository:
    """When ``pfund audit verify`` ran and what it found; rows are only added."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, *, at: datetime, actor: str, intact: bool, events: int) -> None:
        self.session.execute(
            insert(VERIFICATIONS).values(at=at, actor=actor, intact=intact, events=events)
        )

    def last(self) -> tuple[datetime, bool, int] | None:
        """(when, intact, events) of the latest verification, or None if none ran."""
        row = self.session.execute(
            select(VERIFICATIONS.c.at, VERIFICATIONS.c.intact, VERIFICATIONS.c.events)
            .order_by(VERIFICATIONS.c.at.desc(), VERIFICATIONS.c.id.desc())
            .limit(1)
        ).first()
        return (utc(row.at), bool(row.intact), int(row.events)) if row is not None else None
