"""Loans and guarantees in the staff workspace (``/staff/loans``): each loan's schedule,
what came back, its arrears and grant-equivalent; each guarantee's exposure and calls.

For those who may move money, two forms: record a loan repayment (interest then
principal, oldest instalment first) and pay a guarantee's call. A loan is paid out
through its project's tranches (``/staff/tranches``), as a grant is. Each form carries
the session's CSRF token and a key of its own, so a double click books the money once;
a refusal is the staff refusal page naming the field and why, and stores nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from pfund.api.deps import RuntimeDep, acting
from pfund.domain.account import Permission
from pfund.services import instruments as svc
from pfund.services.instruments import list_instruments
from pfund.services.writes import Replayed
from pfund.web.agreements import _amount
from pfund.web.form_words import TWICE
from pfund.web.forms import check_csrf, form_key, new_form_key
from pfund.web.render import render
from pfund.web.staff import CsrfField, KeyField, StaffDep, _allowed, _back

router = APIRouter(include_in_schema=False)
STAFF = "/staff/loans"
Money = Annotated[str, Form(max_length=40)]


@router.get(STAFF, response_class=HTMLResponse)
def staff_loans(request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    """Every loan and guarantee, with what each costs the fund."""
    found = list_instruments(acting(rt, who))
    with rt.uow() as uow:
        fund = uow.fund.get()
    policy = fund.instruments if fund else None
    return render(
        request,
        "staff/loans.html.j2",
        loans=found.loans,
        guarantees=found.guarantees,
        rate=float(policy.discount_rate) if policy else 0.06,
        source=policy.discount_rate_source if policy else "",
        new_key=new_form_key,
        can=who.can,
        P=Permission,
        message=request.query_params.get("message"),
        staff=True,
    )


@router.post(STAFF + "/{project_id}/repay")
def repay(
    request: Request,
    project_id: str,
    rt: RuntimeDep,
    who: StaffDep,
    amount: Money = "",
    csrf_token: CsrfField = "",
    idempotency_key: KeyField = "",
) -> RedirectResponse:
    """Book money the borrower paid: interest first, then principal."""
    check_csrf(request, csrf_token)
    _allowed(who, Permission.MOVE_MONEY)
    value = _amount(amount)
    as_who = acting(rt, who, form_key(request, idempotency_key, f"repay\n{value}"))
    twice = ""
    try:
        done = svc.repay_loan(as_who, project_id, value)
    except Replayed as again:
        done = svc.Repayment.model_validate_json(again.body)
        twice = TWICE
    message = (
        f"{done.project_id}: repayment of {done.currency} {done.amount} booked "
        f"(interest {done.interest}, principal {done.principal}){twice}"
    )
    return _back(message, STAFF)


@router.post(STAFF + "/{project_id}/call")
def call(
    request: Request,
    project_id: str,
    rt: RuntimeDep,
    who: StaffDep,
    amount: Money = "",
    reason: Annotated[str, Form(max_length=300)] = "",
    csrf_token: CsrfField = "",
    idempotency_key: KeyField = "",
) -> RedirectResponse:
    """Pay a guarantee's call out of the fund balance, within its exposure and validity."""
    check_csrf(request, csrf_token)
    _allowed(who, Permission.MOVE_MONEY)
    value = _amount(amount)
    asked = f"call\n{value}\n{reason.strip()}"
    as_who = acting(rt, who, form_key(request, idempotency_key, asked))
    twice = ""
    try:
        svc.call_guarantee(as_who, project_id, value, reason=reason.strip())
    except Replayed:
        twice = TWICE
    return _back(f"{project_id}: guarantee call of {value} paid{twice}", STAFF)
