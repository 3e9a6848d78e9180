"""Currencies over the store, on both databases: rates imported all or nothing, a project
in euros committed and paid in a dollar fund at recorded rates, exchange differences
booked in the ledger, and a payment without a rate refused with nothing stored.

The rates below are test figures (not the ECB's), chosen so the arithmetic is plain.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from pfund.domain import LedgerAccount, TrancheStatus
from pfund.errors import InvalidInput
from pfund.funding import Ledger, check_invariants
from pfund.services import gate as money_gate
from pfund.services.appraisal import load_inputs
from pfund.services.audit import AuditWriter
from pfund.services.funding import record_contributions
from pfund.services.imports import store_records
from pfund.services.rates import RATE_MISSING, import_rates, list_rates, show_rate
from pfund.services.records import save_record
from pfund.services.runtime import Runtime
from pfund.services.tranches import approve, disburse_tranche, list_tranches, release_tranche
from pfund.store.repositories import table_counts
from tests.factories import make_organisation, make_project

A = LedgerAccount
D = Decimal
RATES = """Date,USD,GBP,
2024-07-05,1.0500,0.8400,
2024-07-03,1.1000,0.8500,
2024-07-01,1.0800,0.8400,
"""


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def on_day(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(money_gate, "today", lambda: day)


@pytest.fixture
def fund(rt: Runtime, tmp_path: Path) -> Runtime:
    """A dollar fund that allows rates 4 days old, with money received and the rates."""
    with rt.uow() as uow:
        stored = uow.fund.get()
        assert stored is not None and stored.currency == "USD"
        uow.fund.put(stored.model_copy(update={"rate_max_age_days": 4}))
        store_records(
            uow, AuditWriter(uow, rt.actor), "organisations", [make_organisation()], source="test"
        )
        uow.commit()
    record_contributions(rt, year=2023, received=True)
    import_rates(rt, write(tmp_path, "rates.csv", RATES), source="test rates")
    return rt


def approve_euro_project(rt: Runtime, project_id: str) -> str:
    """A project costing EUR 1,000,000.00 in 2024 (stage 0), chosen and approved."""
    project = make_project(
        project_id,
        currency="EUR",
        stage=0,
        partners=[],
        contacts=[],
        costs={2024: {"capital": ["900000", "1000000", "1200000"]}},
        benefits={"savings": {"per_year": [100000, 200000, 300000], "from": 2025, "years": 10}},
    )
    with rt.uow() as uow:
        store_records(uow, AuditWriter(uow, rt.actor), "projects", [project], source="test")
        uow.commit()
    record = save_record(
        rt,
        kind="portfolio",
        inputs={},
        parameters={},
        status="optimal",
        result={"selected": [project_id]},
    )
    approve(rt, record.id)
    (tranche,) = list_tranches(rt, project_id)
    return tranche.id


def stored_ledger(rt: Runtime) -> Ledger:
    """The ledger as the store holds it (shared by the FX tests of refunds and loans)."""
    with rt.uow() as uow:
        return Ledger(entries=tuple(uow.ledger.list()))


def row_counts(rt: Runtime) -> dict[str, int]:
    """Rows in every table: what "nothing stored" is checked against."""
    with rt.uow() as uow:
        return table_counts(uow.session)


def ledger_sound(rt: Runtime) -> None:
    with rt.uow() as uow:
        entries = uow.ledger.list()
    assert check_invariants(entries) == []


def stored_balance(rt: Runtime, account: LedgerAccount) -> int:
    """The database's own balance (kept by its trigger), in cents."""
    with rt.uow() as uow:
        found = uow.session.execute(
            text("SELECT balance_minor FROM ledger_balances WHERE account = :a AND scope = ''"),
            {"a": account.value},
        ).scalar()
    return int(found or 0)


def test_a_project_in_euros_is_committed_and_paid_at_recorded_rates_with_an_exchange_loss(
    fund: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worked example, written out:

    committed on 2024-07-01 at EUR 1 = USD 1.0800:
        EUR 1,000,000.00 x 1.0800 = USD 1,080,000.00 (fund balance -> committed)
    paid on 2024-07-03 at EUR 1 = USD 1.1000:
        EUR 1,000,000.00 x 1.1000 = USD 1,100,000.00 is what the payment costs;
        disbursed USD 1,080,000.00 (released -> disbursed, at the commitment's rate)
        exchange loss USD 1,100,000.00 - 1,080,000.00 = USD 20,000.00 (fund balance -> loss)
    """
    on_day(monkeypatch, date(2024, 7, 1))
    tid = approve_euro_project(fund, "ENV-EUR-01")
    (tranche,) = list_tranches(fund, "ENV-EUR-01")
    assert (tranche.amount, tranche.currency) == (D("1080000.00"), "USD")
    assert (tranche.original_amount, tranche.original_currency) == (D("1000000.00"), "EUR")
    assert (tranche.rate, tranche.rate_date, tranche.rate_source) == (
        D("1.08"),
        date(2024, 7, 1),
        "test rates",
    )
    with fund.uow() as uow:
        before = uow.ledger.list()
    committed = before[-1]
    assert committed.debit is A.COMMITTED and committed.amount == D("1080000.00")
    assert committed.fx is not None
    assert (committed.fx_amount, committed.fx_currency, committed.fx_rate) == (
        D("1000000.00"),
        "EUR",
        D("1.08"),
    )
    held = sum((e.amount for e in before if e.debit is A.FUND_BALANCE), D(0)) - sum(
        (e.amount for e in before if e.credit is A.FUND_BALANCE), D(0)
    )

    release_tranche(fund, tid)
    on_day(monkeypatch, date(2024, 7, 3))
    step = disburse_tranche(fund, tid)
    assert step.amount == D("1080000.00")
    assert (step.original_amount, step.original_currency) == (D("1000000.00"), "EUR")
    assert (step.rate, step.rate_date, step.cost) == (D("1.1"), date(2024, 7, 3), D("1100000.00"))
    assert step.exchange_difference == D("20000.00")

    with fund.uow() as uow:
        paid = uow.ledger.list(tranche_id=tid)[-2:]
    assert [(e.debit, e.credit, e.amount) for e in paid] == [
        (A.DISBURSED, A.RELEASED, D("1080000.00")),
        (A.EXCHANGE_LOSS, A.FUND_BALANCE, D("20000.00")),
    ]
    assert paid[0].fx_rate == D("1.08") and paid[1].fx_rate == D("1.1")
    assert paid[1].fx_rate_date == date(2024, 7, 3)
    assert stored_balance(fund, A.EXCHANGE_LOSS) == 2_000_000  # USD 20,000.00 in cents
    # the fund balance paid 1,080,000.00 at commitment and 20,000.00 now: 1,100,000.00
    assert stored_balance(fund, A.FUND_BALANCE) == int((held - D("20000.00")) * 100)
    ledger_sound(fund)


def test_paying_at_a_cheaper_rate_books_an_exchange_gain(
    fund: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """committed 2024-07-03 at 1.1000: EUR 1,000,000.00 = USD 1,100,000.00;
    paid on Saturday 2024-07-06, when no rate was published: the rate of Friday
    2024-07-05 (1.0500, one day old, within the 4 allowed) is used and stated:
    EUR 1,000,000.00 x 1.0500 = USD 1,050,000.00, so USD 50,000.00 of the commitment
    returns to the fund balance as an exchange gain (exchange_gain -> fund balance)."""
    on_day(monkeypatch, date(2024, 7, 3))
    tid = approve_euro_project(fund, "ENV-EUR-02")
    release_tranche(fund, tid)
    on_day(monkeypatch, date(2024, 7, 6))
    step = disburse_tranche(fund, tid)
    assert (step.rate, step.rate_date, step.cost) == (D("1.05"), date(2024, 7, 5), D("1050000.00"))
    assert step.exchange_difference == D("-50000.00")
    with fund.uow() as uow:
        gain = uow.ledger.list(tranche_id=tid)[-1]
    assert (gain.debit, gain.credit, gain.amount) == (
        A.FUND_BALANCE,
        A.EXCHANGE_GAIN,
        D("50000.00"),
    )
    # credit-normal in the database too: a positive balance, never refused as negative
    assert stored_balance(fund, A.EXCHANGE_GAIN) == 5_000_000
    ledger_sound(fund)


def test_a_payment_without_a_recent_rate_is_refused_and_nothing_is_stored(
    fund: Runtime, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    on_day(monkeypatch, date(2024, 7, 1))
    tid = approve_euro_project(fund, "ENV-EUR-03")
    release_tranche(fund, tid)
    with fund.uow() as uow:
        before = len(uow.ledger.list())
    on_day(monkeypatch, date(2024, 7, 20))  # the latest rate (07-05) is 15 days old
    with pytest.raises(InvalidInput) as info:
        disburse_tranche(fund, tid)
    (problem,) = info.value.problems
    assert problem.code == RATE_MISSING
    assert "no EUR->USD rate for 2024-07-20 or the 4 days before it" in problem.reason
    assert "the latest is of 2024-07-05" in problem.reason
    assert "pfund rates import" in problem.reason
    with fund.uow() as uow:
        assert len(uow.ledger.list()) == before
    assert list_tranches(fund, "ENV-EUR-03")[0].status is TrancheStatus.RELEASED
    # with the day's rate imported, the same payment goes through
    import_rates(fund, write(tmp_path, "later.csv", "Date,USD,\n2024-07-19,1.0800,\n"))
    assert disburse_tranche(fund, tid).exchange_difference == D(0)
    ledger_sound(fund)


def test_approval_without_a_rate_is_refused_and_commits_nothing(
    fund: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_day(monkeypatch, date(2024, 6, 1))  # before any stored rate
    with pytest.raises(InvalidInput, match="cannot convert EUR to USD"):
        approve_euro_project(fund, "ENV-EUR-04")
    assert list_tranches(fund, "ENV-EUR-04") == []


def test_rates_file_is_stored_all_or_nothing(fund: Runtime, tmp_path: Path) -> None:
    assert len(list_rates(fund)) == 6
    bad = write(
        tmp_path,
        "bad.csv",
        "Date,USD,GBP,\n2024-07-09,1.0900,,\n2024-07-08,-1.0,0.85,\n2024-07-10,1.07,0.84,\n",
    )
    with pytest.raises(InvalidInput) as info:
        import_rates(fund, bad)
    where = {(p.file, p.row, p.field) for p in info.value.problems}
    assert where == {("bad.csv", 2, "GBP"), ("bad.csv", 3, "USD")}
    assert len(list_rates(fund)) == 6  # not even 2024-07-10, which was fine
    # a rate that disagrees with one stored refuses the whole file
    moved = write(tmp_path, "moved.csv", "Date,USD,\n2024-07-11,1.07,\n2024-07-01,1.0900,\n")
    with pytest.raises(InvalidInput, match="rates disagree") as info:
        import_rates(fund, moved)
    assert "2024-07-01 EUR->USD is 1.0900 here but 1.0800 is stored" in (
        info.value.problems[0].reason
    )
    assert len(list_rates(fund)) == 6
    # the same file again changes nothing
    again = import_rates(fund, write(tmp_path, "rates.csv", RATES))
    assert (again.added, again.unchanged) == (0, 6)


def test_a_cross_rate_goes_through_the_euro_and_is_stated(fund: Runtime) -> None:
    """GBP -> USD on 2024-07-03: (EUR->USD) / (EUR->GBP) = 1.1000 / 0.8500
    = 1.2941176470588... rounded half to even to 10 places: 1.2941176471;
    GBP 1,000.00 x 1.2941176471 = USD 1,294.1176471 -> USD 1,294.12."""
    shown = show_rate(fund, "GBP", day=date(2024, 7, 3), amount=D("1000.00"))
    assert shown.rate.rate == D("1.2941176471")
    assert shown.converted == D("1294.12")
    assert shown.stated == "GBP 1 = USD 1.2941176471 (test rates rate of 2024-07-03)"
    weekend = show_rate(fund, "EUR", day=date(2024, 7, 7))
    assert weekend.stated.endswith("rate of 2024-07-05, the latest published before 2024-07-07)")


def test_the_appraisal_sees_a_euro_project_in_dollars_with_the_rate_stated(
    fund: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_day(monkeypatch, date(2024, 7, 3))
    project = make_project("ENV-EUR-05", currency="EUR", partners=[], contacts=[])
    with fund.uow() as uow:
        store_records(uow, AuditWriter(uow, fund.actor), "projects", [project], source="test")
        uow.commit()
    inputs = load_inputs(fund)
    (seen,) = [p for p in inputs.projects if p.id == "ENV-EUR-05"]
    # EUR 45,000,000 likely capital in 2028 x 1.1000 = USD 49,500,000.00
    assert seen.currency == "USD"
    assert seen.likely_cost_by_year()[2028] == D("49500000.00")
    assert inputs.conversions["EUR"].rate == D("1.1")
    assert "EUR 1 = USD 1.1" in inputs.conversions["EUR"].stated()
