"""A background job as services, pages and the API see it.

A job is ``queued`` until a worker claims it, ``running`` while that worker holds its
lease, and ends ``done``, ``failed`` or ``cancelled``; a running job whose worker
stopped renewing its lease goes back to ``queued`` (another attempt) or to ``failed``
once it has had its attempts. The three end states are final: nothing moves a job out
of them, so a job can finish only once.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        return self in FINAL_STATES


FINAL_STATES = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})


class Job(BaseModel):
    """One job and where it stands; ``result`` names the record the job made."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(max_length=64)
    kind: str = Field(max_length=32)
    state: JobState
    parameters: dict[str, Any] = Field(default_factory=dict)
    actor: str = Field(max_length=200)
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    claimed_by: str | None = Field(default=None, max_length=200)
    lease_until: datetime | None = None
    heartbeat_at: datetime | None = None
    attempts: int = 0
    max_attempts: int = 1
    progress: float = 0.0
    cancel_requested: bool = False
    result: str | None = Field(default=None, max_length=200)
    error: str | None = Field(default=None, max_length=2000)

    @property
    def done(self) -> bool:
        """Whether the job has ended, however it ended (the pages stop refreshing then)."""
        return self.state.final

    @property
    def seconds(self) -> float:
        """How long it ran (or has run so far, against ``finished_at`` or its heartbeat)."""
        if self.started_at is None:
            return 0.0
        end = self.finished_at or self.heartbeat_at or self.started_at
        return max((end - self.started_at).total_seconds(), 0.0)


class JobFileRole(StrEnum):
    """An upload a job will read (an import), or a file a job made (a report)."""

    UPLOAD = "upload"
    RESULT = "result"


class JobFile(BaseModel):
    """A file kept with a job in the store (its content is read on its own)."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(max_length=64)
    job_id: str | None = Field(default=None, max_length=64)
    role: JobFileRole
    name: str = Field(min_length=1, max_length=200)
    media_type: str = Field(max_length=100)
    size: int = Field(ge=0)
    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    actor: str = Field(max_length=200)
    created_at: datetime
