"""Refunds and clawbacks of an agreement whose tranches are in another currency than the
fund's, on both databases: stated in that currency, converted at the refund day's rate,
judged against what was paid in that currency, with the exchange differences booked.

The rates are test figures (see ``test_currencies``): EUR 1 = USD 1.08 on 2024-07-01,
1.10 on 2024-07-03, 1.05 on 2024-07-05.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pfund.domain import LedgerAccount
from pfund.errors import InvalidInput
from pfund.services.agreements import draw_up, get_agreement, refund, sign
from pfund.services.rates import RATE_MISSING
from pfund.services.runtime import Runtime
from pfund.services.tranches import disburse_tranche, release_tranche
from tests.services.test_currencies import (
    approve_euro_project,
    fund,
    ledger_sound,
    on_day,
    row_counts,
    stored_ledger,
)

__all__ = ["fund"]  # the fixture, shared with test_currencies

A = LedgerAccount
D = Decimal


@pytest.fixture
def paid_in_euros(fund: Runtime, monkeypatch: pytest.MonkeyPatch) -> str:
    """EUR 1,000,000.00 committed on 2024-07-01 at 1.08 (USD 1,080,000.00), paid on
    2024-07-03 at 1.10 (cost USD 1,100,000.00, an exchange loss of USD 20,000.00), under
    a signed agreement; returns the tranche."""
    on_day(monkeypatch, date(2024, 7, 1))
    tid = approve_euro_project(fund, "ENV-EUR-R1")
    agreement = draw_up(fund, "ENV-EUR-R1")
    sign(fund, agreement.id, signed_on=date(2024, 7, 1))
    release_tranche(fund, tid)
    on_day(monkeypatch, date(2024, 7, 3))
    assert disburse_tranche(fund, tid).exchange_difference == D("20000.00")
    return tid


def test_a_refund_in_euros_is_converted_at_its_day_with_the_differences_booked(
    fund: Runtime, paid_in_euros: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worked example, written out (fund currency USD):

    refund of EUR 400,000.00 on 2024-07-05 at EUR 1 = USD 1.05:
        worth EUR 400,000.00 x 1.05 = USD 420,000.00 to the fund today;
        disbursed -> returned at the commitment rate: 400,000.00 x 1.08 = USD 432,000.00;
        the share paid at 1.10 had cost 400,000.00 x 1.10 = USD 440,000.00, so the
        payment's loss on it is undone: exchange gain 440,000.00 - 432,000.00 = 8,000.00;
        the refund against the payment rate: 420,000.00 - 440,000.00, exchange loss
        USD 20,000.00.
        The fund holds 432,000.00 (returned) + 8,000.00 - 20,000.00 = USD 420,000.00 more.
    a clawback of EUR 700,000.00 is refused: above the EUR 600,000.00 left paid.
    the rest, EUR 600,000.00 on 2024-07-03 at 1.10 (worth USD 660,000.00): returned
        1,080,000.00 - 432,000.00 = USD 648,000.00 (what disbursed still holds), the
        payment's loss undone 660,000.00 - 648,000.00 = 12,000.00, no refund difference.
    Over payment and refunds the fund lost exactly EUR 400,000.00 x (1.10 - 1.05) =
    USD 20,000.00 in exchange: losses 20,000.00 + 20,000.00, gains 8,000.00 + 12,000.00.
    """
    tid = paid_in_euros
    before = stored_ledger(fund)
    fund_before = before.balance(A.FUND_BALANCE)
    on_day(monkeypatch, date(2024, 7, 5))
    done = refund(fund, "AGR-0001", D("400000.00"), reason="Unspent works budget")
    assert (done.currency, done.refunded, done.exchange_difference) == (
        "EUR",
        D("400000.00"),
        D("-12000.00"),
    )
    assert "EUR 1 = USD 1.05" in done.rate
    ledger = stored_ledger(fund)
    added = ledger.entries[len(before.entries) :]
    assert [(e.debit, e.credit, e.amount, e.fx_rate) for e in added] == [
        (A.RETURNED, A.DISBURSED, D("432000.00"), D("1.08")),
        (A.FUND_BALANCE, A.EXCHANGE_GAIN, D("8000.00"), D("1.1")),
        (A.EXCHANGE_LOSS, A.FUND_BALANCE, D("20000.00"), D("1.05")),
    ]
    assert all((e.fx_amount, e.fx_currency) == (D("400000.00"), "EUR") for e in added)
    assert added[2].fx_rate_date == date(2024, 7, 5)
    assert ledger.balance(A.RETURNED, tid) == D("432000.00")
    assert ledger.balance(A.DISBURSED, tid) == D("648000.00")
    assert ledger.balance(A.FUND_BALANCE) == fund_before - D("12000.00")
    line = get_agreement(fund, "AGR-0001")
    assert line.versions[-1].changes["amount"] == "EUR 400000.00"
    assert line.versions[-1].changes["exchange_difference"] == "USD -12000.00"

    counts = row_counts(fund)
    with pytest.raises(InvalidInput) as above:
        refund(fund, "AGR-0001", D("700000.00"), reason="Audit finding", clawback=True)
    (problem,) = above.value.problems
    assert problem.field == "amount"
    assert "EUR 700,000.00 is above the EUR 600,000.00 paid to ENV-EUR-R1" in problem.reason
    assert "EUR 400,000.00 refunded before" in problem.reason
    assert row_counts(fund) == counts

    on_day(monkeypatch, date(2024, 7, 3))
    rest = refund(fund, "AGR-0001", D("600000.00"), reason="Project stopped", clawback=True)
    assert rest.exchange_difference == D("12000.00")
    ledger = stored_ledger(fund)
    assert ledger.balance(A.DISBURSED, tid) == 0
    assert ledger.balance(A.RETURNED, tid) == D("1080000.00")
    assert ledger.balance(A.EXCHANGE_LOSS) == D("40000.00")
    assert ledger.balance(A.EXCHANGE_GAIN) == D("20000.00")
    assert ledger.balance(A.FUND_BALANCE) == fund_before - D("12000.00") + D("12000.00")
    ledger_sound(fund)


@pytest.mark.usefixtures("paid_in_euros")
def test_a_refund_without_a_rate_or_in_another_currency_stores_nothing(
    fund: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = row_counts(fund)
    on_day(monkeypatch, date(2024, 8, 1))  # the latest rate (07-05) is 27 days old
    with pytest.raises(InvalidInput) as missing:
        refund(fund, "AGR-0001", D("1000.00"), reason="Unspent works budget")
    (problem,) = missing.value.problems
    assert problem.code == RATE_MISSING
    assert "no EUR->USD rate for 2024-08-01" in problem.reason
    assert row_counts(fund) == counts
    with pytest.raises(InvalidInput) as wrong:
        refund(
            fund,
            "AGR-0001",
            D("1000.00"),
            reason="Unspent works budget",
            currency="USD",
            on=date(2024, 7, 5),
        )
    (problem,) = wrong.value.problems
    assert problem.field == "currency"
    assert "refunds are stated in EUR" in problem.reason
    assert row_counts(fund) == counts
    # the refund day can be given: the rate of that day is used
    done = refund(
        fund,
        "AGR-0001",
        D("1000.00"),
        reason="Unspent works budget",
        currency="eur",
        on=date(2024, 7, 5),
    )
    assert done.exchange_difference == D("-30.00")  # 1,000 x (1.05 - 1.08)
    ledger_sound(fund)
