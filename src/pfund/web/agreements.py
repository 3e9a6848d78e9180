"""Grant agreements in the staff workspace (``/staff/agreements``): each agreement with
its money and version history; amendments, refunds and cancellation for those who may
move money."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from pfund.api.deps import RuntimeDep, acting
from pfund.domain.account import Permission
from pfund.domain.agreement import Amendment
from pfund.errors import InvalidInput, Problem
from pfund.services import agreements as svc
from pfund.web.forms import check_csrf
from pfund.web.render import render
from pfund.web.staff import CsrfField, StaffDep, _allowed, _back

router = APIRouter(include_in_schema=False)
STAFF = "/staff/agreements"
Reason = Annotated[str, Form(max_length=300)]


@router.get(STAFF, response_class=HTMLResponse)
def staff_agreements(request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    """Every agreement, its money and its history."""
    context: dict[str, Any] = {
        "lines": svc.list_agreements(acting(rt, who)),
        "can": who.can,
        "P": Permission,
        "message": request.query_params.get("message"),
        "staff": True,
    }
    return render(request, "staff/agreements.html.j2", **context)


@router.post(STAFF + "/{agreement_id}/amend")
def amend(
    request: Request,
    agreement_id: str,
    rt: RuntimeDep,
    who: StaffDep,
    version: Annotated[int, Form(ge=1)] = 1,
    amount: Annotated[str, Form(max_length=40)] = "",
    reason: Reason = "",
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.MOVE_MONEY)
    if len(reason.strip()) < 10:
        raise _short_reason()
    change = Amendment(version=version, reason=reason.strip(), amount=_amount(amount))
    done = svc.amend(acting(rt, who), agreement_id, change)
    return _back(f"{done.agreement.id} changed: version {done.agreement.version}", STAFF)


@router.post(STAFF + "/{agreement_id}/refund")
def refund(
    request: Request,
    agreement_id: str,
    rt: RuntimeDep,
    who: StaffDep,
    amount: Annotated[str, Form(max_length=40)] = "",
    reason: Reason = "",
    clawback: Annotated[str, Form(max_length=3)] = "",
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.MOVE_MONEY)
    done = svc.refund(
        acting(rt, who), agreement_id, _amount(amount), reason=reason, clawback=clawback == "yes"
    )
    return _back(f"{done.agreement.id} changed: version {done.agreement.version}", STAFF)


@router.post(STAFF + "/{agreement_id}/cancel")
def cancel(
    request: Request,
    agreement_id: str,
    rt: RuntimeDep,
    who: StaffDep,
    version: Annotated[int, Form(ge=1)] = 1,
    reason: Reason = "",
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.MOVE_MONEY)
    done = svc.cancel(acting(rt, who), agreement_id, reason=reason, version=version)
    return _back(f"{done.agreement.id} changed: version {done.agreement.version}", STAFF)


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        value = Decimal(0)
    if not value.is_finite() or value <= 0:
        raise InvalidInput(
            "not a valid amount; nothing was stored",
            [Problem("a positive amount with at most 2 decimals", field="amount")],
        )
    return value


def _short_reason() -> InvalidInput:
    return InvalidInput(
        "the change needs its reason; nothing was stored",
        [Problem("say in at least 10 characters why", field="reason")],
    )
