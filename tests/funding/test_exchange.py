"""Exchange differences in the pure ledger: worked examples, and the invariants they keep.

A tranche in euros committed at one rate and paid at another: ``disbursed`` receives the
commitment-rate value, and the difference is one entry, a loss out of the fund balance or
a gain into it from the ``exchange_gain`` source account.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypedDict

import pytest

from pfund.domain import LedgerAccount, LedgerEntry
from pfund.domain.fx import convert, cross_rate
from pfund.domain.ledger import FxNote
from pfund.errors import InvalidInput
from pfund.funding import (
    Ledger,
    account_balances,
    check_invariants,
    commit,
    disburse,
    exchange_gain,
    exchange_loss,
    pledge,
    receipt,
    release,
    with_fx,
)
from pfund.funding.book import MOVEMENTS, SOURCES

A = LedgerAccount
D = Decimal
AT = datetime(2024, 7, 3, tzinfo=UTC)


class Ids(TypedDict):
    project_id: str
    tranche_id: str


T1: Ids = {"project_id": "P1", "tranche_id": "T1"}


def euro_tranche(paid_rate: Decimal) -> Ledger:
    """EUR 1,000,000.00 committed at 1.0800 (USD 1,080,000.00), paid at ``paid_rate``."""
    committed = convert(D("1000000.00"), D("1.08"), "USD")
    cost = convert(D("1000000.00"), paid_rate, "USD")
    note = FxNote(
        fx_amount=D("1000000.00"),
        fx_currency="EUR",
        fx_rate=D("1.08"),
        fx_rate_date=date(2024, 7, 1),
    )
    entries = [
        pledge(AT, D("2000000.00"), contributor="DEU"),
        receipt(AT, D("2000000.00"), contributor="DEU"),
        with_fx(commit(AT, committed, **T1), note),
        release(AT, committed, **T1),
        with_fx(disburse(AT, committed, **T1), note),
    ]
    if cost > committed:
        entries.append(exchange_loss(AT, cost - committed, **T1))
    elif cost < committed:
        entries.append(exchange_gain(AT, committed - cost, **T1))
    return Ledger().post_all(entries)


def test_a_dearer_rate_books_a_loss_from_the_fund_balance() -> None:
    """1,000,000.00 x 1.1000 = 1,100,000.00 paid; 1,080,000.00 committed; loss 20,000.00;
    the fund balance: 2,000,000.00 - 1,080,000.00 - 20,000.00 = 900,000.00."""
    ledger = euro_tranche(D("1.1000"))
    assert ledger.balance(A.DISBURSED, "T1") == D("1080000.00")
    assert ledger.balance(A.EXCHANGE_LOSS) == D("20000.00")
    assert ledger.balance(A.FUND_BALANCE) == D("900000.00")
    assert check_invariants(ledger.entries) == []


def test_a_cheaper_rate_books_a_gain_into_the_fund_balance() -> None:
    """1,000,000.00 x 1.0500 = 1,050,000.00 paid; gain 30,000.00; the fund balance:
    2,000,000.00 - 1,080,000.00 + 30,000.00 = 950,000.00; the buckets hold
    2,000,000.00 pledged + 30,000.00 gained."""
    ledger = euro_tranche(D("1.0500"))
    assert ledger.balance(A.EXCHANGE_GAIN) == D("30000.00")
    assert ledger.balance(A.FUND_BALANCE) == D("950000.00")
    buckets = sum(
        (v for a, v in account_balances(ledger.entries).items() if a not in SOURCES), D(0)
    )
    assert buckets == D("2030000.00")
    assert check_invariants(ledger.entries) == []


def test_the_rate_used_is_recorded_with_the_entry() -> None:
    entry = euro_tranche(D("1.08")).entries[2]
    assert entry.fx == FxNote(
        fx_amount=D("1000000.00"),
        fx_currency="EUR",
        fx_rate=D("1.08"),
        fx_rate_date=date(2024, 7, 1),
    )
    with pytest.raises(ValueError, match="amount, currency, rate and date"):
        LedgerEntry(
            at=AT, debit=A.COMMITTED, credit=A.FUND_BALANCE, amount=D(1), fx_amount=D(1), **T1
        )


def test_a_loss_beyond_the_fund_balance_is_refused() -> None:
    ledger = euro_tranche(D("1.08"))
    with pytest.raises(InvalidInput, match="refuses"):
        ledger.post(exchange_loss(AT, D("920000.01"), **T1))


def test_an_exchange_entry_names_its_tranche() -> None:
    with pytest.raises(InvalidInput) as info:
        Ledger().post(exchange_gain(AT, D(1), project_id="", tranche_id=""))
    assert info.value.problems[0].field == "tranche_id"


def test_nothing_takes_money_out_of_the_gains() -> None:
    """Only the gain movement touches ``exchange_gain``: a gain cannot be spent twice."""
    assert {(d, c) for d, c in MOVEMENTS if A.EXCHANGE_GAIN in (d, c)} == {
        (A.FUND_BALANCE, A.EXCHANGE_GAIN)
    }


def test_check_invariants_finds_money_created_outside_the_movements() -> None:
    """An entry the ledger has no movement for (gain straight into disbursed) is named,
    and so is a ledger whose buckets no longer add up to its sources."""
    entries = [
        *euro_tranche(D("1.08")).entries,
        LedgerEntry(at=AT, debit=A.EXCHANGE_LOSS, credit=A.DISBURSED, amount=D(5), **T1),
    ]
    faults = check_invariants(entries)
    assert "entry 6: no movement from disbursed to exchange_loss" in faults


def test_cross_rates_and_rounding_worked_out() -> None:
    """EUR 1 = USD 1.0705 and GBP 0.84638 (the ECB, 2024-06-28):
    GBP -> USD = 1.0705 / 0.84638 = 1.26479831...  -> 1.2647983175 (10 places, half even);
    USD -> GBP = 0.84638 / 1.0705 = 0.79063988... -> 0.7906398879;
    and half to even at the cent: 0.125 x 1 -> 0.12, 0.135 x 1 -> 0.14."""
    per_euro = {"EUR": D(1), "USD": D("1.0705"), "GBP": D("0.84638")}
    assert cross_rate(per_euro, "GBP", "USD") == (D("1.0705") / D("0.84638")).quantize(D("1e-10"))
    assert cross_rate(per_euro, "EUR", "USD") == D("1.0705")
    assert cross_rate(per_euro, "USD", "USD") == D(1)
    assert convert(D("0.125"), D(1), "USD") == D("0.12")
    assert convert(D("0.135"), D(1), "USD") == D("0.14")
    assert convert(D("1000"), D("1.2647983175"), "JPY") == D("1265")
