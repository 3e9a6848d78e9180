"""The joint committee on the sample fund: seats from the ledger and vetting, votes,
refusals that store nothing, the tally recorded with its rule, and departure costs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from pfund.domain.account import Principal, Role
from pfund.domain.governance import ItemKind, SeatStanding, Side
from pfund.errors import Conflict, Forbidden, InvalidInput
from pfund.governance import Outcome
from pfund.services.accounts import add_user
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.committee import (
    ItemRequest,
    SeatRequest,
    add_seat,
    cast_vote,
    declare_conflict,
    open_item,
    seats,
)
from pfund.services.committee_decide import close_item, tally_item
from pfund.services.demo import load_demo
from pfund.services.funding import ledger_view, record_contributions
from pfund.services.portfolio import run_portfolio
from pfund.services.runtime import Runtime

DAY = date(2026, 6, 1)  # ORG-0001 and ORG-0002 stand vetted; ORG-0003's approval lapsed
HOLDER = "Ivanova Maria Petrovna"
PASSWORD = "a long enough pass phrase 42"


@pytest.fixture
def fund(rt: Runtime, today: Callable[[date], None]) -> Runtime:
    today(DAY)
    load_demo(rt)
    record_contributions(rt, year=2023, received=True)
    for name in ("m.deu", "m.fra", "m.ru1", "m.ru2"):
        add_user(rt, name, PASSWORD, roles=[Role.COMMITTEE_MEMBER])
    donors = {"DEU": "m.deu", "FRA": "m.fra", "USA": None}
    for iso3, member in donors.items():
        add_seat(
            rt, SeatRequest(label=f"Donor {iso3}", side=Side.DONOR, contributor=iso3, member=member)
        )
    russians = {"ORG-0001": ("m.ru1", HOLDER), "ORG-0002": ("m.ru2", ""), "ORG-0003": (None, "")}
    for n, (org, (member, holder)) in enumerate(russians.items(), start=1):
        add_seat(
            rt,
            SeatRequest(
                label=f"Russian {n}",
                side=Side.RUSSIAN,
                organisation_id=org,
                member=member,
                holder=holder,
            ),
        )
    return rt


def as_member(rt: Runtime, username: str) -> Runtime:
    from dataclasses import replace
    from datetime import UTC, datetime

    from pfund.domain.account import User

    user = User(username=username, roles=[Role.COMMITTEE_MEMBER], created_at=datetime.now(UTC))
    return replace(rt, principal=Principal(user=user), actor=f"user:{username}")


def appraisal_item(rt: Runtime) -> int:
    return open_item(
        rt,
        ItemRequest(
            kind=ItemKind.APPRAISAL, title="Identify for appraisal", projects=["TRN-M11-03"]
        ),
    ).id


def actions(rt: Runtime) -> list[str]:
    with rt.uow() as uow:
        return [e.action for e in uow.audit.list()]


def votes_stored(rt: Runtime) -> int:
    with rt.uow() as uow:
        return int(uow.session.execute(text("select count(*) from committee_votes")).scalar_one())


def test_donor_seats_weigh_receipts_and_a_lapsed_vetting_suspends_a_seat(fund: Runtime) -> None:
    by_label = {s.label: s for s in seats(fund)}
    received = ledger_view(fund).contributors
    assert by_label["Donor DEU"].weight == received["DEU"]["received"] > 0
    assert by_label["Russian 1"].standing is SeatStanding.ACTIVE
    assert by_label["Russian 3"].standing is SeatStanding.SUSPENDED
    assert by_label["Russian 3"].why == ["vetting: the approval expired on 2026-02-28"]
    # ORG-0002's approval runs to 2026-10-31: a month later its seat is suspended too
    later = {s.label: s for s in seats(fund, on=date(2026, 11, 30))}
    assert later["Russian 2"].standing is SeatStanding.SUSPENDED


def test_a_double_majority_passes_and_is_recorded_with_its_rule(fund: Runtime) -> None:
    item = appraisal_item(fund)
    for seat, vote in [
        ("Donor DEU", "yes"),
        ("Donor FRA", "no"),
        ("Donor USA", "yes"),
        ("Russian 1", "yes"),
        ("Russian 2", "abstain"),
    ]:
        cast_vote(fund, item, seat, vote)
    decided, record_id = close_item(fund, item)
    assert decided.tally.passed and decided.tally.outcome is Outcome.PASSED
    assert decided.item.status == "approved" and decided.item.record_id == record_id
    assert record_id == "CMT-0001"
    with fund.uow() as uow:
        record = uow.decisions.get(record_id)
    assert record is not None and record.kind == "committee"
    assert record.parameters["rule"]["majority"] == "double"
    assert [v["seat"] for v in record.result["votes"]][:2] == ["Donor DEU", "Donor FRA"]
    assert "committee.item_decided" in actions(fund) and "committee.vote_cast" in actions(fund)
    with pytest.raises(Conflict, match="takes no more votes"):
        cast_vote(fund, item, "Donor FRA", "yes")


def test_the_russian_side_can_defeat_an_item_the_donors_carry(fund: Runtime) -> None:
    item = appraisal_item(fund)
    for seat in ("Donor DEU", "Donor FRA", "Donor USA"):
        cast_vote(fund, item, seat, "yes")
    cast_vote(fund, item, "Russian 1", "no")
    cast_vote(fund, item, "Russian 2", "no")
    decided, _ = close_item(fund, item)
    assert decided.tally.outcome is Outcome.NO_MAJORITY and decided.item.status == "rejected"
    assert decided.tally.reasons[0].startswith("no russian majority: 0 for, 2 against")


def test_refused_votes_store_nothing(fund: Runtime) -> None:
    item = appraisal_item(fund)
    with pytest.raises(Conflict, match="Russian 3 is suspended"):
        cast_vote(fund, item, "Russian 3", "yes")
    cast_vote(fund, item, "Russian 1", "yes")
    with pytest.raises(Conflict, match="already voted"):
        cast_vote(fund, item, "Russian 1", "no")
    declare_conflict(fund, item, "Russian 2", reason="partner of the proponent")
    with pytest.raises(Conflict, match="recused"):
        cast_vote(fund, item, "Russian 2", "yes")
    with pytest.raises(InvalidInput, match="unknown vote"):
        cast_vote(fund, item, "Donor DEU", "maybe")
    with pytest.raises(Forbidden, match="do not hold seat Donor DEU"):
        cast_vote(as_member(fund, "m.fra"), item, "Donor DEU", "yes")
    assert votes_stored(fund) == 1
    cast_vote(as_member(fund, "m.fra"), item, "Donor FRA", "yes")
    assert votes_stored(fund) == 2


def test_one_vote_per_seat_per_item_is_a_database_constraint(fund: Runtime) -> None:
    item = appraisal_item(fund)
    cast_vote(fund, item, "Russian 1", "yes")
    with fund.uow() as uow:
        seat_id = next(s["id"] for s in uow.committees.seats("joint") if s["label"] == "Russian 1")
        again = {"item_id": item, "seat_id": seat_id, "vote": "no", "cast_by": "x"}
        at = uow.committees.votes(item)[0]["cast_at"]
        with pytest.raises(IntegrityError):
            uow.committees.add_vote(again | {"cast_at": at})


def test_the_seat_holder_is_sealed_and_never_in_the_record_or_audit(fund: Runtime) -> None:
    item = appraisal_item(fund)
    cast_vote(fund, item, "Russian 1", "yes")
    close_item(fund, item)
    with fund.uow() as uow:
        stored = uow.session.execute(text("select holder from committee_seats")).scalars().all()
        events = [e.model_dump_json() for e in uow.audit.list()]
        records = [r.model_dump_json() for r in uow.decisions.list(kind="committee")]
        opened = [s["holder"] for s in uow.committees.seats("joint")]
    assert HOLDER in opened
    assert not any(HOLDER in str(value) for value in stored)
    assert any(str(value).startswith("v1:") for value in stored)
    assert not any(HOLDER in e for e in events + records)
    assert all("holder" not in s.model_dump() for s in seats(fund))


def test_a_departure_from_the_optimiser_is_priced(fund: Runtime) -> None:
    report, problem = run_portfolio(fund, appraise_pipeline(load_inputs(fund)), time_limit=20)
    chosen = list(report.selected)
    dropped = chosen[0]
    item = open_item(
        fund,
        ItemRequest(
            kind=ItemKind.PORTFOLIO,
            title="Approve the portfolio",
            run_id=report.record_id,
            projects=chosen[1:],
        ),
    )
    for seat in ("Donor DEU", "Donor USA", "Russian 1", "Russian 2"):
        cast_vote(fund, item.id, seat, "yes")
    decided, record_id = close_item(fund, item.id)
    departure = decided.departure
    assert departure is not None and departure["dropped"] == [dropped]
    value = float(problem.value[problem.ids.index(dropped)])
    assert departure["value_lost"] == pytest.approx(value)
    assert departure["lines"][0]["project"] == dropped
    assert "departure costs" in departure["sentence"]
    assert tally_item(fund, item.id).departure == departure
    with fund.uow() as uow:
        record = uow.decisions.get(record_id)
    assert record is not None and record.result["departure"]["value_lost"] == pytest.approx(value)


def test_items_need_known_projects_and_runs(fund: Runtime) -> None:
    with pytest.raises(InvalidInput) as err:
        open_item(fund, ItemRequest(kind=ItemKind.PORTFOLIO, title="x", run_id="OPT-0099"))
    assert "no portfolio run 'OPT-0099'" in str(err.value.problems)
    with pytest.raises(InvalidInput):
        open_item(fund, ItemRequest(kind=ItemKind.APPRAISAL, title="x", projects=["NOPE-1"]))
