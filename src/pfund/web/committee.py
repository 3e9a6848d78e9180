"""The joint committee's pages: the public record of its decisions (seat labels and
votes, the rule applied and the cost of departing from the optimiser), and the staff
page where a member votes for the seat they hold, declares a conflict, and an analyst
closes an item. Plain forms, no JavaScript; a refused vote stores nothing and shows the
page again with the reason.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from pfund.api.deps import RowId, RuntimeDep, acting
from pfund.domain.account import Permission, Principal
from pfund.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from pfund.services import committee
from pfund.services.committee_decide import close_item, public_decisions, tally_item
from pfund.services.runtime import Runtime
from pfund.web.forms import check_csrf
from pfund.web.render import public_page, render
from pfund.web.staff import CsrfField, StaffDep, _allowed

router = APIRouter(include_in_schema=False)
BASE = "/staff/committee"


@router.get("/committee", response_class=HTMLResponse)
def decisions(request: Request, rt: RuntimeDep) -> HTMLResponse:
    """Each decision of the joint committee, with its votes by seat and their cost."""
    return public_page(request, "committee.html.j2", lambda: {"decisions": public_decisions(rt)})


@router.get(BASE, response_class=HTMLResponse)
def workspace(request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    """Open items with their tally so far, the vote form and the seats."""
    return _page(request, rt, who)


def _page(
    request: Request,
    rt: Runtime,
    who: Principal,
    *,
    status: int = 200,
    errors: list[Problem] | None = None,
    message: str = "",
) -> HTMLResponse:
    me = acting(rt, who)
    seats = committee.seats(me)
    username = who.user.username if who.user else ""
    open_items = committee.items(me, status="open")
    return render(
        request,
        "staff/committee.html.j2",
        status=status,
        seats=seats,
        mine=[s for s in seats if s.member == username],
        items=[tally_item(me, i.id) for i in open_items],
        decided=[i for i in committee.items(me) if i.status != "open"],
        can_vote=who.can(Permission.VOTE),
        can_close=who.can(Permission.APPROVE),
        errors=errors or [],
        message=message,
    )


def _refused(request: Request, rt: Runtime, who: Principal, err: Exception) -> HTMLResponse:
    message = getattr(err, "message", str(err))
    problems = list(getattr(err, "problems", []) or []) or [Problem(message)]
    status = 403 if isinstance(err, Forbidden) else 409 if isinstance(err, Conflict) else 400
    return _page(request, rt, who, status=status, errors=problems)


@router.post(BASE + "/{item_id}/vote", response_class=HTMLResponse, response_model=None)
def vote(
    item_id: RowId,
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    seat: Annotated[str, Form(max_length=64)],
    choice: Annotated[str, Form(max_length=16)],
    csrf_token: CsrfField = "",
) -> Any:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.VOTE)
    try:
        committee.cast_vote(acting(rt, who), item_id, seat, choice)
    except (Conflict, Forbidden, InvalidInput, NotFound) as err:
        return _refused(request, rt, who, err)
    return RedirectResponse(f"{BASE}#item-{item_id}", status_code=303)


@router.post(BASE + "/{item_id}/conflict", response_class=HTMLResponse, response_model=None)
def conflict(
    item_id: RowId,
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    seat: Annotated[str, Form(max_length=64)],
    reason: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: CsrfField = "",
) -> Any:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.VOTE)
    try:
        committee.declare_conflict(acting(rt, who), item_id, seat, reason=reason)
    except (Conflict, Forbidden, InvalidInput, NotFound) as err:
        return _refused(request, rt, who, err)
    return RedirectResponse(f"{BASE}#item-{item_id}", status_code=303)


@router.post(BASE + "/{item_id}/close", response_class=HTMLResponse, response_model=None)
def close(
    item_id: RowId, request: Request, rt: RuntimeDep, who: StaffDep, csrf_token: CsrfField = ""
) -> Any:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.APPROVE)
    try:
        close_item(acting(rt, who), item_id)
    except (Conflict, InvalidInput, NotFound) as err:
        return _refused(request, rt, who, err)
    return RedirectResponse("/committee", status_code=303)
