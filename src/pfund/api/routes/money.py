"""Conditions, tranches and the ledger: what must happen for money to flow, and where it went."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from pfund.api.deps import IdempotencyDep, PrincipalDep, RuntimeDep, acting, require
from pfund.api.routes.projects import audience
from pfund.domain import Tranche
from pfund.domain.account import Permission, Principal
from pfund.domain.protection import view
from pfund.services import conditions, funding, tranches
from pfund.services.conditions import ChangeResult, ConditionsView
from pfund.services.funding import FundSize, LedgerView, PledgeResult
from pfund.services.tranches import TrancheStep
from pfund.services.unfreeze import unfreeze_tranche

router = APIRouter(tags=["money"])


class ConditionUpdate(BaseModel):
    status: str = Field(description="met, not_met, partially_met, reversed, ...")
    evidence: str = Field(
        min_length=3, max_length=5000, description="The report or statement (15+ chars) or a URL."
    )
    verifier: str = Field(
        min_length=2, max_length=300, description="A registered verifier's code or name."
    )
    on: date = Field(description="The day of the change; not after today.")


class ReleaseRequest(BaseModel):
    """An optional body of a release: an explicit, audited release before the tranche's year."""

    early: bool = False
    reason: str = Field(default="", max_length=1000)


class UnfreezeRequest(BaseModel):
    reason: str = Field(min_length=10, max_length=1000, description="Kept in the audit log.")


@router.get("/conditions", response_model=ConditionsView)
def conditions_view(rt: RuntimeDep) -> ConditionsView:
    """Every condition, its status and evidence, and the stage of work it unlocks."""
    return conditions.show(rt)


@router.get("/conditions/history")
def conditions_history(
    rt: RuntimeDep, who: PrincipalDep, code: str | None = None
) -> list[dict[str, Any]]:
    """Every change of status, oldest first, with its evidence and verifier."""
    return [view(c, audience=audience(who)) for c in conditions.history(rt, code)]


@router.put("/conditions/{code}", response_model=ChangeResult)
def set_condition(
    code: str,
    update: ConditionUpdate,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.SET_CONDITIONS)],
) -> ChangeResult:
    """Change a condition; a reversal freezes every tranche that needed it."""
    return conditions.set_condition(
        acting(rt, who),
        code,
        update.status,
        evidence=update.evidence,
        verifier=update.verifier,
        on=update.on,
    )


@router.get("/fund/size", response_model=FundSize)
def fund_size(rt: RuntimeDep) -> FundSize:
    """What each contributor pays at the fund's share of GDP."""
    return funding.fund_size(rt)


@router.get("/ledger", response_model=LedgerView)
def ledger(rt: RuntimeDep) -> LedgerView:
    """Balances of the double-entry ledger, by account and by contributor."""
    return funding.ledger_view(rt)


@router.get("/tranches", response_model=list[Tranche])
def tranche_list(rt: RuntimeDep, project: str | None = None) -> list[Tranche]:
    return tranches.list_tranches(rt, project)


class ContributionRequest(BaseModel):
    year: int = Field(ge=1990, le=2100, description="GDP year of the contributions.")
    received: bool = Field(default=False, description="Record the receipts too.")
    members: list[str] | None = Field(
        default=None, max_length=100, description="Only these members (ISO3); all by default."
    )


MONEY_WRITE: dict[int | str, dict[str, Any]] = {
    409: {"description": "Refused: already done, or the gate does not hold."},
    422: {"description": "The Idempotency-Key was used for another request."},
}


@router.post("/fund/contributions", response_model=PledgeResult, responses=MONEY_WRITE)
def contributions(
    request: ContributionRequest,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.MOVE_MONEY)],
    idem: IdempotencyDep,
) -> PledgeResult:
    """Record members' pledges (and receipts) for a year, once per member and year.

    A pledge or receipt already recorded is refused (409) naming member and year;
    corrections are explicit reversing entries (`pfund fund contributions --reverse`).
    """
    return funding.record_contributions(
        acting(rt, who, idem),
        year=request.year,
        received=request.received,
        members=request.members,
    )


@router.post("/tranches/{tranche_id}/release", response_model=TrancheStep, responses=MONEY_WRITE)
def release(
    tranche_id: str,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.MOVE_MONEY)],
    idem: IdempotencyDep,
    body: ReleaseRequest | None = None,
) -> TrancheStep:
    """Release a tranche when the gate lets it through (conditions, screening, vetting, year).

    A 409 names every reason it is held. Before the tranche's year only with
    ``{"early": true, "reason": "..."}``, which the audit log keeps. Once only: a second
    release is refused (409) unless it repeats an Idempotency-Key.
    """
    asked = body or ReleaseRequest()
    return tranches.release_tranche(
        acting(rt, who, idem), tranche_id, early=asked.early, reason=asked.reason
    )


@router.post("/tranches/{tranche_id}/disburse", response_model=TrancheStep, responses=MONEY_WRITE)
def disburse(
    tranche_id: str,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.MOVE_MONEY)],
    idem: IdempotencyDep,
) -> TrancheStep:
    """Pay a released tranche, once (see the release for the Idempotency-Key)."""
    return tranches.disburse_tranche(acting(rt, who, idem), tranche_id)


@router.post("/tranches/{tranche_id}/unfreeze", response_model=TrancheStep, responses=MONEY_WRITE)
def unfreeze(
    tranche_id: str,
    body: UnfreezeRequest,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.MOVE_MONEY)],
    idem: IdempotencyDep,
) -> TrancheStep:
    """Return a frozen tranche to committed or released once its conditions hold again."""
    return unfreeze_tranche(acting(rt, who, idem), tranche_id, body.reason)
