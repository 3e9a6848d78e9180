"""Loans and guarantees: schedules, repayments, arrears and calls (issue 17, point 6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from pfund.api.deps import IdempotencyDep, RuntimeDep, acting, require
from pfund.domain.account import Permission, Principal
from pfund.domain.instrument import MAX_AMOUNT, GuaranteeTerms, LoanTerms
from pfund.services import instruments as svc
from pfund.services.instruments import GuaranteeView, LoanView, Repayment

router = APIRouter(tags=["loans and guarantees"])

MONEY_WRITE: dict[int | str, dict[str, Any]] = {
    409: {"description": "Refused: the terms are kept once money moved under them."},
    422: {"description": "Refused: beyond the schedule, exposure or validity; or a bad key."},
}


class InCurrency(BaseModel):
    currency: str | None = Field(
        default=None,
        min_length=3,
        max_length=3,
        description="The instrument's currency, which the amount is in (checked).",
    )
    on: date | None = Field(
        default=None, description="The day the money moved, whose rate converts it (today)."
    )


class RepaymentRequest(InCurrency):
    amount: Decimal = Field(gt=0, le=MAX_AMOUNT, decimal_places=2, description="Received.")


class CallRequest(InCurrency):
    amount: Decimal = Field(gt=0, le=MAX_AMOUNT, decimal_places=2, description="Called.")
    reason: str = Field(min_length=10, max_length=300)


@router.get("/loans", response_model=list[LoanView])
def loans(
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    on: date | None = None,
) -> list[LoanView]:
    """Every loan: schedule, what came back, arrears on ``on`` (today) and its
    grant-equivalent (what it costs the fund, which the optimiser counts)."""
    return svc.list_instruments(acting(rt, who), on=on).loans


@router.get("/loans/{project_id}", response_model=LoanView)
def loan(
    project_id: str,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    on: date | None = None,
) -> LoanView:
    """One project's loan: its schedule, repayments, arrears and grant element."""
    return svc.loan_view(acting(rt, who), project_id, on=on)


@router.post("/loans", response_model=LoanView, status_code=201, responses=MONEY_WRITE)
def record_loan(
    terms: LoanTerms,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.APPROVE)],
    idem: IdempotencyDep,
) -> LoanView:
    """Make a project's instrument a loan with these terms (kept once repayments start)."""
    return svc.record_loan(acting(rt, who, idem), terms)


@router.post("/loans/{project_id}/repayments", response_model=Repayment, responses=MONEY_WRITE)
def repay(
    project_id: str,
    body: RepaymentRequest,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.MOVE_MONEY)],
    idem: IdempotencyDep,
) -> Repayment:
    """Take a repayment in: interest then principal, oldest instalment first."""
    return svc.repay_loan(
        acting(rt, who, idem), project_id, body.amount, currency=body.currency, on=body.on
    )


@router.get("/guarantees", response_model=list[GuaranteeView])
def guarantees(
    rt: RuntimeDep, who: Annotated[Principal, require(Permission.READ_INTERNAL)]
) -> list[GuaranteeView]:
    """Every guarantee: exposure, expected cost, what was called and what is left."""
    return svc.list_instruments(acting(rt, who)).guarantees


@router.get("/guarantees/{project_id}", response_model=GuaranteeView)
def guarantee(
    project_id: str, rt: RuntimeDep, who: Annotated[Principal, require(Permission.READ_INTERNAL)]
) -> GuaranteeView:
    return svc.guarantee_view(acting(rt, who), project_id)


@router.post("/guarantees", response_model=GuaranteeView, status_code=201, responses=MONEY_WRITE)
def record_guarantee(
    terms: GuaranteeTerms,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.APPROVE)],
    idem: IdempotencyDep,
) -> GuaranteeView:
    """Make a project's instrument a guarantee (kept once a call is paid)."""
    return svc.record_guarantee(acting(rt, who, idem), terms)


@router.post("/guarantees/{project_id}/calls", response_model=GuaranteeView, responses=MONEY_WRITE)
def call(
    project_id: str,
    body: CallRequest,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.MOVE_MONEY)],
    idem: IdempotencyDep,
) -> GuaranteeView:
    """Pay a guarantee's call out of the fund balance, within exposure and validity."""
    return svc.call_guarantee(
        acting(rt, who, idem),
        project_id,
        body.amount,
        reason=body.reason,
        currency=body.currency,
        on=body.on,
    )
