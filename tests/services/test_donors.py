"""Donor agreements through the services: imported all or nothing, receipts matched to
instalments (partial, late, in another currency, each conversion written out below) and
booked through the ledger, and the donor's report attributing money by the stated rule.

The rates are the sample fund's ECB file; every conversion below uses its 2024-06-28
day (the sample fund allows rates that old): EUR 1 = USD 1.0705 = GBP 0.84638.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from pfund.errors import Conflict, InvalidInput, NotFound
from pfund.funding import contributor_positions
from pfund.io.dataset import bundled_dataset
from pfund.reports.donor import render_donor
from pfund.services.audit import verify
from pfund.services.demo import SAMPLE_RATES
from pfund.services.donor_report import donor_report
from pfund.services.donors import (
    agreement_view,
    donor_register,
    import_agreements,
    import_receipts,
    record_receipt,
    reverse_receipt,
)
from pfund.services.funding import ledger_view
from pfund.services.rates import import_rates
from pfund.services.runtime import Runtime
from pfund.store.repositories import table_counts
from pfund.store.repositories.donors import DonorRepository

SAMPLE = bundled_dataset() / "donor_agreements.yaml"
RATES = bundled_dataset() / "rates" / "eurofxref-sample.csv"


@pytest.fixture
def fund(rt: Runtime, today: Callable[[date], None]) -> Runtime:
    import_rates(rt, RATES, source=SAMPLE_RATES)
    import_agreements(rt, SAMPLE)
    today(date(2026, 12, 6))
    return rt


def test_receipt_in_another_currency_is_converted_at_its_days_rate(fund: Runtime) -> None:
    """USD 30,000,000 under a EUR agreement, on 2026-11-02 (latest rate 2024-06-28):
    USD 1 = EUR 1 / 1.0705 = 0.9341429239 (10 places, half to even), so
    30,000,000 x 0.9341429239 = 28,024,287.717 -> EUR 28,024,287.72 against the
    instalments; the ledger receives USD 30,000,000.00 (the fund's own currency); the fee
    is 1.5 % of it, USD 450,000.00."""
    record_receipt(
        fund, "DA-0002", day=date(2026, 5, 12), amount=Decimal("50000000.00"), currency="EUR"
    )
    done = record_receipt(
        fund, "DA-0002", day=date(2026, 11, 2), amount=Decimal("30000000.00"), currency="USD"
    )
    r = done.receipt
    assert (r.rate, r.rate_date) == (Decimal("0.9341429239"), date(2024, 6, 28))
    assert r.agreement_amount == Decimal("28024287.72")
    assert (r.fund_amount, r.fund_rate, r.fee) == (
        Decimal("30000000.00"),
        Decimal(1),
        Decimal("450000.00"),
    )
    first, second, third = done.instalments
    assert (first.status, first.paid, first.days_late) == ("paid", Decimal("50000000.00"), 12)
    # partial: EUR 50,000,000 - 28,024,287.72 = 21,975,712.28 still due, 2 days late
    assert (second.status, second.outstanding, second.days_late) == (
        "part_paid",
        Decimal("21975712.28"),
        2,
    )
    assert third.status == "open"


def test_the_ledger_receives_the_fund_currency_value_with_the_rate(fund: Runtime) -> None:
    """GBP 10,000,000 on 2026-12-01: GBP 1 = USD 1.0705 / 0.84638 = 1.2647983175, so the
    ledger receives USD 12,647,983.18 (12,647,983.175 half to even); the fee at 2 % is
    USD 252,959.66; the pledge and the receipt carry the GBP amount and the rate."""
    done = record_receipt(
        fund, "DA-0001", day=date(2026, 12, 1), amount=Decimal("10000000.00"), currency="GBP"
    )
    assert done.receipt.fund_rate == Decimal("1.2647983175")
    assert done.receipt.fund_amount == Decimal("12647983.18")
    assert done.receipt.fee == Decimal("252959.66")
    assert done.instalments[0].status == "paid" and done.instalments[0].days_late == 1
    with fund.uow() as uow:
        entries = uow.ledger.list()
    assert [e.amount for e in entries] == [Decimal("12647983.18")] * 2
    assert {(e.fx_amount, e.fx_currency, e.fx_rate) for e in entries} == {
        (Decimal("10000000.00"), "GBP", Decimal("1.2647983175"))
    }
    position = contributor_positions(entries)["GBR"]
    assert (position.pledged, position.received) == (Decimal("12647983.18"),) * 2
    with fund.uow() as uow:
        assert verify(uow).intact


def test_an_instalment_past_due_and_unpaid_is_late_on_the_day(fund: Runtime) -> None:
    view = agreement_view(fund, "DA-0002", today=date(2026, 12, 6))
    # 2026-04-30 and 2026-10-31 have passed unpaid: 220 and 36 days late
    assert [(i.status, i.days_late) for i in view.instalments] == [
        ("open", 220),
        ("open", 36),
        ("open", 0),
    ]
    assert view.late == 2 and view.outstanding == Decimal("150000000.00")


def test_more_than_is_due_is_refused_and_nothing_stored(fund: Runtime) -> None:
    before = _counts(fund)
    with pytest.raises(InvalidInput) as err:
        record_receipt(
            fund, "DA-0001", day=date(2026, 12, 1), amount=Decimal("91000000.00"), currency="GBP"
        )
    assert "only 90,000,000.00 GBP is still due" in err.value.problems[0].reason
    assert _counts(fund) == before


def test_a_receipt_in_a_currency_without_a_rate_is_refused(fund: Runtime) -> None:
    with pytest.raises(InvalidInput) as err:
        record_receipt(fund, "DA-0001", day=date(2026, 12, 1), amount=Decimal(1), currency="CAD")
    assert err.value.problems[0].code == "rate_missing"
    with pytest.raises(NotFound):
        record_receipt(fund, "DA-0099", day=date(2026, 12, 1), amount=Decimal(1), currency="GBP")


def test_a_receipts_file_books_all_or_nothing(fund: Runtime, tmp_path: Path) -> None:
    bad = tmp_path / "receipts.yaml"
    bad.write_text(
        "receipts:\n"
        "  - {agreement: DA-0002, day: 2026-05-12, amount: '50000000.00', currency: EUR}\n"
        "  - {agreement: DA-0001, day: 2026-01-01, amount: '1.00', currency: GBP}\n",
        encoding="utf-8",
    )
    before = _counts(fund)
    with pytest.raises(InvalidInput) as err:
        import_receipts(fund, bad)
    problem = err.value.problems[0]
    assert (problem.file, problem.row, problem.field) == ("receipts.yaml", 2, "day")
    assert _counts(fund) == before
    booked = import_receipts(fund, SAMPLE)
    assert len(booked.booked) == 3
    booked_once = _counts(fund)
    with pytest.raises(InvalidInput) as again:  # the same statement twice books once
        import_receipts(fund, SAMPLE)
    assert again.value.problems[0].reason == "DA-0002 already has this receipt of 2026-05-12"
    assert _counts(fund) == booked_once


def test_a_bad_agreement_file_names_file_row_field_and_stores_nothing(
    rt: Runtime, tmp_path: Path
) -> None:
    path = tmp_path / "agreements.yaml"
    path.write_text(
        """agreements:
  - id: DA-0101
    contributor: GBR
    reference: R-1
    title: Fine one
    currency: GBP
    total: "100.00"
    signed: 2026-01-01
    admin_fee: "0.02"
    instalments: [{due: 2026-02-01, amount: "100.00"}]
  - id: DA-0102
    contributor: GBR
    reference: R-2
    title: Instalments short of the total
    currency: GBP
    total: "100.00"
    signed: 2026-01-01
    admin_fee: "0.02"
    instalments: [{due: 2026-02-01, amount: "90.00"}]
  - id: DA-0103
    contributor: CHE
    reference: R-1
    title: Not a contributor, an unknown area, a reference used twice
    currency: CHF
    total: "100.00"
    signed: 2026-01-01
    admin_fee: "0.02"
    earmark: {areas: [space]}
    instalments: [{due: 2026-02-01, amount: "100.00"}]
""",
        encoding="utf-8",
    )
    before = _counts(rt)
    with pytest.raises(InvalidInput) as err:
        import_agreements(rt, path)
    found = {(p.file, p.row, p.field, p.reason) for p in err.value.problems}
    assert found == {
        (
            "agreements.yaml",
            2,
            None,
            "the instalments add up to 90.00 GBP, not the total of 100.00",
        ),
        ("agreements.yaml", 3, "contributor", "unknown contributor 'CHE'"),
        ("agreements.yaml", 3, "earmark.areas", "unknown area 'space'"),
        ("agreements.yaml", 3, "reference", "reference R-1 is already recorded"),
    }
    assert _counts(rt) == before


def test_the_register_lists_both_sample_agreements_in_three_currencies(fund: Runtime) -> None:
    views = donor_register(fund)
    assert [(v.agreement.id, v.agreement.currency) for v in views] == [
        ("DA-0001", "GBP"),
        ("DA-0002", "EUR"),
    ]
    assert views[0].agreement.earmark.areas == ["health", "education"]
    assert {v.agreement.currency for v in views} | {views[0].fund_currency} == {
        "GBP",
        "EUR",
        "USD",
    }


def test_report_without_spending_holds_everything(fund: Runtime) -> None:
    import_receipts(fund, SAMPLE)
    report = donor_report(fund, "GBR")
    assert report.received == Decimal("12647983.18")
    assert report.fees == Decimal("252959.66")
    assert report.attributed == 0 and report.held == Decimal("12395023.52")
    assert "Earmarked agreements first" in report.rule


def _counts(rt: Runtime) -> dict[str, int]:
    with rt.uow() as uow:
        return table_counts(uow.session)


def test_a_reversed_receipt_is_opposed_in_the_ledger_and_unmatched(fund: Runtime) -> None:
    """EUR 50,000,000 under DA-0002 on 2026-05-12 pays its first instalment (due
    2026-04-30) and the ledger receives USD 53,525,000.00 (x 1.0705). Reversed as a
    bounced transfer: the ledger gets a receipt reversal and a pledge reversal of
    USD 53,525,000.00 each (the same rate, so no exchange difference), the contributor's
    position is back to nothing, the instalment is open (late) again, and the receipt
    stays, marked reversed with who, when and why."""
    before = ledger_view(fund).contributors.get("DEU", {})
    done = record_receipt(
        fund, "DA-0002", day=date(2026, 5, 12), amount=Decimal("50000000.00"), currency="EUR"
    )
    assert done.receipt.receipt_id == "DA-0002-1"
    assert done.instalments[0].status == "paid"
    back = reverse_receipt(fund, "DA-0002-1", reason="bounced transfer")
    assert back.reversed == Decimal("53525000.00")
    assert back.receipt.status == "reversed"
    assert back.receipt.reversal_reason == "bounced transfer"
    assert back.receipt.reversed_by == fund.actor and back.receipt.reversed_at is not None
    first = back.instalments[0]
    assert (first.status, first.paid, first.days_late) == ("open", Decimal(0), 220)
    with fund.uow() as uow:
        entries = uow.ledger.list()
    last = entries[-2:]
    assert [(e.debit.value, e.credit.value) for e in last] == [
        ("contributions_receivable", "fund_balance"),
        ("pledged", "contributions_receivable"),
    ]
    assert all(e.amount == Decimal("53525000.00") and e.fx_rate == Decimal("1.0705") for e in last)
    assert ledger_view(fund).contributors.get("DEU", {}) == before or (
        contributor_positions(entries)["DEU"].received == Decimal(0)
    )
    view = agreement_view(fund, "DA-0002")
    assert (view.received, view.received_fund, view.fees) == (Decimal(0), Decimal(0), Decimal(0))
    assert [r.status for r in view.receipts] == ["reversed"]
    assert donor_report(fund, "DEU").received == Decimal(0)
    with fund.uow() as uow:
        assert verify(uow).intact
        actions = [e.action for e in uow.audit.list()]
    assert "donor_agreement.receipt_reversed" in actions
    # the money can be booked again, correctly, and matches the instalment once more
    again = record_receipt(
        fund, "DA-0002", day=date(2026, 5, 14), amount=Decimal("50000000.00"), currency="EUR"
    )
    assert again.receipt.number == 2 and again.instalments[0].status == "paid"


def test_a_receipt_is_reversed_once(fund: Runtime) -> None:
    record_receipt(
        fund, "DA-0002", day=date(2026, 5, 12), amount=Decimal("1000000.00"), currency="EUR"
    )
    reverse_receipt(fund, "DA-0002-1", reason="wrong donor")
    counts = _counts(fund)
    with pytest.raises(Conflict, match="already reversed"):
        reverse_receipt(fund, "DA-0002-1", reason="wrong donor")
    assert _counts(fund) == counts
    with pytest.raises(NotFound):
        reverse_receipt(fund, "DA-0002-9", reason="wrong donor")
    with pytest.raises(InvalidInput, match="reason"):
        reverse_receipt(fund, "DA-0002-1", reason="  ")
    with pytest.raises(InvalidInput, match="receipt id"):
        reverse_receipt(fund, "DA-0002", reason="typo")


def test_a_reversal_is_dated_by_its_value_date(fund: Runtime) -> None:
    """The opposing entries carry the reversal's value date (``on``), not the moment it
    was typed in; without ``on`` they carry today (the fund's clock: 2026-12-06). A date
    before the receipt's own day, or after today, is refused with nothing changed."""
    for day in (date(2026, 5, 12), date(2026, 5, 13)):
        record_receipt(fund, "DA-0002", day=day, amount=Decimal("1000000.00"), currency="EUR")
    counts = _counts(fund)
    with pytest.raises(InvalidInput, match="before its receipt") as early:
        reverse_receipt(fund, "DA-0002-1", reason="wrong amount", on=date(2026, 5, 11))
    assert early.value.problems[0].field == "on"
    with pytest.raises(InvalidInput, match="future"):
        reverse_receipt(fund, "DA-0002-1", reason="wrong amount", on=date(2026, 12, 7))
    assert _counts(fund) == counts
    back = reverse_receipt(fund, "DA-0002-1", reason="wrong amount", on=date(2026, 6, 1))
    assert back.on == date(2026, 6, 1) and back.receipt.reversal_on == date(2026, 6, 1)
    with fund.uow() as uow:
        opposed = uow.ledger.list()[-2:]
    assert {e.at for e in opposed} == {datetime(2026, 6, 1, tzinfo=UTC)}
    assert all(e.memo and e.memo.startswith("reverses DA-0002 receipt 1") for e in opposed)
    # the receipt's own day is allowed; no date means today
    same_day = reverse_receipt(fund, "DA-0002-2", reason="wrong amount", on=date(2026, 5, 13))
    assert same_day.on == date(2026, 5, 13)
    record_receipt(
        fund, "DA-0002", day=date(2026, 5, 14), amount=Decimal("1000000.00"), currency="EUR"
    )
    assert reverse_receipt(fund, "DA-0002-3", reason="wrong amount").on == date(2026, 12, 6)
    with fund.uow() as uow:
        assert {e.at for e in uow.ledger.list()[-2:]} == {datetime(2026, 12, 6, tzinfo=UTC)}


def test_the_database_refuses_a_second_reversal_row(fund: Runtime) -> None:
    """Even a service that skipped the status check could not record two reversals: the
    reversal's key is the receipt's."""
    record_receipt(
        fund, "DA-0002", day=date(2026, 5, 12), amount=Decimal("1000000.00"), currency="EUR"
    )
    reverse_receipt(fund, "DA-0002-1", reason="wrong amount")
    with fund.uow() as uow:
        repo = DonorRepository(uow.session, "USD")
        assert not repo.mark_reversed("DA-0002", 1)
        with pytest.raises(IntegrityError):
            repo.add_reversal(
                "DA-0002", 1, at=datetime.now(UTC), actor="x", reason="again", ledger_entry_id=None
            )


def test_a_report_without_results_says_so_in_both_languages(fund: Runtime) -> None:
    record_receipt(
        fund, "DA-0001", day=date(2026, 12, 1), amount=Decimal("10000000.00"), currency="GBP"
    )
    report = donor_report(fund, "GBR")
    assert report.verified_results == 0 and report.projects == []
    english, russian = render_donor(report, "en"), render_donor(report, "ru")
    assert "No results are verified yet for the projects this money funds" in english
    assert "пока нет подтверждённых результатов" in russian
