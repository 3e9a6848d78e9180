"""Results pages: the partner's report form (no account, no JavaScript) and the staff
list of late reports, where staff issue report links.

The partner's link is ``/report?t=TOKEN``: the token rides in the query string, which
the access log leaves out (``pfund.api.logs``), and it is posted back in the form body,
never in a path. Pages that carry it are not cached and send no referrer, so the token
does not leave the page. Whatever the partner sends is checked whole by the service
(values against the indicators, files against the limits); a refusal stores nothing
and shows the form again with every problem.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from pfund.api.deps import RuntimeDep, acting, principal
from pfund.domain.account import Permission
from pfund.domain.results import Indicator, ReportedValue, ReportInput, ReportRecord
from pfund.errors import InvalidInput, NotFound, Problem
from pfund.io.evidence import MAX_EVIDENCE_BYTES
from pfund.services import results
from pfund.web.forms import check_csrf
from pfund.web.labels import N_
from pfund.web.render import render
from pfund.web.staff import CsrfField, StaffDep, _allowed, proposal_back

router = APIRouter(include_in_schema=False, dependencies=[Depends(principal)])
TOKEN_MAX = 100
MAX_FILES = 10


def _private(page: HTMLResponse) -> HTMLResponse:
    page.headers["cache-control"] = "no-store"
    return page


def _form(
    request: Request,
    *,
    token: str,
    found: tuple[ReportRecord, list[Indicator]] | None,
    status: int = 200,
    errors: list[Problem] | None = None,
    values: dict[str, str] | None = None,
    done: bool = False,
) -> HTMLResponse:
    report, indicators = found if found else (None, [])
    return _private(
        render(
            request,
            "report.html.j2",
            status=status,
            report=report,
            indicators=indicators,
            token=token if found else "",
            errors=errors or [],
            values=values or {},
            done=done,
        )
    )


@router.get("/report", response_class=HTMLResponse)
def report_form(request: Request, rt: RuntimeDep, t: str = "") -> HTMLResponse:
    token = t[:TOKEN_MAX]
    try:
        found = results.report_by_token(rt, token)
    except NotFound:
        return _form(request, token="", found=None, status=404)
    return _form(request, token=token, found=found)


@router.post("/report", response_class=HTMLResponse)
async def send_report(request: Request, rt: RuntimeDep) -> HTMLResponse:
    data = await request.form(max_files=MAX_FILES)
    check_csrf(request, str(data.get("csrf_token", "")))
    token = str(data.get("t", ""))[:TOKEN_MAX]
    try:
        found = results.report_by_token(rt, token)
    except NotFound:
        return _form(request, token="", found=None, status=404)
    typed = {
        k.removeprefix("value."): str(v).strip()
        for k, v in data.multi_items()
        if k.startswith("value.") and isinstance(v, str)
    }
    uploads = await _uploads(data)
    errors: list[Problem] = []
    for check in (lambda: _report_input(found, typed), lambda: results.clean_all(uploads)):
        try:
            check()
        except InvalidInput as err:  # values and files are checked both, to say all at once
            errors.extend(err.problems or [Problem(err.message)])
    try:
        if not errors:
            results.submit_by_token(rt, token, _report_input(found, typed), uploads, channel="form")
    except InvalidInput as err:
        errors.extend(err.problems or [Problem(err.message)])
    if errors:
        return _form(request, token=token, found=found, status=400, errors=errors, values=typed)
    return _form(request, token=token, found=results.report_by_token(rt, token), done=True)


def _report_input(
    found: tuple[ReportRecord, list[Indicator]], typed: dict[str, str]
) -> ReportInput:
    """The form's values as a report; the form fixes each value's unit to its indicator's."""
    report, indicators = found
    values, problems = [], []
    for indicator in indicators:
        for region in ["", *indicator.regions]:
            key = f"{indicator.code}.{region}" if region else indicator.code
            text = typed.get(key, "").replace(" ", "").replace(",", ".")
            if not text:
                continue
            try:
                amount = Decimal(text)
            except InvalidOperation:
                problems.append(Problem(f"'{typed[key]}' is not a number", field=key))
                continue
            if not amount.is_finite() or amount < 0 or len(amount.as_tuple().digits) > 30:
                problems.append(Problem("must be a number, zero or more", field=key))
                continue
            values.append(
                ReportedValue(
                    indicator=indicator.code, value=amount, unit=indicator.unit, region=region
                )
            )
    if not values and not problems:
        problems.append(Problem("give at least one achieved value", field="value"))
    if problems:
        raise InvalidInput("the report cannot be accepted", problems)
    return ReportInput(project=report.project, period=report.period, values=values)


async def _uploads(data: FormData) -> list[results.Upload]:
    """The evidence files, each read to one byte past the limit (the service refuses it)."""
    found = []
    for item in data.getlist("evidence"):
        if isinstance(item, UploadFile) and item.filename:
            content = await item.read(MAX_EVIDENCE_BYTES + 1)
            found.append(results.Upload(item.filename[:300], content))
    return found


@router.get("/staff/results/evidence/{sha256}")
def evidence(sha256: str, rt: RuntimeDep, who: StaffDep) -> Response:
    """An evidence file, for staff only, as a download (never rendered in the page's
    origin: a file is what a partner sent)."""
    media_type, content = results.evidence_file(acting(rt, who), sha256)
    return Response(
        content,
        media_type=media_type,
        headers={
            "content-disposition": f'attachment; filename="{sha256[:16]}"',
            "x-content-type-options": "nosniff",
            "cache-control": "no-store",
        },
    )


@router.get("/staff/results/late", response_class=HTMLResponse)
def late_page(request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    return _late(request, rt, who)


@router.post("/staff/results/{project_id}/link", response_class=HTMLResponse)
def issue_link(
    project_id: str,
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    period: Annotated[str, Form(max_length=7)],
    csrf_token: CsrfField = "",
) -> HTMLResponse:
    """Issue a report link and show it on this page, once (it is never in a URL)."""
    check_csrf(request, csrf_token)
    issued = results.issue_report_link(acting(rt, who), project_id, period)
    url = f"{str(request.base_url).rstrip('/')}/report?t={issued.token}"
    return _private(_late(request, rt, who, issued=issued, issued_url=url))


@router.post("/staff/results/{project_id}/direction", response_model=None)
def set_direction(
    project_id: str,
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    indicator: Annotated[str, Form(max_length=64)],
    direction: Annotated[str, Form(max_length=16)],
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    """Set which way an indicator improves, from the project's staff page (as ``pfund
    results direction`` does). A refusal (an indicator a tranche is paid on, a target on
    the wrong side of the baseline) is the staff refusal page; nothing changes."""
    check_csrf(request, csrf_token)
    _allowed(who, Permission.IMPORT)
    results.set_direction(acting(rt, who), project_id, indicator, direction)
    return proposal_back(project_id, N_("indicator direction set"))


def _late(request: Request, rt: Any, who: Any, **extra: Any) -> HTMLResponse:
    return render(
        request, "staff/late.html.j2", late=results.late_reports(acting(rt, who)), **extra
    )
