"""The companies' return on the portal (``/companies``: each sanctions-relief phase and
the returns it unlocks) and in the staff workspace (``/staff/companies``: the pipeline,
with a form to move a company one stage on or, with the reason, back to an earlier
stage, each company's stage history, and the upload of a tracker's list).

The upload is the API's and the CLI's import (a Yale CELI or KSE Institute CSV, all or
nothing): a refused file is shown on the page again with every problem by row and field,
in the page's language, and nothing is stored; the same file twice is refused by its
sha256, so a double submit imports it once."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pfund.api.deps import RuntimeDep, acting, principal
from pfund.api.uploads import upload_name
from pfund.domain.account import Permission, Principal
from pfund.domain.company_return import PIPELINE, Tracker, earlier_stages
from pfund.errors import Conflict, InvalidInput, NotFound, PfundError, Problem
from pfund.services.company_returns import (
    company_lists,
    company_pipeline,
    import_company_list,
    match_returning,
    returns_by_phase,
    stage_history,
)
from pfund.services.company_returns import move_company as move_service
from pfund.services.runtime import Runtime
from pfund.web.counts import counted
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
    return _page(request, rt, who)


def _page(
    request: Request, rt: Runtime, who: Principal, *, status: int = 200, **shown: Any
) -> HTMLResponse:
    done = acting(rt, who)
    with rt.uow() as uow:
        areas = {a.code: a for a in uow.reference.areas()}
        stages = {s.number: s for s in uow.stages.list()}
        orgs = {o.id: o for o in uow.organisations.list(kind="company")}
    query = request.query_params
    lines = company_pipeline(done)
    context: dict[str, Any] = {
        "lines": lines,
        "back_to": {c.organisation_id: earlier_stages(c.stage) for c in (x.company for x in lines)},
        "history": stage_history(done, [line.company.organisation_id for line in lines]),
        "lists": company_lists(done),
        "phases": returns_by_phase(done),
        "matches": match_returning(done, on=date.today(), limit=3),
        "areas": areas,
        "fund_stages": stages,
        "orgs": orgs,
        "can": who.can,
        "P": Permission,
        "today": date.today(),
        "trackers": [t.value for t in Tracker],
        "moved": query.get("moved"),
        "refused": query.get("refused"),
        "to": query.get("to"),
        "why": query.get("why"),
        "message": query.get("message"),
        "upload_error": None,
        "asked": {},
        "staff": True,
        **shown,
    }
    return render(request, "staff/companies.html.j2", status=status, **context)


@router.post(STAFF + "/import", response_class=HTMLResponse)
def upload_list(
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    file: UploadFile,
    tracker: Annotated[str, Form(max_length=8)] = "",
    source: Annotated[str, Form(max_length=300)] = "",
    url: Annotated[str, Form(max_length=500)] = "",
    as_of: Annotated[str, Form(max_length=10)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    """A tracker's list, all or nothing; a refusal shows every problem on the page."""
    check_csrf(request, csrf_token)
    _allowed(who, Permission.IMPORT)
    asked = {"tracker": tracker, "source": source, "url": url, "as_of": as_of}
    try:
        layout, day = _upload_fields(tracker, as_of)
        name = upload_name(file.filename, "companies.csv")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(file.file.read())
            done = import_company_list(
                acting(rt, who), path, tracker=layout, source=source, url=url.strip(), as_of=day
            )
    except PfundError as err:
        return _page(request, rt, who, status=err.status, upload_error=err, asked=asked)
    message = (
        f"{done.listing.id} imported: {counted(done.companies, 'companies')}, "
        f"{counted(len(done.new_organisations), 'new_organisations')}"
    )
    return RedirectResponse(f"{STAFF}?message={quote(message)}#lists", status_code=303)


def _upload_fields(tracker: str, as_of: str) -> tuple[Tracker, date]:
    """The layout and the list's date, or the problems with both (nothing is read)."""
    problems = []
    layout = Tracker.YALE
    try:
        layout = Tracker(tracker)
    except ValueError:
        problems.append(Problem("choose the layout: Yale CELI or KSE Institute", field="tracker"))
    day = date.today()
    try:
        day = date.fromisoformat(as_of.strip())
    except ValueError:
        problems.append(Problem("a date as YYYY-MM-DD", field="as_of"))
    if problems:
        raise InvalidInput("the list's details are not valid; nothing was stored", problems)
    return layout, day


@router.post(STAFF + "/{org_id}/stage")
def move_company(
    request: Request,
    org_id: str,
    rt: RuntimeDep,
    who: StaffDep,
    stage: Annotated[str, Form(max_length=32)] = "",
    on: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=300)] = "",
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    """One stage on, or back to an earlier stage with the reason; a refusal comes back
    as a notice the page words in its language."""
    check_csrf(request, csrf_token)
    _allowed(who, Permission.IMPORT)
    try:
        day = date.fromisoformat(on) if on else date.today()
        moved = move_service(acting(rt, who), org_id, stage, on=day, reason=reason)
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
        fields = {p.field for p in err.problems}
        return "reason" if "reason" in fields else "date" if "on" in fields else "stage"
    if isinstance(err, Conflict):
        return "phase" if "cannot be marked" in str(err) else "order"
    return "date"  # a day that is not YYYY-MM-DD
