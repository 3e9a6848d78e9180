"""Proposal review: assignments, conflict declarations and scores."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from pfund.api.deps import RowId, RuntimeDep, acting, require
from pfund.domain.account import Permission, Principal
from pfund.services import reviews
from pfund.services.reviews import Review

router = APIRouter(tags=["reviews"])


class Assignment(BaseModel):
    project_id: str = Field(max_length=64)
    reviewer: str = Field(max_length=64)


class Declaration(BaseModel):
    conflict: bool
    reason: str = Field(default="", max_length=2000)


class Scores(BaseModel):
    scores: dict[str, float]
    comment: str = Field(default="", max_length=5000)


@router.post("/reviews", response_model=Review, status_code=201)
def assign(
    assignment: Assignment,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.ASSIGN_REVIEWS)],
) -> Review:
    return reviews.assign(acting(rt, who), assignment.project_id, assignment.reviewer)


@router.get("/reviews", response_model=list[Review])
def my_reviews(
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    project: str | None = None,
) -> list[Review]:
    """A reviewer sees their own assignments; analysts see every one."""
    mine = None
    if not who.can(Permission.ASSIGN_REVIEWS):
        mine = who.user.username if who.user else ""
    return reviews.list_reviews(rt, reviewer=mine, project_id=project)


@router.post("/reviews/{review_id}/declaration", response_model=Review)
def declare(
    review_id: RowId,
    declaration: Declaration,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.REVIEW)],
) -> Review:
    """Declare a conflict of interest (which recuses you) or that there is none."""
    assert who.user is not None
    return reviews.declare(
        acting(rt, who),
        review_id,
        who.user.username,
        conflict=declaration.conflict,
        reason=declaration.reason,
    )


@router.post("/reviews/{review_id}/scores", response_model=Review)
def score(
    review_id: RowId,
    scores: Scores,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.REVIEW)],
) -> Review:
    """Score the proposal against the fund's scored criteria; refused when recused."""
    assert who.user is not None
    return reviews.submit_scores(
        acting(rt, who), review_id, who.user.username, scores.scores, comment=scores.comment
    )
