"""The staff workspace's jobs: the queue, one job's page, and cancelling a job.

Read from the store, so a job queued through one API worker shows the same on every
other, whichever process runs it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from pfund.api.deps import RuntimeDep, acting
from pfund.domain.jobs import JobState
from pfund.services import jobs
from pfund.services.job_kinds import KINDS
from pfund.web.forms import check_csrf
from pfund.web.labels import N_
from pfund.web.paging import paginate
from pfund.web.render import render
from pfund.web.staff import StaffDep

router = APIRouter(prefix="/staff", include_in_schema=False)

# The states and the kind that only jobs have, for the catalogs (the others are labels).
WORDS = (N_("queued"), N_("running"), N_("failed"), N_("probe"))


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
    )


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(job_id: str, request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    job = jobs.get_job(acting(rt, who), job_id)
    kind = KINDS.get(job.kind)
    may_cancel = not job.done and kind is not None and who.can(kind.permission)
    return render(request, "staff/job.html.j2", job=job, may_cancel=may_cancel)


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
