"""Jobs: queue long work for the workers, follow it, cancel it (staff only).

A job queued here is a row of the store: any API worker answers for it, and whichever
process runs it (``pfund worker``, or this service's own job thread), its state,
progress, result and error read the same everywhere.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from pfund.api.deps import RuntimeDep, acting, require
from pfund.domain.account import Permission, Principal
from pfund.domain.jobs import Job, JobState
from pfund.services import jobs

router = APIRouter(tags=["jobs"])
StaffDep = Annotated[Principal, require(Permission.READ_INTERNAL)]


class JobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(
        max_length=32, description="appraisal, portfolio, frontier, robust, screening, probe."
    )
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="The kind's parameters, e.g. {'time_limit': 30}."
    )


@router.post("/jobs", response_model=Job, status_code=202)
def start_job(body: JobRequest, request: Request, rt: RuntimeDep, who: StaffDep) -> Job:
    """Queue a job; follow it at ``/jobs/{id}`` until its state is done, failed or cancelled."""
    started: Job = request.app.state.jobs.start(acting(rt, who), body.kind, body.parameters)
    return started


@router.get("/jobs", response_model=list[Job])
def list_jobs(
    rt: RuntimeDep,
    who: StaffDep,
    state: JobState | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[Job]:
    """The latest jobs, newest first."""
    return jobs.list_jobs(acting(rt, who), state=state, limit=limit)


@router.get("/jobs/{job_id}", response_model=Job)
def get_job(job_id: str, rt: RuntimeDep, who: StaffDep) -> Job:
    """One job: state, progress, attempts, result (a record id) or error."""
    return jobs.get_job(acting(rt, who), job_id)


@router.post("/jobs/{job_id}/cancel", response_model=Job)
def cancel_job(job_id: str, rt: RuntimeDep, who: StaffDep) -> Job:
    """Cancel a queued job, or ask a running one to stop at its next step (409 once ended)."""
    return jobs.cancel(acting(rt, who), job_id)
