"""Grant agreements over the store, on SQLite and PostgreSQL: the worked examples of
decommitment and refunds written out, the ceiling an amendment may not go under, and
two amendments read from one version of which only the first lands.

The setup: project AGR-P1 (approved) has three 2027 tranches of USD 1,000.00, all
committed; T1 is paid, T2 released and unpaid, T3 still planned. Its agreement is
USD 3,000.00, signed on 2027-01-20.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from pfund.domain import LedgerAccount, ProjectStatus, Tranche, TrancheStatus
from pfund.domain.agreement import AgreementStatus, Amendment, ChangeKind
from pfund.errors import Conflict, InvalidInput, PfundError
from pfund.funding import Ledger, commit
from pfund.services.agreements import (
    amend,
    cancel,
    close,
    complete,
    draw_up,
    get_agreement,
    list_agreements,
    refund,
    sign,
)
from pfund.services.audit import AuditWriter, verify
from pfund.services.funding import ledger_view, post_entries, record_contributions
from pfund.services.runtime import Runtime
from pfund.services.tranches import disburse_tranche, release_tranche
from pfund.store.repositories import table_counts
from tests.factories import make_organisation, make_project

SetToday = Callable[[date], None]
A = LedgerAccount
K = Decimal("1000.00")
P = "AGR-P1"
T1, T2, T3 = (f"{P}-2027-{i}" for i in (1, 2, 3))


@pytest.fixture
def signed(rt: Runtime, today: SetToday) -> Runtime:
    today(date(2027, 2, 1))
    record_contributions(rt, year=2023, received=True)
    project = make_project(
        P,
        area="health",
        regions=["RU-MOW"],
        proponent="ORG-G01",
        partners=["ORG-G02"],
        contacts=[],
        stage=0,
        status="approved",
    )
    tranches = [Tranche(id=t, project_id=P, year=2027, amount=K, stage=0) for t in (T1, T2, T3)]
    with rt.uow() as uow:
        uow.organisations.add_many([make_organisation("ORG-G01"), make_organisation("ORG-G02")])
        uow.projects.add(project)
        uow.tranches.add_many(tranches)
        at = datetime.now(UTC)
        post_entries(
            uow,
            AuditWriter(uow, rt.actor),
            [commit(at, K, project_id=P, tranche_id=t.id) for t in tranches],
        )
        uow.commit()
    release_tranche(rt, T1)
    disburse_tranche(rt, T1)
    release_tranche(rt, T2)
    agreement = draw_up(
        rt,
        P,
        reporting_duties="A financial report every six months",
        reporting_duties_ru="Финансовый отчёт каждые шесть месяцев",
    )
    sign(rt, agreement.id, signed_on=date(2027, 1, 20))
    return rt


def _ledger(rt: Runtime) -> Ledger:
    with rt.uow() as uow:
        return Ledger(entries=tuple(uow.ledger.list()))


def _counts(rt: Runtime) -> dict[str, int]:
    with rt.uow() as uow:
        return table_counts(uow.session)


def _project_balance(ledger: Ledger, account: LedgerAccount) -> Decimal:
    return sum((ledger.balance(account, t) for t in (T1, T2, T3)), Decimal(0))


def test_an_approved_project_becomes_a_signed_agreement(signed: Runtime) -> None:
    [line] = list_agreements(signed)
    a = line.agreement
    assert (a.id, a.project_id, a.status, a.version) == ("AGR-0001", P, AgreementStatus.SIGNED, 2)
    assert a.parties == ["ORG-G01", "ORG-G02"]
    assert (a.amount, a.currency, a.signed_on) == (Decimal("3000.00"), "USD", date(2027, 1, 20))
    assert [s.tranche_id for s in a.schedule] == [T1, T2, T3]
    assert a.reporting_duties_ru.startswith("Финансовый")
    m = line.money
    assert (m.paid, m.unpaid, m.returned, m.exposure, m.headroom) == (
        K,
        2 * K,
        Decimal(0),
        3 * K,
        Decimal(0),
    )
    assert [v.kind for v in line.versions] == [ChangeKind.DRAWN_UP, ChangeKind.SIGNED]
    with pytest.raises(Conflict, match="already has an agreement"):
        draw_up(signed, P)


def test_cancellation_decommits_what_is_unpaid_worked_example(signed: Runtime) -> None:
    """Paid 1,000.00 (T1), released 1,000.00 (T2), committed 1,000.00 (T3). Cancelling
    returns 2,000.00 to the fund balance; T1's 1,000.00 stays paid."""
    before = _ledger(signed).balance(A.FUND_BALANCE)
    done = cancel(signed, "AGR-0001", reason="The partner dissolved its project team")
    assert done.decommitted == Decimal("2000.00")
    assert done.tranches_cancelled == [T2, T3]
    ledger = _ledger(signed)
    assert ledger.balance(A.FUND_BALANCE) == before + Decimal("2000.00")
    for account in (A.COMMITTED, A.RELEASED, A.FROZEN, A.RETURNED):
        assert _project_balance(ledger, account) == 0
    assert _project_balance(ledger, A.DISBURSED) == K
    with signed.uow() as uow:
        statuses = {t.id: t.status for t in uow.tranches.list(P)}
        project = uow.projects.get(P)
        assert verify(uow).intact
    assert statuses == {
        T1: TrancheStatus.DISBURSED,
        T2: TrancheStatus.CANCELLED,
        T3: TrancheStatus.CANCELLED,
    }
    assert project is not None and project.status is ProjectStatus.CANCELLED
    assert ledger_view(signed).invariants == []
    line = get_agreement(signed, "AGR-0001")
    assert line.agreement.status is AgreementStatus.CANCELLED
    assert line.versions[-1].changes["decommitted"] == "2000.00"
    with pytest.raises(Conflict, match="is cancelled"):
        cancel(signed, "AGR-0001", reason="The partner dissolved its project team")


def test_refunds_worked_example_and_a_refund_above_what_was_paid(signed: Runtime) -> None:
    """Paid 1,000.00. A refund of 250.00 leaves paid 750.00 and returned 250.00 (the
    fund balance unchanged while the agreement is open); a clawback of 800.00 is
    refused (above the 750.00 paid net of the earlier refund) and stores nothing;
    closing re-pools the 250.00 and decommits the unpaid 2,000.00."""
    fund_before = _ledger(signed).balance(A.FUND_BALANCE)
    done = refund(signed, "AGR-0001", Decimal("250.00"), reason="Unspent balance of year one")
    assert (done.refunded, done.repooled, done.kind) == (
        Decimal("250.00"),
        Decimal(0),
        ChangeKind.REFUND,
    )
    ledger = _ledger(signed)
    assert ledger.balance(A.DISBURSED, T1) == Decimal("750.00")
    assert ledger.balance(A.RETURNED, T1) == Decimal("250.00")
    assert ledger.balance(A.FUND_BALANCE) == fund_before
    before = _counts(signed)
    with pytest.raises(InvalidInput) as refused:
        refund(
            signed,
            "AGR-0001",
            Decimal("800.00"),
            reason="Ineligible spending found by the audit",
            clawback=True,
        )
    assert "USD 800.00 is above the USD 750.00 paid to AGR-P1 net of earlier refunds" in str(
        refused.value.problems[0].reason
    )
    assert "USD 250.00 refunded before" in refused.value.problems[0].reason
    assert _counts(signed) == before
    claw = refund(
        signed, "AGR-0001", Decimal("750.00"), reason="Ineligible spending", clawback=True
    )
    assert claw.kind is ChangeKind.CLAWBACK
    complete(signed, "AGR-0001", reason="The clinic opened in June")
    closed = close(signed, "AGR-0001", reason="Final report accepted")
    assert (closed.decommitted, closed.repooled) == (Decimal("2000.00"), K)
    ledger = _ledger(signed)
    assert ledger.balance(A.FUND_BALANCE) == fund_before + 3 * K
    for account in (A.COMMITTED, A.RELEASED, A.FROZEN, A.RETURNED, A.DISBURSED):
        assert _project_balance(ledger, account) == 0
    line = get_agreement(signed, "AGR-0001")
    assert line.money.refunded == K and line.money.paid == 0
    assert [v.kind.value for v in line.versions][-4:] == [
        "refund",
        "clawback",
        "completed",
        "closed",
    ]
    assert ledger_view(signed).invariants == []


def test_a_refund_on_a_closed_agreement_rejoins_the_fund_at_once(signed: Runtime) -> None:
    complete(signed, "AGR-0001", reason="The clinic opened in June")
    close(signed, "AGR-0001", reason="Final report accepted")
    before = _ledger(signed).balance(A.FUND_BALANCE)
    done = refund(signed, "AGR-0001", Decimal("100.00"), reason="Late refund of interest")
    assert done.repooled == Decimal("100.00")
    ledger = _ledger(signed)
    assert ledger.balance(A.FUND_BALANCE) == before + Decimal("100.00")
    assert ledger.balance(A.RETURNED, T1) == 0


def test_an_amendment_under_what_is_paid_and_owed_is_refused(signed: Runtime) -> None:
    before = _counts(signed)
    with pytest.raises(InvalidInput) as refused:
        amend(signed, "AGR-0001", Amendment(version=2, reason="Budget cut", amount=Decimal("2500")))
    reason = refused.value.problems[0].reason
    assert "amount USD 2,500.00 is below the USD 3,000.00 the project is paid and owed" in reason
    assert "(paid 1,000.00, unpaid 2,000.00)" in reason
    assert _counts(signed) == before
    up = amend(
        signed, "AGR-0001", Amendment(version=2, reason="Second clinic", amount=Decimal("3500"))
    )
    assert up.kind is ChangeKind.AMENDED and up.agreement.version == 3
    ext = amend(
        signed,
        "AGR-0001",
        Amendment(version=3, reason="Delays in construction", ends_on=date(2029, 6, 30)),
    )
    assert ext.kind is ChangeKind.EXTENDED
    line = get_agreement(signed, "AGR-0001")
    assert line.money.headroom == Decimal("500.00")
    assert line.versions[2].changes == {"amount": "3000.00 -> 3500.00"}
    assert line.versions[3].changes == {"ends_on": "None -> 2029-06-30"}
    with pytest.raises(Conflict, match="at version 4, not 2"):
        amend(signed, "AGR-0001", Amendment(version=2, reason="Stale change", amount=K * 5))


def test_two_amendments_read_from_one_version_only_one_lands(signed: Runtime) -> None:
    n = 4
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def amend_once(i: int) -> None:
        barrier.wait()
        try:
            amend(
                signed,
                "AGR-0001",
                Amendment(version=2, reason=f"Amendment {i} of many", amount=K * (4 + i)),
            )
            outcomes.append("ok")
        except PfundError as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=amend_once, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["Conflict"] * (n - 1) + ["ok"]
    line = get_agreement(signed, "AGR-0001")
    assert line.agreement.version == 3
    assert [v.version for v in line.versions] == [1, 2, 3]
    with signed.uow() as uow:
        assert verify(uow).intact


def test_two_concurrent_refunds_cannot_both_take_the_same_payment(signed: Runtime) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def refund_once() -> None:
        barrier.wait()
        try:
            refund(signed, "AGR-0001", Decimal("600.00"), reason="Unspent balance returned")
            outcomes.append("ok")
        except PfundError as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=refund_once) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["InvalidInput", "ok"]
    assert _ledger(signed).balance(A.DISBURSED, T1) == Decimal("400.00")


def test_a_change_without_its_reason_or_in_the_wrong_status_stores_nothing(
    signed: Runtime,
) -> None:
    before = _counts(signed)
    with pytest.raises(InvalidInput, match="reason"):
        cancel(signed, "AGR-0001", reason="short")
    with pytest.raises(Conflict, match="needs it completed"):
        close(signed, "AGR-0001", reason="Final report accepted")
    with pytest.raises(Conflict, match="needs it draft"):
        sign(signed, "AGR-0001", signed_on=date(2027, 1, 21))
    with pytest.raises(InvalidInput, match="positive amount"):
        refund(signed, "AGR-0001", Decimal("-5"), reason="Unspent balance returned")
    assert _counts(signed) == before
