"""Receipts matched against instalments, and money attributed pro rata, worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pfund.domain.donor_agreement import DonorAgreement, Earmark
from pfund.funding.donors import Pool, Spend, attribute, fee_on, match

D = Decimal
AGREEMENT = DonorAgreement(
    id="DA-0001",
    contributor="GBR",
    reference="R-1",
    title="Three instalments of 100",
    currency="GBP",
    total=D("300.00"),
    signed=date(2027, 1, 1),
    admin_fee=D("0.02"),
    instalments=[
        {"due": date(2027, 3, 1), "amount": D("100.00")},
        {"due": date(2027, 6, 1), "amount": D("100.00")},
        {"due": date(2027, 9, 1), "amount": D("100.00")},
    ],
)


def test_receipts_fill_the_oldest_instalment_first_and_run_on() -> None:
    """130 on 10 March: instalment 1 paid 9 days late, 30 of instalment 2 paid early.
    On 1 July instalment 2 is part-paid (70 due) and 30 days late; 3 is open, not due."""
    states = match(AGREEMENT, [(1, date(2027, 3, 10), D("130.00"))], today=date(2027, 7, 1))
    assert [(s.status, s.paid, s.days_late) for s in states] == [
        ("paid", D("100.00"), 9),
        ("part_paid", D("30.00"), 30),
        ("open", D(0), 0),
    ]
    assert states[1].outstanding == D("70.00") and states[1].applied == ((1, D("30.00")),)


def test_an_instalment_completed_on_time_by_two_receipts_is_not_late() -> None:
    receipts = [(2, date(2027, 2, 20), D("60.00")), (1, date(2027, 1, 5), D("40.00"))]
    [first, *_] = match(AGREEMENT, receipts, today=date(2027, 12, 31))
    assert (first.status, first.days_late, first.applied) == (
        "paid",
        0,
        ((1, D("40.00")), (2, D("60.00"))),
    )


def test_the_fee_is_rounded_half_to_even_to_the_cent() -> None:
    # 12,647,983.18 x 0.02 = 252,959.6636 -> 252,959.66; 0.25 x 0.02 = 0.005 -> 0.00
    assert fee_on(D("12647983.18"), D("0.02")) == D("252959.66")
    assert fee_on(D("0.25"), D("0.02")) == D("0.00")


def test_attribution_earmarked_first_then_pro_rata() -> None:
    """Spending: H1 (health) 60, T1 (transport) 100, E1 (education) 40.
    GBR's 50 earmarked for health funds H1 alone: 50 of its 60.
    The rest (H1 10, T1 100, E1 40 = 150) is funded by the unearmarked money, DEU 200 and
    USA 100 (shares 2/3 and 1/3), 150 of their 300: DEU 2/3 x 150 = 100 (H1 6.67, T1
    66.67, E1 26.67), USA 50 (H1 3.33, T1 33.33, E1 13.33). Held: GBR 0, DEU 100 and USA
    50, less and more a cent by the per-project rounding (99.99 and 50.01).
    """
    pools = [
        Pool("DA-GBR", "GBR", D(50), Earmark(areas=["health"])),
        Pool("DA-DEU", "DEU", D(200)),
        Pool("USA:contributions", "USA", D(100)),
    ]
    spending = [
        Spend("H1", "health", 0, D(60)),
        Spend("T1", "transport", 1, D(100)),
        Spend("E1", "education", 0, D(40)),
    ]
    split = attribute(pools, spending)
    assert split.funded["DA-GBR"] == {"H1": D("50.00")}
    assert split.funded["DA-DEU"] == {"H1": D("6.67"), "T1": D("66.67"), "E1": D("26.67")}
    assert split.funded["USA:contributions"] == {
        "H1": D("3.33"),
        "T1": D("33.33"),
        "E1": D("13.33"),
    }
    assert split.held == {"DA-GBR": D(0), "DA-DEU": D("99.99"), "USA:contributions": D("50.01")}
    # every project is funded in full, to the cent
    for s in spending:
        assert sum(split.funded[k].get(s.project, D(0)) for k in split.funded) == s.amount


def test_an_earmark_with_nothing_to_fund_holds_its_money() -> None:
    split = attribute(
        [Pool("DA-1", "GBR", D(80), Earmark(areas=["health"]))],
        [Spend("T1", "transport", 0, D(100))],
    )
    assert split.funded["DA-1"] == {} and split.held["DA-1"] == D(80)
