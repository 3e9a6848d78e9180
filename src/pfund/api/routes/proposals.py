"""Proposal intake: staff read and move proposals; a proposer checks one by its code.

The same service functions as the staff pages and ``pfund proposals``. The code-only
routes need no account: the code is sent in the body (never in a URL, which logs keep),
every wrong code gets the same 404, and every look-up counts against the address's
hourly limit.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from pfund.api.deps import PrincipalDep, RuntimeDep, SettingsDep, acting, require
from pfund.api.limits import client_address
from pfund.domain import ProjectStatus
from pfund.domain.account import Permission, Principal
from pfund.services import proposals
from pfund.services.proposals import Moved, ProposalDetail, ProposalPage, ProposalStatus
from pfund.services.throttle import count_status_check

router = APIRouter(tags=["proposals"])
Staff = Annotated[Principal, require(Permission.READ_INTERNAL)]


class Reason(BaseModel):
    text: str = Field(min_length=3, max_length=5000)


class CodeOnly(BaseModel):
    code: str = Field(max_length=64)


class CodeAndText(BaseModel):
    code: str = Field(max_length=64)
    text: str = Field(default="", max_length=5000)


@router.get("/proposals", response_model=ProposalPage)
def list_proposals(
    rt: RuntimeDep,
    who: Staff,
    status: ProjectStatus | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> ProposalPage:
    """Proposals (sent through the form, or in an intake status), newest first."""
    return proposals.list_proposals(
        acting(rt, who), status=status.value if status else None, page=page
    )


@router.get("/proposals/{project_id}", response_model=ProposalDetail)
def show(project_id: str, rt: RuntimeDep, who: Staff) -> ProposalDetail:
    """Everything the proposer sent; the contact only with read_protected (audited)."""
    return proposals.detail(acting(rt, who), project_id)


@router.post("/proposals/{project_id}/ask", response_model=Moved)
def ask(project_id: str, body: Reason, rt: RuntimeDep, who: PrincipalDep) -> Moved:
    return proposals.ask(acting(rt, who), project_id, body.text)


@router.post("/proposals/{project_id}/return", response_model=Moved)
def return_(project_id: str, body: Reason, rt: RuntimeDep, who: PrincipalDep) -> Moved:
    return proposals.return_(acting(rt, who), project_id, body.text)


@router.post("/proposals/{project_id}/reject", response_model=Moved)
def reject(project_id: str, body: Reason, rt: RuntimeDep, who: PrincipalDep) -> Moved:
    return proposals.reject(acting(rt, who), project_id, body.text)


@router.post("/proposals/{project_id}/accept", response_model=proposals.Submitted)
def accept(project_id: str, rt: RuntimeDep, who: PrincipalDep) -> proposals.Submitted:
    """Take it into the pipeline (``proposed``); it stays unpublished."""
    return proposals.accept(acting(rt, who), project_id)


@router.post("/proposals/{project_id}/publish", response_model=Moved)
def publish(project_id: str, rt: RuntimeDep, who: PrincipalDep) -> Moved:
    return proposals.publish(acting(rt, who), project_id)


@router.post("/proposals/{project_id}/unpublish", response_model=Moved)
def unpublish(project_id: str, rt: RuntimeDep, who: PrincipalDep) -> Moved:
    return proposals.unpublish(acting(rt, who), project_id)


@router.post("/proposal-status", response_model=ProposalStatus)
def status_by_code(
    body: CodeOnly, request: Request, rt: RuntimeDep, settings: SettingsDep
) -> ProposalStatus:
    """A proposal's status for the holder of its reference code."""
    count_status_check(rt, client_address(request), settings.status_checks_per_hour)
    return proposals.status_by_code(rt, body.code)


@router.post("/proposal-status/answer", response_model=ProposalStatus)
def answer(
    body: CodeAndText, request: Request, rt: RuntimeDep, settings: SettingsDep
) -> ProposalStatus:
    count_status_check(rt, client_address(request), settings.status_checks_per_hour)
    return proposals.answer_by_code(rt, body.code, body.text)


@router.post("/proposal-status/withdraw", response_model=ProposalStatus)
def withdraw(
    body: CodeAndText, request: Request, rt: RuntimeDep, settings: SettingsDep
) -> ProposalStatus:
    count_status_check(rt, client_address(request), settings.status_checks_per_hour)
    return proposals.withdraw_by_code(rt, body.code, body.text)
