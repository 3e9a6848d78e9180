"""A loan and a guarantee in euros in a dollar fund, on both databases: repayments and
calls stated in euros, converted at their day's rate with the rate recorded, the
principal's exchange difference booked, the schedule and the cost to the fund shown in
dollars with the conversion stated; bad input stores nothing.

Rates are the test figures of ``test_currencies``: EUR 1 = USD 1.08 on 2024-07-01, 1.10
on 2024-07-03, 1.05 on 2024-07-05 (a rate may be 4 days old).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pfund.domain import LedgerAccount
from pfund.domain.instrument import GuaranteeTerms, LoanTerms
from pfund.errors import InvalidInput
from pfund.services.audit import AuditWriter, verify
from pfund.services.imports import store_records
from pfund.services.instruments import (
    call_guarantee,
    instrument_costs,
    loan_view,
    record_guarantee,
    record_loan,
    repay_loan,
)
from pfund.services.rates import RATE_MISSING
from pfund.services.runtime import Runtime
from pfund.services.tranches import disburse_tranche, release_tranche
from tests.factories import make_project
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
P = "ENV-EUR-L1"


@pytest.fixture
def lent_in_euros(fund: Runtime, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """EUR 1,000,000.00 committed on 2024-07-01 at 1.08 (USD 1,080,000.00) and paid out
    on 2024-07-03 at 1.10 (USD 1,100,000.00; exchange loss USD 20,000.00), lent at 2% a
    year in 2 equal yearly parts of principal: 2025-07-03 pays EUR 20,000.00 + 500,000.00,
    2026-07-03 pays EUR 10,000.00 + 500,000.00."""
    on_day(monkeypatch, date(2024, 7, 1))
    tid = approve_euro_project(fund, P)
    release_tranche(fund, tid)
    on_day(monkeypatch, date(2024, 7, 3))
    disburse_tranche(fund, tid)
    terms = LoanTerms(
        project_id=P,
        principal=D("1000000.00"),
        currency="EUR",
        annual_rate=D("0.02"),
        periods_per_year=1,
        instalments=2,
        method="linear",
        disbursed_on=date(2024, 7, 3),
    )
    view = record_loan(fund, terms)
    assert [r["payment"] for r in view.schedule] == ["520000.00", "510000.00"]
    return fund


def test_a_euro_loan_is_repaid_at_each_day_s_rate_with_its_difference_booked(
    lent_in_euros: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worked example, written out (fund currency USD):

    the schedule on 2024-07-05 at EUR 1 = USD 1.05: instalment 1 EUR 520,000.00 =
    USD 546,000.00; the grant-equivalent at the fund's 6 per cent: 1 - (520,000/1.06 +
    510,000/1.06**2)/1,000,000 = 0.055536, EUR 55,536.00 = USD 58,312.80.
    repayment of EUR 300,000.00 on 2024-07-05 at 1.05 (worth USD 315,000.00):
        interest EUR 20,000.00 x 1.05 = USD 21,000.00 (income at the day's rate);
        principal EUR 280,000.00 leaves the outstanding USD 1,080,000.00 (carried at the
        commitment rate) at 280,000/1,000,000 x 1,080,000.00 = USD 302,400.00, worth
        280,000.00 x 1.05 = USD 294,000.00 today: exchange loss USD 8,400.00;
        the fund balance grows 21,000.00 + 302,400.00 - 8,400.00 = USD 315,000.00.
    the rest, EUR 730,000.00 on 2024-07-03 at 1.10 (the day's rate as given):
        interest EUR 10,000.00 = USD 11,000.00; principal EUR 720,000.00 is all that is
        outstanding, so USD 1,080,000.00 - 302,400.00 = 777,600.00 leaves it, worth
        720,000.00 x 1.10 = 792,000.00: exchange gain USD 14,400.00.
    Paid out at 1.10 and repaid at 1.05 (280,000) and 1.10 (720,000): the principal's
    exchange result is 280,000 x (1.05 - 1.10) = USD -14,000.00 = -20,000.00 (payment)
    - 8,400.00 + 14,400.00.
    """
    rt = lent_in_euros
    on_day(monkeypatch, date(2024, 7, 5))
    view = loan_view(rt, P)
    assert view.rate is not None and view.rate.rate == D("1.05")
    assert "EUR 1 = USD 1.05" in view.conversion
    assert view.schedule[0]["payment_usd"] == "546000.00"
    assert (view.grant_element, view.grant_equivalent) == (D("0.055536"), D("55536.00"))
    assert view.grant_equivalent_fund == D("58312.80")
    with rt.uow() as uow:
        fund = uow.fund.get()
        assert fund is not None
        cost = instrument_costs(uow, fund.instruments)[P]
    assert (cost.face, cost.cost) == (D("1050000.00"), D("58312.80"))
    assert "EUR 55536.00 in USD at EUR 1 = USD 1.05" in cost.basis

    before = stored_ledger(rt)
    paid = repay_loan(rt, P, D("300000.00"))
    assert (paid.currency, paid.interest, paid.principal) == ("EUR", D("20000.00"), D("280000.00"))
    assert (paid.fund_amount, paid.exchange_difference) == (D("315000.00"), D("-8400.00"))
    ledger = stored_ledger(rt)
    added = ledger.entries[len(before.entries) :]
    assert [(e.debit, e.credit, e.amount, e.fx_amount, e.fx_rate) for e in added] == [
        (A.FUND_BALANCE, A.INTEREST_RECEIVED, D("21000.00"), D("20000.00"), D("1.05")),
        (A.FUND_BALANCE, A.PRINCIPAL_REPAID, D("302400.00"), D("280000.00"), D("1.08")),
        (A.EXCHANGE_LOSS, A.FUND_BALANCE, D("8400.00"), D("280000.00"), D("1.05")),
    ]
    assert ledger.balance(A.FUND_BALANCE) == before.balance(A.FUND_BALANCE) + D("315000.00")
    view = loan_view(rt, P)
    assert (view.principal_repaid, view.interest_received) == (D("280000.00"), D("20000.00"))
    assert view.outstanding == D("720000.00") and view.outstanding_fund == D("756000.00")
    # the repayment's exchange entry on the tranche is money back, not a refund: the
    # euros paid out stay paid out
    assert view.disbursed == D("1000000.00")

    on_day(monkeypatch, date(2024, 7, 3))
    rest = repay_loan(rt, P, D("730000.00"), currency="EUR")
    assert (rest.interest, rest.principal, rest.outstanding) == (
        D("10000.00"),
        D("720000.00"),
        D(0),
    )
    assert rest.exchange_difference == D("14400.00")
    ledger = stored_ledger(rt)
    assert ledger.balance(A.PRINCIPAL_REPAID, P) == D("1080000.00")  # all that was paid out
    assert ledger.balance(A.EXCHANGE_LOSS) == D("28400.00")
    assert ledger.balance(A.EXCHANGE_GAIN) == D("14400.00")
    ledger_sound(rt)
    with rt.uow() as uow:
        assert verify(uow).intact


def test_bad_repayments_and_calls_in_another_currency_store_nothing(
    lent_in_euros: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = lent_in_euros
    counts = row_counts(rt)
    on_day(monkeypatch, date(2024, 8, 1))  # the latest rate (07-05) is 27 days old
    with pytest.raises(InvalidInput) as missing:
        repay_loan(rt, P, D("1000.00"))
    assert missing.value.problems[0].code == RATE_MISSING
    with pytest.raises(InvalidInput) as wrong:
        repay_loan(rt, P, D("1000.00"), currency="USD", on=date(2024, 7, 5))
    (problem,) = wrong.value.problems
    assert problem.field == "currency" and "stated in EUR" in problem.reason
    with pytest.raises(InvalidInput):  # more than the schedule asks
        repay_loan(rt, P, D("1030000.01"), on=date(2024, 7, 5))
    assert row_counts(rt) == counts
    # a loan in a third currency, neither the fund's nor its project's, is refused
    with pytest.raises(InvalidInput) as third:
        record_loan(
            rt,
            LoanTerms(
                project_id=P,
                principal=D("1000.00"),
                currency="GBP",
                annual_rate=D("0.02"),
                instalments=2,
                disbursed_on=date(2024, 7, 3),
            ),
        )
    assert third.value.problems[0].field == "currency"
    assert row_counts(rt) == counts


def test_a_euro_guarantee_is_called_in_euros_at_the_day_s_rate(
    fund: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exposure EUR 100,000.00; a call of EUR 10,000.00 on 2024-07-05 at 1.05 costs the
    fund USD 10,500.00; EUR 90,000.00 of exposure is left."""
    project = make_project("GU-EUR-1", currency="EUR", partners=[], contacts=[], stage=0)
    with fund.uow() as uow:
        store_records(uow, AuditWriter(uow, fund.actor), "projects", [project], source="test")
        uow.commit()
    terms = GuaranteeTerms(
        project_id="GU-EUR-1",
        exposure=D("100000.00"),
        currency="EUR",
        beneficiary="A bank",
        call_probability=D("0.2"),
        loss_given_call=D("0.5"),
        valid_from=date(2024, 1, 1),
        valid_until=date(2024, 12, 31),
    )
    record_guarantee(fund, terms)
    on_day(monkeypatch, date(2024, 7, 5))
    before = stored_ledger(fund).balance(A.FUND_BALANCE)
    view = call_guarantee(fund, "GU-EUR-1", D("10000.00"), reason="the borrower defaulted")
    assert (view.called, view.exposure_left, view.called_fund) == (
        D("10000.00"),
        D("90000.00"),
        D("10500.00"),
    )
    (call,) = [e for e in stored_ledger(fund).entries if e.debit is A.GUARANTEE_CALLS]
    assert (call.amount, call.fx_amount, call.fx_rate, call.fx_rate_date) == (
        D("10500.00"),
        D("10000.00"),
        D("1.05"),
        date(2024, 7, 5),
    )
    assert stored_ledger(fund).balance(A.FUND_BALANCE) == before - D("10500.00")
    counts = row_counts(fund)
    with pytest.raises(InvalidInput, match="call refused"):
        call_guarantee(fund, "GU-EUR-1", D("90000.01"), reason="the borrower defaulted")
    assert row_counts(fund) == counts
    ledger_sound(fund)
