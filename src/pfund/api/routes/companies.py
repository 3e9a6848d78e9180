"""The companies' return: tracker lists, each company's pipeline, the relief phases."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, UploadFile
from pydantic import BaseModel, Field

from pfund.api.deps import RuntimeDep, acting, require
from pfund.api.uploads import upload_name
from pfund.domain.account import Permission, Principal
from pfund.domain.company_return import CompanyList, CompanyReturn, ReturnStage, Tracker
from pfund.services import company_returns as returns
from pfund.services.company_returns import CompanyImport, PhaseView, ReturnLine
from pfund.services.matching import MatchView

router = APIRouter(tags=["companies"])


class StageMove(BaseModel):
    stage: ReturnStage = Field(
        description="the next stage of the pipeline, or an earlier one when the return fell back"
    )
    on: date | None = Field(default=None, description="the day (default today)")
    reason: str = Field(
        default="", max_length=300, description="why the return fell back (needed for a move back)"
    )


@router.get("/companies/phases", response_model=list[PhaseView])
def phases(rt: RuntimeDep) -> list[PhaseView]:
    """Each sanctions-relief phase, whether it is open, and how many companies' returns it
    unlocks, by stage of the pipeline (public)."""
    return returns.returns_by_phase(rt)


@router.get("/companies", response_model=list[ReturnLine])
def pipeline(
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    stage: Annotated[ReturnStage | None, Query()] = None,
) -> list[ReturnLine]:
    """Every company on an imported list, its tracker's word, stage, dates and what its
    next step waits for."""
    return returns.company_pipeline(acting(rt, who), stage=stage)


@router.get("/companies/lists", response_model=list[CompanyList])
def lists(
    rt: RuntimeDep, who: Annotated[Principal, require(Permission.READ_INTERNAL)]
) -> list[CompanyList]:
    """The imported tracker lists with source, address, date and sha256."""
    return returns.company_lists(acting(rt, who))


@router.get("/companies/matches", response_model=dict[str, list[MatchView]])
def matches(
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    limit: Annotated[int, Query(ge=1, le=50)] = 3,
) -> dict[str, list[MatchView]]:
    """Projects the matcher ranks for each company returning or returned."""
    return returns.match_returning(acting(rt, who), on=date.today(), limit=limit)


@router.post("/companies/import", response_model=CompanyImport)
def import_file(
    file: UploadFile,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.IMPORT)],
    tracker: Annotated[Tracker, Form()],
    source: Annotated[str, Form(min_length=2, max_length=300)],
    as_of: Annotated[date, Form()],
    url: Annotated[str, Form(max_length=500)] = "",
) -> CompanyImport:
    """Record a tracker's list (CSV), all or nothing: an unknown grade or status is a 400
    naming file, row and field, and nothing is stored."""
    filename = upload_name(file.filename, "companies.csv")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / filename
        path.write_bytes(file.file.read())
        return returns.import_company_list(
            acting(rt, who), path, tracker=tracker, source=source, url=url, as_of=as_of
        )


@router.post("/companies/{org_id}/stage", response_model=CompanyReturn)
def move(
    org_id: str,
    body: StageMove,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.IMPORT)],
) -> CompanyReturn:
    """Move a company one stage on; returning waits for its sanctions-relief phase (409
    naming the phase and what is not met). A move to an earlier stage (the return fell
    back) needs its reason (400 without it)."""
    return returns.move_company(
        acting(rt, who), org_id, body.stage, on=body.on or date.today(), reason=body.reason
    )
