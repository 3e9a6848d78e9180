"""Rows of background jobs and of audit-chain verifications.

A job is one piece of long work (an appraisal, a portfolio run) stored with its state,
so every API worker and every ``pfund worker`` process sees the same queue. A worker
holds a job by a lease (``claimed_by`` until ``lease_until``) that it renews while the
job runs; a lease that runs out means the worker died, and the job is queued again or
failed. The parameters are canonical JSON text, as decision records keep theirs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import ENUM, ID, TITLE, Base

ACTOR = String(200)
RESULT = String(200)
ERROR = String(2000)


class JobRow(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_created_at", "state", "created_at"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(ENUM)
    state: Mapped[str] = mapped_column(ENUM)
    parameters: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(ACTOR)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(ACTOR, nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    progress: Mapped[float] = mapped_column(Double, default=0.0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    result: Mapped[str | None] = mapped_column(RESULT, nullable=True)
    error: Mapped[str | None] = mapped_column(ERROR, nullable=True)


class AuditVerificationRow(Base):
    """One run of ``pfund audit verify``: when, by whom, and whether the chain held."""

    __tablename__ = "audit_verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(ACTOR)
    intact: Mapped[bool] = mapped_column(Boolean)
    events: Mapped[int] = mapped_column(Integer)


class JobFileRow(Base):
    """A file a job reads or makes: an upload waiting to be imported, or a built report.

    Kept in the database, so every API worker can serve what a worker on another
    machine built, and every worker can read what any API worker received."""

    __tablename__ = "job_files"
    __table_args__ = (Index("ix_job_files_job_id", "job_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    job_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("jobs.id", ondelete="CASCADE"), nullable=True
    )
    role: Mapped[str] = mapped_column(ENUM)
    name: Mapped[str] = mapped_column(TITLE)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    actor: Mapped[str] = mapped_column(ACTOR)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
