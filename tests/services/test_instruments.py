"""Loans and guarantees through the services: a loan paid out by its tranche, repaid
interest first, its arrears; a guarantee called within its exposure; refusals store
nothing; the audit chain covers every change; the optimiser counts the cost to the fund.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from pfund.domain import LedgerAccount, Tranche
from pfund.domain.instrument import GuaranteeTerms, LoanTerms
from pfund.errors import Conflict, InvalidInput
from pfund.funding import Ledger, commit
from pfund.services.audit import AuditWriter, verify
from pfund.services.funding import post_entries, record_contributions
from pfund.services.instruments import (
    call_guarantee,
    guarantee_view,
    instrument_costs,
    loan_view,
    record_guarantee,
    record_loan,
    repay_loan,
)
from pfund.services.runtime import Runtime
from pfund.services.tranches import disburse_tranche, release_tranche
from pfund.store.repositories import table_counts
from tests.factories import make_organisation, make_project

A = LedgerAccount
D = Decimal
SetToday = Callable[[date], None]
DAY = date(2027, 2, 1)


def _loan(**kw: object) -> LoanTerms:
    """USD 1,000.00 at 2% a year, repaid in 2 equal yearly parts of principal (linear):
    2028-02-01 pays 20.00 + 500.00 = 520.00; 2029-02-01 pays 10.00 + 500.00 = 510.00."""
    values: dict[str, object] = {
        "project_id": "LN-P1",
        "principal": D("1000.00"),
        "annual_rate": D("0.02"),
        "periods_per_year": 1,
        "instalments": 2,
        "method": "linear",
        "disbursed_on": DAY,
    }
    return LoanTerms.model_validate(values | kw)


@pytest.fixture
def lent(rt: Runtime, today: SetToday) -> Runtime:
    """A project whose one 2027 tranche of 1,000.00 is committed, released and paid."""
    today(DAY)
    record_contributions(rt, year=2023, received=True)
    with rt.uow() as uow:
        uow.organisations.add_many([make_organisation("ORG-L01")])
        for pid in ("LN-P1", "GU-P1"):
            uow.projects.add(
                make_project(pid, proponent="ORG-L01", partners=[], contacts=[], stage=0)
            )
        tranche = Tranche(id="LN-P1-2027", project_id="LN-P1", year=2027, amount=D(1000))
        uow.tranches.add(tranche)
        entry = commit(datetime.now(UTC), D(1000), project_id="LN-P1", tranche_id=tranche.id)
        post_entries(uow, AuditWriter(uow, rt.actor), [entry])
        uow.commit()
    release_tranche(rt, "LN-P1-2027")
    disburse_tranche(rt, "LN-P1-2027")
    return rt


def _counts(rt: Runtime) -> dict[str, int]:
    with rt.uow() as uow:
        return table_counts(uow.session)


def _ledger(rt: Runtime) -> Ledger:
    with rt.uow() as uow:
        return Ledger(entries=tuple(uow.ledger.list()))


def test_a_loan_is_repaid_interest_first_and_its_arrears_follow(
    lent: Runtime, today: SetToday
) -> None:
    view = record_loan(lent, _loan())
    assert [r["payment"] for r in view.schedule] == ["520.00", "510.00"]
    # grant element at the fund's 6%: 1 - (520/1.06 + 510/1.06**2)/1000 = 0.055536
    assert view.grant_element == D("0.055536") and view.grant_equivalent == D("55.54")
    assert view.disbursed == D("1000.00") and view.arrears == []

    today(date(2028, 3, 2))  # the first instalment is 30 days late
    late = loan_view(lent, "LN-P1")
    assert (late.arrears_total, late.days_late) == (D("520.00"), 30)

    fund_before = _ledger(lent).balance(A.FUND_BALANCE)
    paid = repay_loan(lent, "LN-P1", D("300.00"))
    assert (paid.interest, paid.principal, paid.outstanding) == (D("20.00"), D("280.00"), D(720))
    ledger = _ledger(lent)
    assert ledger.balance(A.FUND_BALANCE) == fund_before + D(300)
    assert ledger.balance(A.INTEREST_RECEIVED, "LN-P1") == D("20.00")
    assert ledger.balance(A.PRINCIPAL_REPAID, "LN-P1") == D("280.00")
    assert loan_view(lent, "LN-P1").arrears_total == D("220.00")
    with lent.uow() as uow:
        assert verify(uow).intact


def test_a_repayment_beyond_the_schedule_or_terms_after_it_change_nothing(lent: Runtime) -> None:
    record_loan(lent, _loan())
    before = _counts(lent)
    with pytest.raises(InvalidInput, match="repayment refused"):
        repay_loan(lent, "LN-P1", D("1030.01"))  # the schedule asks 1,030.00 in all
    assert _counts(lent) == before
    repay_loan(lent, "LN-P1", D("1030.00"))
    assert loan_view(lent, "LN-P1").outstanding == 0
    with pytest.raises(Conflict, match="being repaid"):
        record_loan(lent, _loan(annual_rate=D(0)))


def test_a_loan_not_paid_out_takes_no_repayment(rt: Runtime) -> None:
    """A loan whose tranche was never paid: nothing is owed yet (and the ledger would
    refuse its principal: nothing is outstanding)."""
    with rt.uow() as uow:
        uow.organisations.add_many([make_organisation("ORG-L01")])
        uow.projects.add(make_project("LN-P1", proponent="ORG-L01", partners=[], contacts=[]))
        AuditWriter(uow, rt.actor).record("project.imported", "project", "LN-P1")
        uow.commit()
    record_loan(rt, _loan())
    before = _counts(rt)
    with pytest.raises(InvalidInput) as refused:
        repay_loan(rt, "LN-P1", D("100.00"))  # 20.00 interest, 80.00 principal
    assert "nothing is owed yet" in str(refused.value.problems)
    assert _counts(rt) == before


def test_a_guarantee_is_called_within_its_exposure_and_validity(lent: Runtime) -> None:
    terms = GuaranteeTerms(
        project_id="GU-P1",
        exposure=D("500.00"),
        beneficiary="A bank",
        call_probability=D("0.2"),
        loss_given_call=D("0.5"),
        valid_from=date(2027, 1, 1),
        valid_until=date(2027, 12, 31),
    )
    assert record_guarantee(lent, terms).expected_cost == D("50.00")  # 500 x 0.2 x 0.5
    before = _counts(lent)
    with pytest.raises(InvalidInput, match="call refused"):
        call_guarantee(lent, "GU-P1", D("500.01"), reason="the borrower defaulted")
    assert _counts(lent) == before
    fund_before = _ledger(lent).balance(A.FUND_BALANCE)
    called = call_guarantee(lent, "GU-P1", D("200.00"), reason="the borrower defaulted")
    assert (called.called, called.exposure_left) == (D("200.00"), D("300.00"))
    assert _ledger(lent).balance(A.FUND_BALANCE) == fund_before - D(200)
    assert guarantee_view(lent, "GU-P1").called == D("200.00")
    with pytest.raises(Conflict, match="one instrument"):
        record_loan(lent, _loan(project_id="GU-P1"))
    with lent.uow() as uow:
        assert verify(uow).intact


def test_instrument_costs_are_what_the_optimiser_counts(lent: Runtime) -> None:
    record_loan(lent, _loan())
    with lent.uow() as uow:
        fund = uow.fund.get()
        assert fund is not None
        costs = instrument_costs(uow, fund.instruments)
    assert costs["LN-P1"].cost == D("55.54") and costs["LN-P1"].kind == "loan"
