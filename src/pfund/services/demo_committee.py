"""The sample fund's joint committee: seats, a selection for appraisal, and the
approval of the portfolio run with one departure from the optimiser, priced.

Run by ``pfund demo`` after the contributions are received (donor seats weigh
receipts). Seats stand or not on a fixed day (``DAY``), when two of the sample's three
democratic-forces groups stand vetted and the third's approval has lapsed, so the
sample says the same whenever it is loaded. The people holding the Russian seats are the
sample's own (protected) contacts of those groups.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from pfund.domain.governance import ItemKind, Side
from pfund.services.committee import (
    ItemRequest,
    SeatRequest,
    add_seat,
    cast_vote,
    open_item,
    seats,
)
from pfund.services.committee_decide import close_item
from pfund.services.funding import ledger_view
from pfund.services.runtime import Runtime

DAY = date(2026, 6, 1)
RUSSIAN_SEATS = ("ORG-0001", "ORG-0002", "ORG-0003")
FOR_APPRAISAL = ("TRN-M11-03", "HLT-TB-01", "GOV-MED-01")


class CommitteeSample(BaseModel):
    appraisal_record: str
    portfolio_record: str
    dropped: list[str]
    value_lost: float | None


def run_committee_sample(rt: Runtime, run_id: str) -> CommitteeSample | None:
    """Seat the sample committee and decide two items; None when it sits already."""
    if seats(rt):
        return None
    donors = _largest_donors(rt, 3)
    for iso3 in donors:
        add_seat(rt, SeatRequest(label=f"Donor {iso3}", side=Side.DONOR, contributor=iso3))
    holders = _holders(rt)
    for n, org in enumerate(RUSSIAN_SEATS, start=1):
        seat = SeatRequest(
            label=f"Russian seat {n}",
            side=Side.RUSSIAN,
            organisation_id=org,
            holder=holders.get(org, ""),
        )
        add_seat(rt, seat)
    first = _decide(rt, _appraisal_request(rt), {**dict.fromkeys(donors, "yes")})
    chosen = _selected(rt, run_id)
    dropped = chosen[-1:]
    request = ItemRequest(
        kind=ItemKind.PORTFOLIO,
        title=f"Approve portfolio run {run_id}, without {', '.join(dropped)}",
        title_ru=f"Утвердить портфель {run_id} без {', '.join(dropped)}",
        run_id=run_id,
        projects=[p for p in chosen if p not in dropped],
    )
    votes = {donors[0]: "yes", donors[1]: "yes", donors[2]: "no"}
    second = _decide(rt, request, votes)
    departure = second[1]
    return CommitteeSample(
        appraisal_record=first[0],
        portfolio_record=second[0],
        dropped=dropped,
        value_lost=departure,
    )


def _decide(
    rt: Runtime, request: ItemRequest, donor_votes: dict[str, str]
) -> tuple[str, float | None]:
    item = open_item(rt, request)
    for iso3, vote in donor_votes.items():
        cast_vote(rt, item.id, f"Donor {iso3}", vote, on=DAY)
    for n in (1, 2):  # seat 3's holder's vetting has lapsed: the seat is suspended
        cast_vote(rt, item.id, f"Russian seat {n}", "yes", on=DAY)
    decided, record_id = close_item(rt, item.id, on=DAY)
    lost = decided.departure["value_lost"] if decided.departure else None
    return record_id, lost


def _appraisal_request(rt: Runtime) -> ItemRequest:
    with rt.uow() as uow:
        known = [p for p in FOR_APPRAISAL if uow.projects.get(p) is not None]
        if not known:
            known = [p.id for p in uow.projects.list()][:3]
    return ItemRequest(
        kind=ItemKind.APPRAISAL,
        title="Identify proposals for appraisal",
        title_ru="Отобрать предложения для оценки",
        projects=known,
    )


def _largest_donors(rt: Runtime, count: int) -> list[str]:
    received = {k: v["received"] for k, v in ledger_view(rt).contributors.items()}
    ranked = sorted(received, key=lambda k: (-received[k], k))
    return [k for k in ranked if received[k] > Decimal(0)][:count]


def _holders(rt: Runtime) -> dict[str, str]:
    with rt.uow() as uow:
        people = uow.people.list()
    found: dict[str, str] = {}
    for person in people:
        if person.organisation in RUSSIAN_SEATS:
            found.setdefault(person.organisation, person.name)
    return found


def _selected(rt: Runtime, run_id: str) -> list[str]:
    with rt.uow() as uow:
        record = uow.decisions.get(run_id)
    assert record is not None
    return list(record.result["selected"])
