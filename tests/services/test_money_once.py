"""Money moves once even for code that forgets: the database's own constraints, on both stores.

The service takes its lock and checks before it writes; these tests go around it, as a
careless script or a future bug would, and insert straight into the ledger.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from pfund.domain import TrancheStatus
from pfund.errors import Conflict
from pfund.funding import disburse, pledge, release
from pfund.services.audit import verify
from pfund.services.funding import ledger_view, record_contributions, reverse_contributions
from pfund.services.runtime import Runtime
from pfund.services.tranches import (
    ScheduleRow,
    disburse_tranche,
    list_tranches,
    release_tranche,
    reschedule,
)
from pfund.store import make_engine, upgrade

AT = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def approved(approved_rt: Runtime) -> Runtime:
    """The sample fund with 2023's contributions received and a portfolio run (20 s time
    limit) approved: a copy of one made so once per process (tests/services/conftest.py)."""
    return approved_rt


def stage0(rt: Runtime) -> str:
    planned = [t for t in list_tranches(rt) if t.stage == 0 and t.status is TrancheStatus.PLANNED]
    return min(planned, key=lambda t: (t.year, t.id)).id


def test_the_database_alone_refuses_a_second_release_and_an_overdraft(approved: Runtime) -> None:
    tranche = next(t for t in list_tranches(approved) if t.id == stage0(approved))
    release_tranche(approved, tranche.id)
    ids = {"project_id": tranche.project_id, "tranche_id": tranche.id}
    with approved.uow() as uow, pytest.raises(IntegrityError, match=r"not_negative|CHECK|check"):
        # a second release row: the tranche's committed balance would go below zero
        uow.ledger.add(release(AT, Decimal("0.01"), **ids))
    disburse_tranche(approved, tranche.id)
    with approved.uow() as uow, pytest.raises(IntegrityError, match=r"tranche_step|UNIQUE|unique"):
        # a second payment of the same tranche
        uow.ledger.add(disburse(AT, Decimal("0.01"), **ids))
    other = next(t for t in list_tranches(approved) if t.status is TrancheStatus.PLANNED)
    with approved.uow() as uow, pytest.raises(IntegrityError, match=r"not_negative|CHECK|check"):
        # paying money never released: the released balance would go below zero
        uow.ledger.add(disburse(AT, other.amount, project_id=other.project_id, tranche_id=other.id))
    assert ledger_view(approved).invariants == []


def test_the_database_alone_refuses_a_second_pledge_of_a_member_year(approved: Runtime) -> None:
    with approved.uow() as uow, pytest.raises(IntegrityError):
        uow.ledger.add(pledge(AT, Decimal(1), contributor="DEU", year=2023))
    with approved.uow() as uow, pytest.raises(IntegrityError, match="amount"):
        uow.session.execute(  # no amount of zero or less, whoever inserts it
            text(
                "INSERT INTO ledger_entries (at, debit, credit, amount_minor, currency, "
                "contributor, memo, correction) VALUES (:at, 'contributions_receivable', "
                "'pledged', 0, 'USD', 'DEU', '', 0)"
            ),
            {"at": AT},
        )
    with approved.uow() as uow:
        balances = uow.session.execute(
            text("SELECT account, SUM(balance_minor) FROM ledger_balances GROUP BY account")
        ).all()
    kept = {account: Decimal(total) / 100 for account, total in balances}
    view = ledger_view(approved)
    assert {a: v for a, v in view.balances.items() if v} == {a: v for a, v in kept.items() if v}


def test_contributions_are_recorded_once_and_corrected_by_reversal(demo_rt: Runtime) -> None:
    rt = demo_rt  # the sample fund loaded (load_demo)
    first = record_contributions(rt, year=2023, received=True)
    before = ledger_view(rt)
    with pytest.raises(Conflict, match=r"of \w{3} for 2023 is already recorded; corrections"):
        record_contributions(rt, year=2023, received=True)
    with pytest.raises(Conflict, match="already recorded"):
        record_contributions(rt, year=2023, received=False, members=["DEU"])
    assert ledger_view(rt) == before
    with pytest.raises(Conflict, match="receipt of DEU for 2023 stands"):
        reverse_contributions(rt, year=2023, receipts=False, members=["DEU"])
    deu = before.contributors["DEU"]["pledged"]
    assert reverse_contributions(rt, year=2023, receipts=True, members=["DEU"]).reversed == deu
    reverse_contributions(rt, year=2023, receipts=False, members=["DEU"], reason="wrong GDP")
    assert ledger_view(rt).contributors["DEU"]["pledged"] == 0
    again = record_contributions(rt, year=2023, received=True, members=["DEU"])
    assert again.pledged == again.received == deu
    after = ledger_view(rt)
    assert after.contributors == before.contributors and after.invariants == []
    assert after.balances["pledged"] == first.pledged
    with rt.uow() as uow:
        reversals = uow.audit.list(record_type="contributor", record_id="DEU")
        assert [e.action for e in reversals] == ["contribution.reversed"] * 2
        assert reversals[1].details["reason"] == "wrong GDP"
        assert verify(uow).intact


def test_a_receipt_follows_its_pledge_and_is_recorded_once(demo_rt: Runtime) -> None:
    rt = demo_rt  # the sample fund loaded (load_demo)
    pledged = record_contributions(rt, year=2023, received=False)
    received = record_contributions(rt, year=2023, received=True)
    assert received.pledged == 0 and received.received == pledged.pledged
    with pytest.raises(Conflict, match=r"receipt of .* already recorded"):
        record_contributions(rt, year=2023, received=True)


def test_a_second_schedule_replaces_the_first(approved: Runtime) -> None:
    tranche = next(t for t in list_tranches(approved) if t.id == stage0(approved))
    project = tranche.project_id
    committed = sum((t.amount for t in list_tranches(approved, project)), Decimal(0))
    half = (committed / 2).quantize(Decimal("0.01"))
    rows = [ScheduleRow(year=2027, amount=half), ScheduleRow(year=2028, amount=half)]
    reschedule(approved, project, rows, source="first.csv")
    second = reschedule(approved, project, rows[:1], source="second.csv")
    assert second.returned == half
    statuses = {t.id: t.status for t in list_tranches(approved, project)}
    assert statuses[f"{project}-S1"] is TrancheStatus.CANCELLED
    assert statuses[f"{project}-S3"] is TrancheStatus.PLANNED
    assert ledger_view(approved).invariants == []


def test_the_upgrade_gives_stored_contributions_their_year_and_balances(
    database_url: str,
) -> None:
    engine: Engine = make_engine(database_url)
    try:
        upgrade(engine, "0006")
        insert = text(
            "INSERT INTO ledger_entries (at, debit, credit, amount_minor, currency, contributor,"
            " memo) VALUES (:at, :debit, :credit, :amount, 'USD', 'DEU', :memo)"
        )
        with engine.begin() as connection:
            for debit, credit, memo in [
                ("contributions_receivable", "pledged", "contribution 2023"),
                ("fund_balance", "contributions_receivable", "receipt 2023"),
            ]:
                values = {"debit": debit, "credit": credit, "memo": memo, "amount": 500}
                connection.execute(insert, values | {"at": AT})
        upgrade(engine)
        with engine.connect() as connection:
            years = connection.execute(
                text("SELECT year, correction FROM ledger_entries ORDER BY id")
            ).all()
            balances: dict[str, int] = dict(
                connection.execute(
                    text("SELECT account, balance_minor FROM ledger_balances WHERE scope <> ''")
                ).all()
            )
        assert [tuple(r) for r in years] == [(2023, 0), (2023, 0)]
        assert balances == {"pledged": 500, "contributions_receivable": 0}
    finally:
        engine.dispose()
