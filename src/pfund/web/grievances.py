"""The grievance channel's pages: the public form, the reporter's status page, the
public statistics, and the integrity officer's queue and grievance page.

The form works without JavaScript, in both languages, behind the form token and the
proposal form's hourly limit per network address; a refused form stores nothing and
comes back filled in (the reporter's name and contact too, in that one response only,
never cached). The tracking code is posted, never put in a URL, so it stays out of logs
and histories; every wrong code gets the same answer and counts against the limit.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from pfund.api.deps import RuntimeDep, SettingsDep, acting, principal
from pfund.api.limits import client_address
from pfund.domain.account import Permission
from pfund.domain.grievance import GrievanceCategory, GrievanceStatus
from pfund.errors import NotFound, PfundError
from pfund.io.evidence import MAX_EVIDENCE_BYTES
from pfund.services import grievances
from pfund.services.grievance_stats import stats
from pfund.services.throttle import TooManyAttempts, count_grievance, count_grievance_code
from pfund.web.forms import check_csrf, field_errors
from pfund.web.labels import N_
from pfund.web.render import language, render
from pfund.web.staff import CsrfField, StaffDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(principal)])
FIELDS = ("category", "subject_id", "description", "name", "contact")
TOO_MANY = N_("too many attempts from this network in the last hour; try later")
NO_CODE = N_("no grievance with this code")
CATEGORY_WORDS = {
    "fraud": N_("Fraud"),
    "corruption": N_("Corruption"),
    "harm_to_people": N_("Harm to people"),
    "harm_to_environment": N_("Harm to the environment"),
    "retaliation": N_("Retaliation against someone who spoke up"),
    "other": N_("Something else"),
}
STATUS_WORDS = {
    "received": N_("received"),
    "acknowledged": N_("acknowledged"),
    "under_review": N_("under review"),
    "substantiated": N_("substantiated"),
    "not_substantiated": N_("not substantiated"),
    "referred": N_("referred to another body"),
    "closed": N_("closed"),
}
STEP_WORDS = {
    "received": N_("Received"),
    "moved": N_("Status changed"),
    "reporter_added": N_("You added information"),
    "held": N_("Money held"),
    "lifted": N_("Hold lifted"),
}
WORDS = {"categories": CATEGORY_WORDS, "statuses": STATUS_WORDS, "steps": STEP_WORDS}


@router.get("/grievances/new", response_class=HTMLResponse)
def form(request: Request, rt: RuntimeDep) -> HTMLResponse:
    return _form(request, rt, {}, {}, 200)


@router.post("/grievances/new", response_class=HTMLResponse)
async def send(request: Request, rt: RuntimeDep, settings: SettingsDep) -> HTMLResponse:
    data = await request.form(max_files=grievances.MAX_FILES + 1)
    check_csrf(request, str(data.get("csrf_token", "")))
    values: dict[str, object] = {k: str(data.get(k, "")).strip() for k in FIELDS}
    values["anonymous"] = bool(data.get("anonymous"))
    values["language"] = language(request)
    if values["subject_id"]:
        values["subject_kind"] = "project"
    try:
        count_grievance(rt, client_address(request), settings.proposals_per_hour)
    except TooManyAttempts as err:
        page = _form(request, rt, values, {"": TOO_MANY}, 429)
        page.headers["retry-after"] = str(err.retry_after)
        return page
    errors: dict[str, str] = {}
    checked = None
    try:
        checked = grievances.check_form(values)
    except PfundError as err:
        errors |= field_errors(err)
    uploads = await _uploads(data)
    try:
        grievances.clean_all(uploads)
    except PfundError as err:
        errors |= {"evidence": "; ".join(f"{p.file}: {p.reason}" for p in err.problems)}
    if errors or checked is None:
        return _form(request, rt, values, errors, 400)
    try:
        filed = grievances.submit(rt, checked, uploads)
    except PfundError as err:
        return _form(request, rt, values, field_errors(err), 400)
    page = render(request, "grievance_filed.html.j2", filed=filed)
    page.headers["cache-control"] = "no-store"
    return page


def _form(
    request: Request, rt: RuntimeDep, values: dict[str, object], errors: dict[str, str], status: int
) -> HTMLResponse:
    page = render(
        request,
        "grievance_form.html.j2",
        status=status,
        categories=[c.value for c in GrievanceCategory],
        subjects=grievances.subjects(rt),
        values=values,
        errors=errors,
        words=WORDS,
        max_mib=MAX_EVIDENCE_BYTES // 2**20,
        max_files=grievances.MAX_FILES,
    )
    page.headers["cache-control"] = "no-store"
    return page


async def _uploads(data: FormData) -> list[grievances.Upload]:
    """The evidence files, each read to one byte past the limit (the service refuses it)."""
    found = []
    for item in data.getlist("evidence"):
        if isinstance(item, UploadFile) and item.filename:
            content = await item.read(MAX_EVIDENCE_BYTES + 1)
            found.append(grievances.Upload(item.filename[:300], content))
    return found


@router.get("/grievances/status", response_class=HTMLResponse)
def status_form(request: Request) -> HTMLResponse:
    return _status(request, None, None, "", 200)


@router.post("/grievances/status", response_class=HTMLResponse)
async def status_page(request: Request, rt: RuntimeDep, settings: SettingsDep) -> HTMLResponse:
    """The grievance's state for whoever holds its code; with ``action=add`` the reporter
    adds text or files. A wrong code, whatever it is, gets the same page."""
    data = await request.form(max_files=grievances.MAX_FILES + 1)
    check_csrf(request, str(data.get("csrf_token", "")))
    code = str(data.get("code", ""))[:64]
    try:
        count_grievance_code(rt, client_address(request), settings.status_checks_per_hour)
    except TooManyAttempts as err:
        page = _status(request, None, TOO_MANY, "", 429)
        page.headers["retry-after"] = str(err.retry_after)
        return page
    try:
        found = grievances.status_by_code(rt, code)
    except NotFound:
        return _status(request, None, NO_CODE, "", 404)
    if str(data.get("action", "")) != "add":
        return _status(request, found, None, code, 200)
    try:
        count_grievance(rt, client_address(request), settings.proposals_per_hour)
        text = str(data.get("text", ""))[: grievances.MAX_TEXT]
        found = grievances.add_by_code(rt, code, text, await _uploads(data))
    except TooManyAttempts:
        return _status(request, found, TOO_MANY, code, 429)
    except PfundError as err:
        reasons = "; ".join(p.reason for p in err.problems) or err.message
        return _status(request, found, reasons, code, 400)
    return _status(request, found, None, code, 200, added=True)


def _status(
    request: Request,
    found: grievances.ReporterView | None,
    error: str | None,
    code: str,
    status: int,
    *,
    added: bool = False,
) -> HTMLResponse:
    page = render(
        request,
        "grievance_status.html.j2",
        status=status,
        found=found,
        error=error,
        code=code if found else "",
        words=WORDS,
        added=added,
        max_files=grievances.MAX_FILES,
    )
    page.headers["cache-control"] = "no-store"
    return page


@router.get("/grievances/statistics", response_class=HTMLResponse)
def statistics(request: Request, rt: RuntimeDep) -> HTMLResponse:
    return render(request, "grievance_stats.html.j2", s=stats(rt), words=WORDS)


# -- the integrity officer ----------------------------------------------------------------


@router.get("/staff/grievances", response_class=HTMLResponse)
def queue_page(request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    lines = grievances.queue(acting(rt, who))
    return render(
        request,
        "staff/grievances.html.j2",
        lines=lines,
        words=WORDS,
        message=request.query_params.get("message"),
    )


@router.get("/staff/grievances/{grievance_id}", response_class=HTMLResponse)
def grievance_page(
    grievance_id: str, request: Request, rt: RuntimeDep, who: StaffDep
) -> HTMLResponse:
    d = grievances.detail(acting(rt, who), grievance_id)
    return render(
        request,
        "staff/grievance.html.j2",
        d=d,
        g=d.grievance,
        words=WORDS,
        can=who.can,
        P=Permission,
        message=request.query_params.get("message"),
    )


@router.get("/staff/grievances/{grievance_id}/files/{position}")
def grievance_file(grievance_id: str, position: int, rt: RuntimeDep, who: StaffDep) -> Response:
    """An evidence file, for the integrity role only, as a download (audited)."""
    name, media_type, content = grievances.evidence(acting(rt, who), grievance_id, position)
    safe = "".join(c for c in name if c.isalnum() or c in "._-")[:100] or "evidence"
    return Response(
        content,
        media_type=media_type,
        headers={
            "content-disposition": f'attachment; filename="{safe}"',
            "cache-control": "no-store",
            "x-content-type-options": "nosniff",
        },
    )


@router.post("/staff/grievances/{grievance_id}/move")
def move_form(
    grievance_id: str,
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    to: Annotated[str, Form(max_length=32)],
    reason: Annotated[str, Form(max_length=5000)] = "",
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    target = GrievanceStatus(to) if to in GrievanceStatus.__members__.values() else None
    if target is None:
        raise NotFound(f"no status {to[:32]}")
    grievances.move(acting(rt, who), grievance_id, target, reason)
    return _back(grievance_id, N_("status changed"))


@router.post("/staff/grievances/{grievance_id}/hold")
def hold_form(
    grievance_id: str,
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    reason: Annotated[str, Form(max_length=5000)] = "",
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    grievances.hold(acting(rt, who), grievance_id, reason)
    return _back(grievance_id, N_("money held"))


@router.post("/staff/grievances/{grievance_id}/lift")
def lift_form(
    grievance_id: str,
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    reason: Annotated[str, Form(max_length=5000)] = "",
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    grievances.lift(acting(rt, who), grievance_id, reason)
    return _back(grievance_id, N_("hold lifted"))


def _back(grievance_id: str, message: str) -> RedirectResponse:
    from urllib.parse import quote

    return RedirectResponse(
        f"/staff/grievances/{quote(grievance_id)}?message={quote(message)}", status_code=303
    )
