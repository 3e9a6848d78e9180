"""The staff workspace's jobs: the queue, one job's page, and cancelling a job.

Read from the store, so a job queued through one API worker shows the same on every
other, whichever process runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pfund.api.deps import RuntimeDep, acting
from pfund.api.routes.jobs import REPORT_KIND, file_response
from pfund.domain.account import Permission
from pfund.domain.jobs import Job, JobState
from pfund.services import job_files, jobs
from pfund.services.job_kinds import KINDS
from pfund.web.forms import check_csrf
from pfund.web.labels import N_
from pfund.web.paging import paginate
from pfund.web.render import render
from pfund.web.staff import StaffDep

router = APIRouter(prefix="/staff", include_in_schema=False)

# The states and the kind that only jobs have, for the catalogs (the others are labels).
WORDS = (N_("queued"), N_("running"), N_("failed"), N_("probe"), N_("import"), N_("report"))


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, rt: RuntimeDep, who: StaffDep, state: str = "") -> HTMLResponse:
    chosen = JobState(state) if state in JobState.__members__.values() else None
    found = jobs.list_jobs(acting(rt, who), state=chosen, limit=500)
    return render(
        request,
        "staff/jobs.html.j2",
        jobs=paginate(found, request.query_params, "/staff/jobs", per_page=25),
        states=[s.value for s in JobState],
        chosen=chosen.value if chosen else "",
        may_report=who.can(Permission.APPRAISE),
    )


@dataclass(frozen=True)
class BatchOutcome:
    """A frontier or robustness job's record and, when its time ran out, what it cut
    (read from the job's result, see ``job_kinds.batch_result``)."""

    record_id: str
    partial: bool = False
    unsolved: int = 0
    of: int = 0
    stand_in: int = 0


def batch_outcome(job: Job) -> BatchOutcome | None:
    """The outcome of a finished frontier or robustness job, or None for other jobs."""
    if job.kind not in ("frontier", "robust") or not job.result:
        return None
    record_id, *labels = job.result.split()
    said = dict(label.partition("=")[::2] for label in labels)
    unsolved, _, of = said.get("unsolved", "0/0").partition("/")
    return BatchOutcome(
        record_id=record_id,
        partial="partial" in said,
        unsolved=int(unsolved or 0),
        of=int(of or 0),
        stand_in=int(said.get("stand_in", 0)),
    )


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(job_id: str, request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    job = jobs.get_job(acting(rt, who), job_id)
    kind = KINDS.get(job.kind)
    may_cancel = not job.done and kind is not None and who.can(kind.permission)
    files = job_files.results_of(acting(rt, who), job_id)
    return render(
        request,
        "staff/job.html.j2",
        job=job,
        may_cancel=may_cancel,
        files=files,
        batch=batch_outcome(job),
    )


@router.get("/jobs/{job_id}/files/{name}")
def job_file(job_id: str, name: str, rt: RuntimeDep, who: StaffDep) -> Response:
    """A file the job built (the board report), from the store: any server gives it."""
    file, content = job_files.result_file(acting(rt, who), job_id, name)
    return file_response(file, content)


@router.post("/jobs/report")
def start_report(
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    csrf_token: Annotated[str, Form(alias="csrf_token")] = "",
) -> RedirectResponse:
    """Queue the board report of the newest run, in English and Russian."""
    check_csrf(request, csrf_token)
    job = request.app.state.jobs.start(acting(rt, who), REPORT_KIND, {"lang": "both"})
    return RedirectResponse(f"/staff/jobs/{job.id}", status_code=303)


@router.post("/jobs/{job_id}/cancel")
def cancel_job(
    job_id: str,
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    csrf_token: Annotated[str, Form(alias="csrf_token")] = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    jobs.cancel(acting(rt, who), job_id)
    return RedirectResponse(f"/staff/jobs/{job_id}", status_code=303)
