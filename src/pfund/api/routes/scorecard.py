"""Public indicators and condition rules: the scorecard, data sets, evaluation, proposals."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, UploadFile
from pydantic import BaseModel, Field

from pfund.api.deps import IdempotencyDep, RowId, RuntimeDep, acting, require
from pfund.api.uploads import upload_name
from pfund.domain.account import Permission, Principal
from pfund.domain.scorecard import IndicatorSet, Proposal
from pfund.services import scorecard as rules
from pfund.services.scorecard import Decision, Evaluation, SetImport
from pfund.services.scorecard_view import Scorecard, scorecard

router = APIRouter(tags=["scorecard"])


@router.get("/scorecard", response_model=Scorecard)
def scorecard_view(rt: RuntimeDep) -> Scorecard:
    """Each indicator test of the condition rules: threshold, latest value and trend,
    pass or fail, and the conditions and money (tranches gated by them) that depend on it."""
    return scorecard(rt)


@router.get("/indicator-sets", response_model=list[IndicatorSet])
def sets(rt: RuntimeDep) -> list[IndicatorSet]:
    """Every stored version of every indicator data set, newest first, with its hash."""
    return rules.indicator_sets(rt)


@router.post("/indicator-sets", response_model=SetImport)
def import_set(
    file: UploadFile,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.IMPORT)],
    name: str | None = None,
) -> SetImport:
    """Import an indicator CSV all or nothing; the same bytes again change nothing."""
    filename = upload_name(file.filename, "indicators.csv")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / filename
        path.write_bytes(file.file.read())
        return rules.import_indicator_set(acting(rt, who), path, name=name)


@router.post("/conditions/evaluate", response_model=Evaluation)
def evaluate(
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    idem: IdempotencyDep,
    apply: bool = False,
) -> Evaluation:
    """Every rule's verdict and proposed change; ``apply=true`` (set_conditions) acts on
    them by the fund's policy: applied at once, or left pending for staff."""
    if apply:
        who_acts = acting(rt, who, idem)
        who_acts.require(Permission.SET_CONDITIONS)
        return rules.evaluate(who_acts, apply=True)
    return rules.evaluate(acting(rt, who), apply=False)


@router.get("/conditions/proposals", response_model=list[Proposal])
def proposals(
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    status: str | None = None,
) -> list[Proposal]:
    """Proposed status changes with their evidence, oldest first."""
    return rules.proposals(acting(rt, who), status=status)


class Rejection(BaseModel):
    reason: str = Field(min_length=10, max_length=1000, description="Kept with the proposal.")


@router.post("/conditions/proposals/{proposal_id}/confirm", response_model=Decision)
def confirm(
    proposal_id: RowId,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.SET_CONDITIONS)],
    idem: IdempotencyDep,
) -> Decision:
    """Confirm a pending proposal: the condition changes through the audited service."""
    return rules.confirm(acting(rt, who, idem), proposal_id)


@router.post("/conditions/proposals/{proposal_id}/reject", response_model=Decision)
def reject(
    proposal_id: RowId,
    body: Rejection,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.SET_CONDITIONS)],
    idem: IdempotencyDep,
) -> Decision:
    """Reject a pending proposal; the condition keeps its status."""
    return rules.reject(acting(rt, who, idem), proposal_id, reason=body.reason)
