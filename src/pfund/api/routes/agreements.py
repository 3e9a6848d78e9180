"""Grant agreements: drawn up from approved projects, signed, amended, settled, refunded.

Every change is a money write: it takes the ``Idempotency-Key`` header, and names the
version it was read from where that matters (an amendment always does), so a change
read from an older version is a 409.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from pfund.api.deps import IdempotencyDep, RuntimeDep, acting, require
from pfund.api.routes.money import MONEY_WRITE
from pfund.domain.account import Permission, Principal
from pfund.domain.agreement import Agreement, Amendment
from pfund.domain.lengths import Id, Title
from pfund.services import agreements as svc
from pfund.services.agreements import AgreementLine, ChangeResult

router = APIRouter(tags=["agreements"])
AgreementId = Annotated[str, Path(max_length=64)]
Mover = Annotated[Principal, require(Permission.MOVE_MONEY)]


class DrawUp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project: Id = Field(description="An approved project's id.")
    conditions_precedent: Title = ""
    conditions_precedent_ru: Title = ""
    reporting_duties: Title = ""
    reporting_duties_ru: Title = ""
    ends_on: date | None = None


class Signature(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signed_on: date
    version: int | None = Field(default=None, ge=1)


class Change(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Title = Field(min_length=10)
    version: int | None = Field(default=None, ge=1)


class RefundRequest(Change):
    amount: Decimal = Field(gt=0, max_digits=20, decimal_places=2)
    clawback: bool = Field(default=False, description="Demanded by the fund, not volunteered.")
    currency: str | None = Field(
        default=None,
        min_length=3,
        max_length=3,
        description="The agreement's own currency (the fund's, or its tranches' currency; "
        "the default); another is refused.",
    )
    on: date | None = Field(
        default=None, description="The refund day whose rate converts it (default today)."
    )


@router.get("/agreements", response_model=list[AgreementLine])
def agreements(
    rt: RuntimeDep, who: Annotated[Principal, require(Permission.READ_INTERNAL)]
) -> list[AgreementLine]:
    """Every agreement with its money (paid, unpaid, refunded, headroom) and versions."""
    return svc.list_agreements(acting(rt, who))


@router.get("/agreements/{agreement_id}", response_model=AgreementLine)
def agreement(
    agreement_id: AgreementId,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
) -> AgreementLine:
    """One agreement, its money and every version."""
    return svc.get_agreement(acting(rt, who), agreement_id)


@router.post("/agreements", response_model=Agreement, status_code=201, responses=MONEY_WRITE)
def draw_up(body: DrawUp, rt: RuntimeDep, who: Mover, idem: IdempotencyDep) -> Agreement:
    """Draw up the agreement of an approved project: a draft to sign."""
    values = body.model_dump(exclude={"project"})
    return svc.draw_up(acting(rt, who, idem), body.project, **values)


@router.post("/agreements/{agreement_id}/sign", response_model=ChangeResult, responses=MONEY_WRITE)
def sign(
    agreement_id: AgreementId, body: Signature, rt: RuntimeDep, who: Mover, idem: IdempotencyDep
) -> ChangeResult:
    """Record the signature of a draft."""
    return svc.sign(
        acting(rt, who, idem), agreement_id, signed_on=body.signed_on, version=body.version
    )


@router.post("/agreements/{agreement_id}/amend", response_model=ChangeResult, responses=MONEY_WRITE)
def amend(
    agreement_id: AgreementId, body: Amendment, rt: RuntimeDep, who: Mover, idem: IdempotencyDep
) -> ChangeResult:
    """Amend (amount, texts) or extend (end date) a signed agreement; ``version`` is the
    one read. An amount below what the project is paid and owed is a 400."""
    return svc.amend(acting(rt, who, idem), agreement_id, body)


@router.post(
    "/agreements/{agreement_id}/complete", response_model=ChangeResult, responses=MONEY_WRITE
)
def complete(
    agreement_id: AgreementId, body: Change, rt: RuntimeDep, who: Mover, idem: IdempotencyDep
) -> ChangeResult:
    """The work is done: signed -> completed."""
    return svc.complete(
        acting(rt, who, idem), agreement_id, reason=body.reason, version=body.version
    )


@router.post("/agreements/{agreement_id}/close", response_model=ChangeResult, responses=MONEY_WRITE)
def close(
    agreement_id: AgreementId, body: Change, rt: RuntimeDep, who: Mover, idem: IdempotencyDep
) -> ChangeResult:
    """Close a completed agreement: unpaid money decommitted, refunds re-pooled."""
    return svc.close(acting(rt, who, idem), agreement_id, reason=body.reason, version=body.version)


@router.post(
    "/agreements/{agreement_id}/cancel", response_model=ChangeResult, responses=MONEY_WRITE
)
def cancel(
    agreement_id: AgreementId, body: Change, rt: RuntimeDep, who: Mover, idem: IdempotencyDep
) -> ChangeResult:
    """Cancel: everything unpaid goes back to the fund balance."""
    return svc.cancel(acting(rt, who, idem), agreement_id, reason=body.reason, version=body.version)


@router.post(
    "/agreements/{agreement_id}/refund", response_model=ChangeResult, responses=MONEY_WRITE
)
def refund(
    agreement_id: AgreementId,
    body: RefundRequest,
    rt: RuntimeDep,
    who: Mover,
    idem: IdempotencyDep,
) -> ChangeResult:
    """A refund or clawback in the agreement's currency: at most what was paid, net of
    earlier refunds (400 otherwise, nothing stored); in another currency than the
    fund's, converted at the refund day's rate with the exchange difference booked."""
    return svc.refund(
        acting(rt, who, idem),
        agreement_id,
        body.amount,
        reason=body.reason,
        clawback=body.clawback,
        version=body.version,
        currency=body.currency,
        on=body.on,
    )
