"""The joint committee: seats, items, conflict declarations, votes and tallies.

A committee member casts the vote of the seat they hold; analysts open and close items.
The public reads decided items through the portal (labels only, never a holder).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from pfund.api.deps import RowId, RuntimeDep, acting, require
from pfund.domain.account import Permission, Principal
from pfund.services import committee
from pfund.services.committee import ItemRequest, ItemTally, ItemView, SeatView, VoteLine
from pfund.services.committee_decide import close_item, tally_item

router = APIRouter(tags=["committee"])


class Ballot(BaseModel):
    seat: str = Field(max_length=64)
    vote: str = Field(max_length=16, description="yes, no or abstain")


class ConflictDeclaration(BaseModel):
    seat: str = Field(max_length=64)
    reason: str = Field(max_length=2000)


@router.get("/committee/seats", response_model=list[SeatView])
def list_seats(
    rt: RuntimeDep, who: Annotated[Principal, require(Permission.READ_INTERNAL)]
) -> list[SeatView]:
    """Every seat with its weight and standing (never its holder)."""
    return committee.seats(acting(rt, who))


@router.get("/committee/items", response_model=list[ItemView])
def list_items(
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    status: str | None = None,
) -> list[ItemView]:
    return committee.items(acting(rt, who), status=status)


@router.post("/committee/items", response_model=ItemView, status_code=201)
def open_item(
    request: ItemRequest, rt: RuntimeDep, who: Annotated[Principal, require(Permission.APPROVE)]
) -> ItemView:
    """Put proposals for appraisal, or a portfolio run to approve, to the committee."""
    return committee.open_item(acting(rt, who), request)


@router.post("/committee/items/{item_id}/votes", response_model=VoteLine, status_code=201)
def vote(
    item_id: RowId,
    ballot: Ballot,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.VOTE)],
) -> VoteLine:
    """Cast the vote of a seat you hold: once, and not from a suspended or recused seat."""
    return committee.cast_vote(acting(rt, who), item_id, ballot.seat, ballot.vote)


@router.post("/committee/items/{item_id}/conflicts", response_model=ItemView, status_code=201)
def declare(
    item_id: RowId,
    declaration: ConflictDeclaration,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.VOTE)],
) -> ItemView:
    """Declare a conflict of interest on the item: your seat is recused from it."""
    return committee.declare_conflict(
        acting(rt, who), item_id, declaration.seat, reason=declaration.reason
    )


@router.get("/committee/items/{item_id}/tally", response_model=ItemTally)
def tally(
    item_id: RowId, rt: RuntimeDep, who: Annotated[Principal, require(Permission.READ_INTERNAL)]
) -> ItemTally:
    """The tally under the committee's rule (as recorded, once the item is decided)."""
    return tally_item(acting(rt, who), item_id)


@router.post("/committee/items/{item_id}/close", response_model=ItemTally)
def close(
    item_id: RowId, rt: RuntimeDep, who: Annotated[Principal, require(Permission.APPROVE)]
) -> ItemTally:
    """Decide the item: its tally is stored as a decision record with the rule applied."""
    return close_item(acting(rt, who), item_id)[0]
