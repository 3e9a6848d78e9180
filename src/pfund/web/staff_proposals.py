"""Staff pages of proposal intake: the list, each proposal's page, and its moves.

A proposal's page shows everything its proposer sent, the contact only to roles that
may read protected data (each view audited by the service), its screening, reviews,
messages and history in words. Analysts ask, return, reject, take in and publish from
it, and assign reviewers; a reviewer opens the proposals assigned to them. Every form
calls the same service as the API and the CLI, acting as the signed-in user.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from pfund.api.deps import RuntimeDep, acting
from pfund.domain import ProjectStatus
from pfund.domain.account import Permission
from pfund.errors import NotFound
from pfund.services import proposals, reviews
from pfund.services.filters import ProjectFilter
from pfund.services.results import project_reports, project_results
from pfund.web.forms import check_csrf
from pfund.web.labels import N_
from pfund.web.paging import paginate_stored
from pfund.web.render import render
from pfund.web.staff import CsrfField, StaffDep, proposal_back

router = APIRouter(prefix="/staff", include_in_schema=False)
STATUSES = [s.value for s in ProjectStatus]


@router.get("/proposals", response_class=HTMLResponse)
def proposal_list(
    request: Request, rt: RuntimeDep, who: StaffDep, status: str = ""
) -> HTMLResponse:
    """Proposals by status (any case), newest first, paged by the store with the shared
    pager, as every staff list is."""
    wanted = ProjectFilter.of(status=status).status
    wanted = wanted if wanted in STATUSES else None
    listing = paginate_stored(
        lambda offset, limit: proposals.proposal_lines(
            acting(rt, who), status=wanted, offset=offset, limit=limit
        ),
        request.query_params,
        "/staff/proposals",
        per_page=proposals.PAGE_SIZE,
    )
    return render(
        request,
        "staff/proposals.html.j2",
        listing=listing,
        statuses=STATUSES,
        chosen=wanted or "",
        message=request.query_params.get("message"),
    )


@router.get("/proposals/{project_id}", response_class=HTMLResponse)
def proposal_page(project_id: str, request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    found = proposals.detail(acting(rt, who), project_id)
    mine = [
        r
        for r in reviews.list_reviews(rt, project_id=project_id)
        if who.user and r.reviewer == who.user.username
    ]
    return render(
        request,
        "staff/proposal.html.j2",
        d=found,
        p=found.project,
        mine=mine,
        scales=reviews.score_scales(rt) if mine else {},
        can=who.can,
        P=Permission,
        S=ProjectStatus,
        open_statuses=proposals.OPEN,
        unpublishable=proposals.UNPUBLISHABLE,
        message=request.query_params.get("message"),
        results=project_results(acting(rt, who), project_id),
        reports=project_reports(acting(rt, who), project_id),
    )


@router.post("/proposals/{project_id}/{action}")
def move(
    project_id: str,
    action: str,
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    text: Annotated[str, Form(max_length=5000)] = "",
    reviewer: Annotated[str, Form(max_length=64)] = "",
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    """One move on the proposal; the service checks the permission and the status."""
    check_csrf(request, csrf_token)
    as_who = acting(rt, who)
    steps: dict[str, tuple[Callable[[], object], str]] = {
        "ask": (lambda: proposals.ask(as_who, project_id, text), N_("question sent")),
        "return": (lambda: proposals.return_(as_who, project_id, text), N_("returned for changes")),
        "reject": (lambda: proposals.reject(as_who, project_id, text), N_("rejected")),
        "accept": (lambda: proposals.accept(as_who, project_id), N_("taken into the pipeline")),
        "publish": (lambda: proposals.publish(as_who, project_id), N_("published")),
        "unpublish": (lambda: proposals.unpublish(as_who, project_id), N_("taken off the portal")),
        "reviewers": (
            lambda: reviews.assign(as_who, project_id, reviewer),
            N_("reviewer assigned"),
        ),
    }
    if action not in steps:
        raise NotFound(f"no action '{action}'")
    run, done = steps[action]
    run()
    return proposal_back(project_id, done)
