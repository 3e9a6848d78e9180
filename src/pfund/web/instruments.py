"""Loans and guarantees in the staff workspace (``/staff/loans``): each loan's schedule,
what came back, its arrears and grant-equivalent; each guarantee's exposure and calls."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pfund.api.deps import RuntimeDep, acting
from pfund.services.instruments import list_instruments
from pfund.web.render import render
from pfund.web.staff import StaffDep

router = APIRouter(include_in_schema=False)
STAFF = "/staff/loans"


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
        staff=True,
    )
