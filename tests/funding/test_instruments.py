"""Loan schedules, arrears, grant elements and guarantee costs, with worked examples.

The published amortisation example is numpy-financial's documentation of ``ipmt``
("What is the amortization schedule for a 1 year loan of $2500 at 8.24% interest per
year compounded monthly?", https://numpy.org/numpy-financial/latest/ipmt.html), whose
table is copied below. pfund rounds each instalment to the cent (the published table
keeps the unrounded payment of 217.7486), so the payment is 217.75, the interest of
every month is the published one to the cent, principal may differ by a cent from
month 6 on, and the last instalment repays what is left (217.72).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pfund.domain.instrument import GuaranteeTerms, LoanTerms
from pfund.errors import InvalidInput
from pfund.funding.instruments import (
    FundCost,
    allocate,
    arrears,
    fund_cost,
    fund_cost_by_year,
    grant_element,
    guarantee_expected_cost,
    schedule,
)

D = Decimal

# numpy-financial ipmt docs: month, principal, interest, balance after
PUBLISHED = [
    (1, "200.58", "17.17", "2299.42"),
    (2, "201.96", "15.79", "2097.46"),
    (3, "203.35", "14.40", "1894.11"),
    (4, "204.74", "13.01", "1689.37"),
    (5, "206.15", "11.60", "1483.22"),
    (6, "207.56", "10.18", "1275.66"),
    (7, "208.99", "8.76", "1066.67"),
    (8, "210.42", "7.32", "856.25"),
    (9, "211.87", "5.88", "644.38"),
    (10, "213.32", "4.42", "431.05"),
    (11, "214.79", "2.96", "216.26"),
    (12, "216.26", "1.49", "0.00"),
]


def loan(**kw: object) -> LoanTerms:
    values: dict[str, object] = {
        "project_id": "TRN-1",
        "principal": D("2500"),
        "annual_rate": D("0.0824"),
        "periods_per_year": 12,
        "instalments": 12,
        "disbursed_on": date(2026, 1, 31),
    }
    return LoanTerms.model_validate(values | kw)


def test_published_amortisation_example_to_the_cent() -> None:
    rows = schedule(loan())
    assert [r.payment for r in rows[:11]] == [D("217.75")] * 11
    assert rows[-1].payment == D("217.72")  # the last instalment absorbs the rounding
    assert (rows[-1].interest, rows[-1].principal) == (D("1.48"), D("216.24"))
    for row, (month, principal, interest, balance) in zip(rows, PUBLISHED, strict=True):
        assert row.number == month
        if month < 12:
            assert row.interest == D(interest)  # every month's interest as published
            assert abs(row.principal - D(principal)) <= D("0.01")
        assert abs(row.balance - D(balance)) <= D("0.03")
    assert sum(r.principal for r in rows) == D("2500.00")
    assert rows[-1].balance == 0
    # published total interest -112.98 (unrounded payments); pfund's, rounded: 112.97
    assert sum(r.interest for r in rows) == D("112.97")


def test_due_dates_step_by_period_and_keep_month_ends() -> None:
    rows = schedule(loan())
    assert [r.due for r in rows[:3]] == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    assert rows[-1].due == date(2027, 1, 31)


def test_grace_periods_pay_interest_only_then_annuity() -> None:
    """USD 1,000,000 at 1% a year, half-yearly (0.5% a period), 2 grace + 4 instalments.

    Grace: 1,000,000 x 0.005 = 5,000.00 twice. Annuity on 1,000,000 over 4 periods at
    0.005: 1,000,000 x 0.005 / (1 - 1.005**-4) = 253,132.79; period 3 pays 5,000.00
    interest and 248,132.79 principal, and so on; the last repays 251,873.44.
    """
    rows = schedule(
        loan(
            principal=D("1000000"),
            annual_rate=D("0.01"),
            periods_per_year=2,
            instalments=4,
            grace_periods=2,
            disbursed_on=date(2028, 3, 1),
        )
    )
    assert [(r.interest, r.principal) for r in rows] == [
        (D("5000.00"), D("0.00")),
        (D("5000.00"), D("0.00")),
        (D("5000.00"), D("248132.79")),
        (D("3759.34"), D("249373.45")),
        (D("2512.47"), D("250620.32")),
        (D("1259.37"), D("251873.44")),
    ]
    assert rows[0].due == date(2028, 9, 1) and rows[-1].due == date(2031, 3, 1)


def test_linear_schedule_repays_equal_principal() -> None:
    rows = schedule(
        loan(
            principal=D("1000"),
            annual_rate=D("0.02"),
            periods_per_year=1,
            instalments=2,
            method="linear",
        )
    )
    assert [(r.interest, r.principal, r.payment) for r in rows] == [
        (D("20.00"), D("500.00"), D("520.00")),
        (D("10.00"), D("500.00"), D("510.00")),
    ]


def test_grant_element_worked_examples() -> None:
    """1 - PV(repayments) / face, each instalment discounted by (1 + d) ** (k / m).

    - 1,000 repaid in one payment after a year, no interest, at 10%:
      PV = 1,000 / 1.1 = 909.090909; grant element 1 - 0.909091 = 0.090909.
    - the linear loan above at 6%: PV = 520 / 1.06 + 510 / 1.06**2
      = 490.566038 + 453.898185 = 944.464223; grant element 0.055536.
    - a loan at the discount rate itself gives nothing: 0.
    """
    one = loan(principal=D("1000"), annual_rate=D(0), periods_per_year=1, instalments=1)
    assert grant_element(one, D("0.10")) == D("0.090909")
    two = loan(
        principal=D("1000"),
        annual_rate=D("0.02"),
        periods_per_year=1,
        instalments=2,
        method="linear",
    )
    assert grant_element(two, D("0.06")) == D("0.055536")
    market = loan(principal=D("1000"), annual_rate=D("0.06"), periods_per_year=1, instalments=5)
    assert grant_element(market, D("0.06")) == D("0.000000")
    dear = loan(principal=D("1000"), annual_rate=D("0.09"), periods_per_year=1, instalments=5)
    assert grant_element(dear, D("0.06")) < 0
    assert fund_cost(dear, D("0.06")).cost == 0  # a dear loan costs the fund nothing


def test_fund_cost_of_a_loan_is_its_grant_equivalent() -> None:
    two = loan(
        principal=D("1000"),
        annual_rate=D("0.02"),
        periods_per_year=1,
        instalments=2,
        method="linear",
    )
    cost = fund_cost(two, D("0.06"))
    assert (cost.kind, cost.face, cost.cost) == ("loan", D("1000"), D("55.54"))


def test_guarantee_expected_cost_is_exposure_times_call_times_loss() -> None:
    """USD 10,000,000 exposure x 0.1 probability of a call x 0.6 loss = 600,000.00."""
    g = GuaranteeTerms(
        project_id="NR-HE-01",
        exposure=D("10000000"),
        beneficiary="Lender",
        call_probability=D("0.1"),
        loss_given_call=D("0.6"),
        valid_from=date(2028, 1, 1),
        valid_until=date(2035, 12, 31),
    )
    assert guarantee_expected_cost(g) == D("600000.00")
    assert fund_cost(g, D("0.06")).cost == D("600000.00")


def test_fund_cost_by_year_scales_costs_to_the_fund_cost() -> None:
    """Costs 40 in 2028 and 60 in 2029 and a fund cost of 25: 10 and 15."""
    scaled = fund_cost_by_year({2028: D(40), 2029: D(60)}, FundCost("loan", D(100), D(25), ""))
    assert scaled == {2028: D(10), 2029: D(15)}


def test_repayment_pays_interest_before_principal_oldest_first() -> None:
    rows = schedule(loan())
    # 300.00: month 1 (17.17 + 200.58), month 2's interest 15.79, then 66.46 principal
    interest, principal = allocate(rows, interest_paid=D(0), principal_paid=D(0), amount=D(300))
    assert (interest, principal) == (D("32.96"), D("267.04"))
    with pytest.raises(InvalidInput, match="exceeds"):
        allocate(rows, interest_paid=D(0), principal_paid=D(0), amount=D("2612.98"))


def test_arrears_lists_unpaid_instalments_past_due_with_days_late() -> None:
    """Paid 300.00 by 1 May 2026: months 1-3 (653.25) were due, 353.25 is unpaid:
    month 2 short by 135.50 (31 days late), month 3 by 217.75 (1 day late)."""
    late = arrears(schedule(loan()), paid=D(300), on=date(2026, 5, 1))
    assert [(o.number, o.unpaid, o.days_late) for o in late.overdue] == [
        (2, D("135.50"), 31),
        (3, D("217.75"), 1),
    ]
    assert late.total == D("353.25") and late.days_late == 31
    assert arrears(schedule(loan()), paid=D("653.25"), on=date(2026, 5, 1)).overdue == ()
