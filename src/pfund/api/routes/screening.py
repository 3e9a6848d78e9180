"""Due diligence: watchlists, screening, the review queue, vetting, outreach, matchmaking.

The review queue shows a counterparty's name beside the listed name (compliance needs
both), so it asks for the protected-read permission as well as screening.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, UploadFile
from pydantic import BaseModel, Field

from pfund.api.deps import RowId, RuntimeDep, acting, require
from pfund.api.uploads import upload_name
from pfund.domain.account import Permission, Principal
from pfund.domain.compliance import OutreachEntry
from pfund.services import hit_review, matching, outreach, screening, screening_names, vetting
from pfund.services.hit_review import QueueItem
from pfund.services.matching import MatchView
from pfund.services.screening import LoadReport, ScreenReport, WatchlistView
from pfund.services.screening_names import NameResult

router = APIRouter(tags=["screening"])
Screener = Annotated[Principal, require(Permission.SCREEN)]
Staff = Annotated[Principal, require(Permission.READ_INTERNAL)]


class Names(BaseModel):
    names: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        min_length=1, max_length=1000
    )
    kind: Literal["any", "person", "organisation"] = "any"


class Decision(BaseModel):
    decision: Literal["confirm", "dismiss"]
    reason: str = Field(min_length=3, max_length=2000)


class CompanyStatus(BaseModel):
    russia_status: str = Field(max_length=32)
    reengagement: str = Field(max_length=32)


class Outreach(BaseModel):
    on: date
    channel: str = Field(min_length=2, max_length=64)
    staff: str = Field(min_length=2, max_length=200)
    outcome: str = Field(min_length=2, max_length=500)
    contact: str | None = Field(default=None, max_length=64)
    note: str = Field(default="", max_length=5000)


class Criterion(BaseModel):
    met: bool
    evidence: str = Field(min_length=3, max_length=5000)
    reviewer: str = Field(min_length=2, max_length=200)
    on: date


@router.get("/screening/watchlists", response_model=list[WatchlistView])
def watchlists(rt: RuntimeDep, _who: Screener) -> list[WatchlistView]:
    return screening.watchlists(rt)


@router.post("/screening/watchlists", response_model=LoadReport)
def load_watchlist(
    file: UploadFile,
    rt: RuntimeDep,
    who: Screener,
    skip_bad: Annotated[bool, Query(description="Load the good lines, report the bad.")] = False,
) -> LoadReport:
    """Load or update a watchlist (FollowTheMoney JSON lines); re-screens what changed."""
    name = upload_name(file.filename, "watchlist.ftm.json")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(file.file.read())
        return screening.load_watchlist(acting(rt, who), path, skip_bad=skip_bad)


@router.post("/screening/run", response_model=ScreenReport)
def screen_everyone(rt: RuntimeDep, who: Screener) -> ScreenReport:
    """Screen every stored organisation and person against every watchlist."""
    return screening.screen_all(acting(rt, who))


@router.post("/screening/names", response_model=list[NameResult])
def screen_names(names: Names, rt: RuntimeDep, who: Screener) -> list[NameResult]:
    """Screen names without storing anything (a quick check before a meeting, say)."""
    return screening_names.screen_names(acting(rt, who), names.names, kind=names.kind)


@router.get("/screening/hits", response_model=list[QueueItem])
def review_queue(
    rt: RuntimeDep,
    _who: Screener,
    protected: Annotated[Principal, require(Permission.READ_PROTECTED)],
    everything: bool = False,
) -> list[QueueItem]:
    """Open hits, best first (with ``everything``, decided ones too)."""
    return hit_review.review_queue(acting(rt, protected), everything=everything)


@router.post("/screening/hits/{hit_id}/decision", response_model=QueueItem)
def decide(hit_id: RowId, decision: Decision, rt: RuntimeDep, who: Screener) -> QueueItem:
    """Confirm or dismiss a hit, with a reason (kept with who and when, never changed)."""
    return hit_review.decide(acting(rt, who), hit_id, decision.decision, decision.reason)


@router.put("/organisations/{org_id}/company-status", response_model=vetting.CompanyView)
def company_status(
    org_id: str,
    status: CompanyStatus,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.IMPORT)],
) -> vetting.CompanyView:
    return vetting.set_company_status(
        acting(rt, who),
        org_id,
        russia_status=status.russia_status,
        reengagement=status.reengagement,
    )


@router.post("/organisations/{org_id}/outreach", response_model=OutreachEntry)
def log_outreach(
    org_id: str,
    entry: Outreach,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.IMPORT)],
) -> OutreachEntry:
    """Record one contact with an organisation of any kind (the contact is a person id;
    names stay protected)."""
    return outreach.log_outreach(acting(rt, who), org_id, **entry.model_dump())


@router.put("/organisations/{org_id}/vetting/{criterion}", response_model=vetting.VettingView)
def vet(
    org_id: str, criterion: str, judged: Criterion, rt: RuntimeDep, who: Screener
) -> vetting.VettingView:
    """Judge one criterion of a democratic-forces group's vetting checklist."""
    return vetting.set_criterion(acting(rt, who), org_id, criterion, **judged.model_dump())


@router.get("/organisations/{org_id}/vetting", response_model=vetting.VettingView)
def vetting_status(org_id: str, rt: RuntimeDep, who: Staff) -> vetting.VettingView:
    return vetting.vetting_status(acting(rt, who), org_id, on=date.today())


@router.get("/match/project/{project_id}", response_model=list[MatchView])
def match_project(project_id: str, rt: RuntimeDep, _who: Staff) -> list[MatchView]:
    """Organisations and companies ranked for a project, each with its reasons."""
    return matching.match_project(rt, project_id, on=date.today())


@router.get("/match/company/{org_id}", response_model=list[MatchView])
def match_company(org_id: str, rt: RuntimeDep, _who: Staff) -> list[MatchView]:
    """Projects a company could join, ranked, each with its reasons."""
    return matching.match_company(rt, org_id, on=date.today())


class Approval(BaseModel):
    on: date
    valid_days: int = Field(default=vetting.DEFAULT_VALIDITY_DAYS, ge=1, le=3660)


@router.post("/organisations/{org_id}/vetting/approval", response_model=vetting.VettingView)
def approve_group(
    org_id: str, approval: Approval, rt: RuntimeDep, who: Screener
) -> vetting.VettingView:
    """Approve a group whose every criterion is met, for a set number of days."""
    return vetting.approve(acting(rt, who), org_id, on=approval.on, valid_days=approval.valid_days)
