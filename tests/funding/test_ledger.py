"""The ledger refuses each entry that would break the accounting model, saying why."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TypedDict

import pytest

from pfund.domain import LedgerAccount, LedgerEntry
from pfund.errors import InvalidInput
from pfund.funding import (
    ContributorPosition,
    Ledger,
    account_balances,
    check_invariants,
    commit,
    contributor_positions,
    disburse,
    freeze,
    pledge,
    project_balances,
    receipt,
    release,
    return_funds,
    tranche_balances,
    unfreeze,
)
from pfund.funding.book import MOVEMENTS, SOURCE

A = LedgerAccount
D = Decimal
AT = datetime(2030, 5, 1, 12, tzinfo=UTC)


class Ids(TypedDict):
    project_id: str
    tranche_id: str


T1: Ids = {"project_id": "P1", "tranche_id": "T1"}
T2: Ids = {"project_id": "P1", "tranche_id": "T2"}


@pytest.fixture
def funded() -> Ledger:
    """DEU pledged 100 and paid 60; 50 committed to T1, 30 of it released."""
    return Ledger().post_all(
        [
            pledge(AT, D(100), contributor="DEU"),
            receipt(AT, D(60), contributor="DEU"),
            commit(AT, D(50), **T1),
            release(AT, D(30), **T1),
        ]
    )


def refusal(ledger: Ledger, entry: LedgerEntry) -> tuple[str | None, str]:
    """Post ``entry`` expecting a refusal; check nothing changed; return (field, reason)."""
    before = (ledger.entries, {a: ledger.balance(a) for a in A})
    with pytest.raises(InvalidInput) as info:
        ledger.post(entry)
    assert (ledger.entries, {a: ledger.balance(a) for a in A}) == before
    assert len(info.value.problems) == 1
    problem = info.value.problems[0]
    return problem.field, problem.reason


def test_commit_beyond_the_fund_balance_is_refused(funded: Ledger) -> None:
    field, reason = refusal(funded, commit(AT, D("10.01"), **T2))
    assert field == "amount"
    assert reason == (
        "commitment of 10.01 USD exceeds the 10.00 USD in the fund balance; "
        "it would leave fund_balance negative"
    )


def test_release_beyond_the_tranches_commitment_is_refused(funded: Ledger) -> None:
    _, reason = refusal(funded, release(AT, D(21), **T1))
    assert reason.startswith("release of 21.00 USD exceeds the 20.00 USD committed for tranche T1")


def test_release_cannot_draw_on_another_tranches_commitment(funded: Ledger) -> None:
    _, reason = refusal(funded, release(AT, D(1), **T2))
    assert "exceeds the 0.00 USD committed for tranche T2" in reason


def test_disbursement_beyond_what_was_released_is_refused(funded: Ledger) -> None:
    _, reason = refusal(funded, disburse(AT, D("30.01"), **T1))
    assert "disbursement of 30.01 USD exceeds the 30.00 USD released for tranche T1" in reason


def test_receipt_beyond_the_pledge_is_refused(funded: Ledger) -> None:
    _, reason = refusal(funded, receipt(AT, D(41), contributor="DEU"))
    assert "receipt of 41.00 USD exceeds the 40.00 USD receivable from DEU" in reason
    _, reason = refusal(funded, receipt(AT, D(1), contributor="FRA"))
    assert "receivable from FRA" in reason


def test_entry_in_a_second_currency_is_refused(funded: Ledger) -> None:
    field, reason = refusal(funded, pledge(AT, D(1), contributor="FRA", currency="EUR"))
    assert field == "currency"
    assert reason == "entry is in EUR but this ledger keeps USD; one currency per ledger"


def test_amount_finer_than_a_cent_is_refused(funded: Ledger) -> None:
    field, reason = refusal(funded, pledge(AT, D("1.005"), contributor="FRA"))
    assert (field, reason) == ("amount", "amount 1.005 is finer than USD's minor unit (2 decimals)")


def test_unknown_movement_is_refused_listing_the_allowed_ones(funded: Ledger) -> None:
    entry = LedgerEntry(at=AT, debit=A.DISBURSED, credit=A.FUND_BALANCE, amount=D(1), **T1)
    field, reason = refusal(funded, entry)
    assert field == "debit"
    assert reason.startswith("no movement moves money from fund_balance to disbursed; allowed:")
    assert "disbursement: released -> disbursed" in reason


def test_movements_need_their_contributor_or_tranche(funded: Ledger) -> None:
    no_member = LedgerEntry(at=AT, debit=A.CONTRIBUTIONS_RECEIVABLE, credit=A.PLEDGED, amount=D(1))
    assert refusal(funded, no_member) == ("contributor", "a pledge names its contributor")
    no_tranche = LedgerEntry(at=AT, debit=A.COMMITTED, credit=A.FUND_BALANCE, amount=D(1))
    field, _ = refusal(funded, no_tranche)
    assert field == "tranche_id"


def test_a_tranche_stays_with_its_project(funded: Ledger) -> None:
    field, reason = refusal(funded, commit(AT, D(1), project_id="P9", tranche_id="T1"))
    assert (field, reason) == ("project_id", "tranche T1 belongs to project P1, not P9")


def test_freezing_more_than_is_released_is_refused(funded: Ledger) -> None:
    _, reason = refusal(funded, freeze(AT, D(31), **T1))
    assert "freeze of 31.00 USD exceeds the 30.00 USD released for tranche T1" in reason


def test_unfreeze_puts_money_back_only_where_it_was_frozen_from(funded: Ledger) -> None:
    """Money frozen while only committed cannot come back as released."""
    ledger = funded.post(freeze(AT, D(20), source=A.COMMITTED, **T1))
    _, reason = refusal(ledger, unfreeze(AT, D(1), to=A.RELEASED, **T1))
    assert "exceeds the 0.00 USD frozen from released for tranche T1" in reason
    back = ledger.post(unfreeze(AT, D(20), to=A.COMMITTED, **T1))
    assert back.balance(A.COMMITTED, "T1") == D(20)
    assert back.balance(A.FROZEN, "T1") == 0


def test_returning_more_than_was_disbursed_is_refused(funded: Ledger) -> None:
    ledger = funded.post(disburse(AT, D(10), **T1))
    _, reason = refusal(ledger, return_funds(AT, D(11), source=A.DISBURSED, **T1))
    assert "return of 11.00 USD exceeds the 10.00 USD disbursed for tranche T1" in reason


def test_a_refused_batch_posts_nothing(funded: Ledger) -> None:
    batch = [disburse(AT, D(10), **T1), disburse(AT, D(25), **T1)]
    with pytest.raises(InvalidInput) as info:
        funded.post_all(batch)
    assert info.value.message == "the ledger refuses entry 6"
    assert len(funded) == 4


def test_building_a_ledger_from_entries_checks_each_one() -> None:
    with pytest.raises(InvalidInput, match="refuses entry 1"):
        Ledger(entries=(receipt(AT, D(1), contributor="DEU"),))
    ledger = Ledger(entries=(pledge(AT, D(1), contributor="DEU"),))
    assert ledger.balance(A.PLEDGED) == 1
    assert ledger == Ledger().post(pledge(AT, D(1), contributor="DEU"))


def test_full_cycle_balances_by_account_tranche_project_and_contributor(funded: Ledger) -> None:
    ledger = funded.post_all(
        [
            pledge(AT, D(40), contributor="FRA"),
            receipt(AT, D(40), contributor="FRA"),
            commit(AT, D(45), **T2),
            release(AT, D(45), **T2),
            freeze(AT, D(15), **T2),
            disburse(AT, D(30), **T2),
            disburse(AT, D(30), **T1),
            return_funds(AT, D(5), source=A.DISBURSED, **T1),
            return_funds(AT, D(5), source=A.RETURNED, **T1),
            return_funds(AT, D(20), source=A.COMMITTED, **T1),
            unfreeze(AT, D(15), **T2),
        ]
    )
    entries = ledger.entries
    assert account_balances(entries) == {
        A.PLEDGED: D(140),
        A.CONTRIBUTIONS_RECEIVABLE: D(40),
        A.FUND_BALANCE: D(30),
        A.COMMITTED: D(0),
        A.RELEASED: D(15),
        A.FROZEN: D(0),
        A.DISBURSED: D(55),
        A.RETURNED: D(0),
        A.EXCHANGE_LOSS: D(0),
        A.EXCHANGE_GAIN: D(0),
        A.PRINCIPAL_REPAID: D(0),
        A.INTEREST_RECEIVED: D(0),
        A.GUARANTEE_CALLS: D(0),
    }
    assert tranche_balances(entries)["T1"][A.DISBURSED] == D(25)
    assert tranche_balances(entries)["T2"][A.RELEASED] == D(15)
    assert project_balances(entries)["P1"][A.DISBURSED] == D(55)
    assert contributor_positions(entries) == {
        "DEU": ContributorPosition(pledged=D(100), received=D(60)),
        "FRA": ContributorPosition(pledged=D(40), received=D(40)),
    }
    assert contributor_positions(entries)["DEU"].outstanding == D(40)
    assert {a: ledger.balance(a) for a in A} == account_balances(entries)
    assert check_invariants(entries) == []


def test_check_invariants_finds_what_the_ledger_would_refuse() -> None:
    entries = [
        pledge(AT, D(10), contributor="DEU"),
        commit(AT, D(5), **T1),
        disburse(AT, D(1), **T1),
        pledge(AT, D(1), contributor="DEU", currency="EUR"),
        LedgerEntry(at=AT, debit=A.DISBURSED, credit=A.PLEDGED, amount=D(1), **T1),
    ]
    faults = check_invariants(entries)
    assert "entry 2: fund_balance is negative (-5)" in faults
    assert "entry 3: released of T1 is negative (-1)" in faults
    assert "entry 3: tranche T1 disbursed 1 > released 0" in faults
    assert "entry 4: currency EUR differs from USD" in faults
    assert "entry 5: no movement from pledged to disbursed" in faults
    assert check_invariants([]) == []


def test_only_a_pledge_reversal_debits_the_source() -> None:
    """The conservation law rests on this: pledged is the total pledged less pledges
    reversed, and a reversal takes back only what is still receivable."""
    assert {(d, c) for d, c in MOVEMENTS if d is SOURCE} == {
        (A.PLEDGED, A.CONTRIBUTIONS_RECEIVABLE)
    }


def test_builders_choose_the_accounts_of_their_movement() -> None:
    pairs = {
        (e.debit, e.credit)
        for e in [
            pledge(AT, D(1), contributor="DEU"),
            receipt(AT, D(1), contributor="DEU"),
            commit(AT, D(1), **T1),
            release(AT, D(1), **T1),
            freeze(AT, D(1), source=A.COMMITTED, **T1),
            unfreeze(AT, D(1), to=A.COMMITTED, **T1),
            disburse(AT, D(1), **T1),
            return_funds(AT, D(1), **T1),
        ]
    }
    assert pairs <= set(MOVEMENTS)
    assert len(pairs) == 8


def test_builders_report_bad_input_as_invalid_input_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as info:
        pledge(datetime(2030, 1, 1), D(1), contributor="DEU")
    assert "time zone" in str(info.value)
    with pytest.raises(InvalidInput) as info:
        commit(AT, D(0), **T1)
    assert info.value.problems[0].field == "amount"
    with pytest.raises(InvalidInput) as info:
        freeze(AT, D(1), source=A.DISBURSED, **T1)
    assert (
        info.value.problems[0].reason == "source must be one of committed, released, got disbursed"
    )
