"""The public proposal form: works without JavaScript, in both languages, rate-limited.

The limit counts per network address in the database (``pfund.services.throttle``), so
it holds across worker processes, under a keyed hash of the address that names nobody;
a proposal over the limit is refused before anything is stored. Errors name fields and
reasons; the form comes back filled in with what its sender typed (the contact fields
too, in that one response only), so one round of corrections is enough.

The proposer checks their proposal with its reference code alone (``/proposals/status``):
no account, the code posted (never in a URL, so it stays out of logs and histories), and
the same answer for every wrong code.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from pfund.api.deps import RuntimeDep, SettingsDep, principal
from pfund.api.limits import client_address
from pfund.errors import NotFound, PfundError
from pfund.services import proposals
from pfund.services.names import region_names
from pfund.services.portal import by_area
from pfund.services.runtime import Runtime
from pfund.services.throttle import TooManyAttempts, count_proposal, count_status_check
from pfund.web.forms import check_csrf, field_errors
from pfund.web.labels import N_
from pfund.web.render import language, render

# The principal dependency runs first, so the page header knows who is signed in.
router = APIRouter(include_in_schema=False, dependencies=[Depends(principal)])
FIELDS = (
    "title",
    "title_ru",
    "description",
    "area",
    "first_year",
    "years",
    "cost_low",
    "cost_likely",
    "cost_high",
    "people_reached",
    "organisation",
    "contact_name",
    "contact_email",
)


@router.get("/propose", response_class=HTMLResponse)
def form(request: Request, rt: RuntimeDep) -> HTMLResponse:
    return render(
        request,
        "propose.html.j2",
        areas=by_area(rt),
        regions=_regions(request, rt),
        errors={},
        values={},
    )


def _regions(request: Request, rt: Runtime) -> list[tuple[str, str]]:
    """The fund's regions as (code, name in the reader's language), sorted by name, so a
    proposer picks names, not ISO codes."""
    lang = language(request)
    named = region_names(rt)
    return sorted(
        ((code, name.in_language(lang)) for code, name in named.items()),
        key=lambda pair: pair[1],
    )


@router.post("/propose", response_class=HTMLResponse)
async def send(request: Request, rt: RuntimeDep, settings: SettingsDep) -> HTMLResponse:
    data = await request.form()
    check_csrf(request, str(data.get("csrf_token", "")))
    values: dict[str, object] = {k: str(data.get(k, "")).strip() for k in FIELDS}
    values["regions"] = [  # chosen in the list; a comma-separated text is read too
        r.strip().upper()
        for given in data.getlist("regions")
        for r in str(given).split(",")
        if r.strip()
    ]
    if not values["people_reached"]:
        values["people_reached"] = None
    try:
        count_proposal(rt, client_address(request), settings.proposals_per_hour)
    except TooManyAttempts as err:
        errors = {"": N_("too many proposals from this network in the last hour; try later")}
        page = _form_again(request, rt, values, errors, 429)
        page.headers["retry-after"] = str(err.retry_after)
        return page
    try:
        result = proposals.submit(rt, proposals.check_form(rt, values))
    except PfundError as err:
        return _form_again(request, rt, values, field_errors(err), 400)
    return render(request, "proposed.html.j2", result=result)


def _form_again(
    request: Request, rt: Runtime, values: dict[str, object], errors: dict[str, str], status: int
) -> HTMLResponse:
    """The form with its problems, refilled with what was sent, contact fields included:
    they go back to their sender in this one response and are kept nowhere else (not
    stored, not logged, not cached)."""
    page = render(
        request,
        "propose.html.j2",
        status=status,
        areas=by_area(rt),
        regions=_regions(request, rt),
        errors=errors,
        values=values,
    )
    page.headers["cache-control"] = "no-store"
    return page


@router.get("/proposals/status", response_class=HTMLResponse)
def status_form(request: Request) -> HTMLResponse:
    return render(request, "proposal_status.html.j2", found=None, error=None, code="")


@router.post("/proposals/status", response_class=HTMLResponse)
async def status_page(request: Request, rt: RuntimeDep, settings: SettingsDep) -> HTMLResponse:
    """The proposal's state for whoever holds its code; with ``action`` the proposer
    answers a question (or the return) or withdraws it. A wrong code, whatever it is,
    gets the same page; every look-up counts against the address's hourly limit."""
    data = await request.form()
    check_csrf(request, str(data.get("csrf_token", "")))
    code = str(data.get("code", ""))[:64]
    action = str(data.get("action", ""))
    text = str(data.get("text", ""))[:5000]
    try:
        count_status_check(rt, client_address(request), settings.status_checks_per_hour)
    except TooManyAttempts as err:
        error = N_("too many attempts from this network in the last hour; try later")
        page = _status(request, None, error, "", 429)
        page.headers["retry-after"] = str(err.retry_after)
        return page
    try:
        if action == "answer":
            found = proposals.answer_by_code(rt, code, text)
        elif action == "withdraw":
            found = proposals.withdraw_by_code(rt, code, text)
        else:
            found = proposals.status_by_code(rt, code)
    except NotFound:
        return _status(request, None, N_("no proposal with this code"), "", 404)
    except PfundError as err:
        try:
            current = proposals.status_by_code(rt, code)
        except NotFound:
            return _status(request, None, N_("no proposal with this code"), "", 404)
        return _status(request, current, err.message, code, 400)
    return _status(request, found, None, code, 200)


def _status(
    request: Request,
    found: proposals.ProposalStatus | None,
    error: str | None,
    code: str,
    status: int,
) -> HTMLResponse:
    page = render(
        request,
        "proposal_status.html.j2",
        status=status,
        found=found,
        error=error,
        code=code if found else "",
    )
    page.headers["cache-control"] = "no-store"
    return page
