"""The companies' return on the portal (``/companies``: each sanctions-relief phase and
the returns it unlocks) and in the staff workspace (``/staff/companies``: the pipeline,
with a form to move a company one stage on)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from pfund.api.deps import RuntimeDep, acting, principal
from pfund.domain.account import Permission
from pfund.domain.company_return import PIPELINE
from pfund.errors import Conflict, InvalidInput, NotFound
from pfund.services.company_returns import (
    company_lists,
    company_pipeline,
    match_returning,
    returns_by_phase,
)
from pfund.services.company_returns import move_company as move_service
from pfund.web.forms import check_csrf
from pfund.web.render import public_page, render
from pfund.web.staff import CsrfField, StaffDep, _allowed

router = APIRouter(include_in_schema=False, dependencies=[Depends(principal)])
STAFF = "/staff/companies"


@router.get("/companies", response_class=HTMLResponse)
def public_companies(request: Request, rt: RuntimeDep) -> HTMLResponse:
    """Each relief phase, open or not, and how many returns it unlocks by stage."""

    def build() -> dict[str, Any]:
        return {"phases": returns_by_phase(rt), "stages": [s.value for s in PIPELINE]}

    return public_page(request, "companies.html.j2", build)


@router.get(STAFF, response_class=HTMLResponse)
def staff_companies(request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    """The pipeline: every company on an imported list, and the lists themselves."""
    done = acting(rt, who)
    with rt.uow() as uow:
        areas = {a.code: a for a in uow.reference.areas()}
        stages = {s.number: s for s in uow.stages.list()}
        orgs = {o.id: o for o in uow.organisations.list(kind="company")}
    query = request.query_params
    context: dict[str, Any] = {
        "lines": company_pipeline(done),
        "lists": company_lists(done),
        "phases": returns_by_phase(done),
        "matches": match_returning(done, on=date.today(), limit=3),
        "areas": areas,
        "fund_stages": stages,
        "orgs": orgs,
        "can": who.can,
        "P": Permission,
        "today": date.today(),
        "moved": query.get("moved"),
        "refused": query.get("refused"),
        "to": query.get("to"),
        "why": query.get("why"),
        "staff": True,
    }
    return render(request, "staff/companies.html.j2", **context)


@router.post(STAFF + "/{org_id}/stage")
def move_company(
    request: Request,
    org_id: str,
    rt: RuntimeDep,
    who: StaffDep,
    stage: Annotated[str, Form(max_length=32)] = "",
    on: Annotated[str, Form(max_length=10)] = "",
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    """One stage on; a refusal comes back as a notice the page words in its language."""
    check_csrf(request, csrf_token)
    _allowed(who, Permission.IMPORT)
    try:
        day = date.fromisoformat(on) if on else date.today()
        moved = move_service(acting(rt, who), org_id, stage, on=day)
    except (Conflict, InvalidInput, NotFound, ValueError) as err:
        why = _why(err)
        query = {"refused": org_id, "to": stage[:32], "why": why}
        return RedirectResponse(f"{STAFF}?{urlencode(query)}", status_code=303)
    query = {"moved": moved.organisation_id, "to": moved.stage.value}
    return RedirectResponse(f"{STAFF}?{urlencode(query)}#company-{org_id}", status_code=303)


def _why(err: Exception) -> str:
    """The kind of refusal, which the page words in the reader's language."""
    if isinstance(err, NotFound):
        return "unknown"
    if isinstance(err, InvalidInput):
        return "date" if any(p.field == "on" for p in err.problems) else "stage"
    if isinstance(err, Conflict):
        return "phase" if "cannot be marked" in str(err) else "order"
    return "date"  # a day that is not YYYY-MM-DD
