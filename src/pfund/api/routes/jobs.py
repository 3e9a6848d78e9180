"""Jobs: queue long work for the workers, follow it, cancel it (staff only).

A job queued here is a row of the store: any API worker answers for it, and whichever
process runs it (``pfund worker``, or this service's own job thread), its state,
progress, result and error read the same everywhere.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from pfund.api.deps import RuntimeDep, SettingsDep, acting, require
from pfund.api.uploads import upload_name
from pfund.domain.account import Permission, Principal
from pfund.domain.jobs import Job, JobFile, JobState
from pfund.reports import jobs as report_jobs
from pfund.services import job_files, jobs

router = APIRouter(tags=["jobs"])
REPORT_KIND = report_jobs.KIND  # importing it registers the board report's job kind
StaffDep = Annotated[Principal, require(Permission.READ_INTERNAL)]


class JobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(
        max_length=32,
        description="appraisal, portfolio, frontier, robust, screening, report, probe "
        "(an import is queued with its file at /jobs/imports/{kind}).",
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


@router.post("/jobs/imports/{kind}", response_model=Job, status_code=202)
def queue_import(
    kind: str,
    file: UploadFile,
    request: Request,
    rt: RuntimeDep,
    settings: SettingsDep,
    who: Annotated[Principal, require(Permission.IMPORT)],
    allow_cost_changes: bool = False,
) -> Job:
    """Store a file (up to the service's import size) and queue its import as ``kind``
    (projects, organisations, people, indicators): a worker imports it all or nothing;
    the job's error names each problem, as the direct import would."""
    name = upload_name(file.filename, "upload.csv")
    job = job_files.queue_import(
        acting(rt, who),
        kind,
        name,
        file.file.read(),
        allow_cost_changes=allow_cost_changes,
        max_attempts=settings.job_max_attempts,
    )
    request.app.state.jobs.kick()
    return job


@router.get("/jobs/{job_id}/files", response_model=list[JobFile])
def job_results(job_id: str, rt: RuntimeDep, who: StaffDep) -> list[JobFile]:
    """The files a job built (a board report's ``index.html`` and ``index.ru.html``)."""
    jobs.get_job(acting(rt, who), job_id)  # an unknown job is a 404, not an empty list
    return job_files.results_of(acting(rt, who), job_id)


@router.get("/jobs/{job_id}/files/{name}", response_class=Response)
def job_result(job_id: str, name: str, rt: RuntimeDep, who: StaffDep) -> Response:
    """One file a job built, from the store (any API worker serves it)."""
    file, content = job_files.result_file(acting(rt, who), job_id, name)
    return file_response(file, content)


def file_response(file: JobFile, content: bytes) -> Response:
    """A stored file as an answer: its own media type, never cached by a shared cache."""
    headers = {
        "cache-control": "private, no-store",
        "content-disposition": f'inline; filename="{file.name}"',
        "x-content-type-options": "nosniff",
    }
    return Response(content, media_type=file.media_type, headers=headers)
