"""What the ledger's foreign-currency state machines share: a dollar fund funded once,
euro tranches committed at one rate and paid at another, as the services build them.
The machines (``test_ledger_fx_stateful``, ``test_loan_fx_stateful``) add their own
steps (refunds, loan repayments) and invariants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize

from pfund.domain import LedgerAccount, LedgerEntry, Tranche
from pfund.domain.fx import convert
from pfund.errors import InvalidInput
from pfund.funding import (
    Ledger,
    commit,
    disburse,
    exchange_gain,
    exchange_loss,
    pledge,
    receipt,
    release,
    with_fx,
)
from pfund.services.rates import share_of

A = LedgerAccount
ZERO = Decimal(0)
START = datetime(2030, 1, 1, tzinfo=UTC)
DAY = date(2030, 1, 1)
HELD = (A.FUND_BALANCE, A.COMMITTED, A.RELEASED, A.FROZEN, A.RETURNED)
rates = st.sampled_from(["0.9", "1.0", "1.05", "1.08", "1.1", "1.2345", "1.5"]).map(Decimal)
euros = st.integers(1, 50_000_000).map(lambda c: Decimal(c) / 100)


def refusals(ledger: Ledger, entries: list[LedgerEntry]) -> list[str]:
    """Why the ledger refuses ``entries`` (empty when it takes them)."""
    try:
        ledger.post_all(entries)
    except InvalidInput as exc:
        return [p.reason for p in exc.problems]
    return []


class EuroTranches(RuleBasedStateMachine):
    """A dollar ledger, funded once, with euro tranches; ``paid`` holds each tranche's
    euros paid out (net of what a subclass takes back), ``costs`` what the payments
    cost the fund at their rates."""

    def __init__(self) -> None:
        super().__init__()
        self.ledger = Ledger()
        self.tick = 0
        self.tranches: dict[str, Tranche] = {}
        self.received = ZERO
        self.costs = ZERO
        self.paid: dict[str, Decimal] = {}

    def _at(self) -> datetime:
        """Every step its own time: a payment's exchange entry shares the payment's."""
        self.tick += 1
        return START + timedelta(seconds=self.tick)

    @initialize(cents=st.integers(100_000_000, 10_000_000_000))
    def fund(self, cents: int) -> None:
        amount = Decimal(cents) / 100
        at = self._at()
        self.ledger = self.ledger.post_all(
            [pledge(at, amount, contributor="DEU"), receipt(at, amount, contributor="DEU")]
        )
        self.received = amount

    def commit_euros(self, tranche: str, project: str, own: Decimal, rate: Decimal) -> None:
        """A euro tranche committed at ``rate`` and released (once per tranche)."""
        if tranche in self.tranches:
            return
        amount = convert(own, rate, "USD")
        if amount <= 0 or amount > self.ledger.balance(A.FUND_BALANCE):
            return
        t = Tranche(
            id=tranche,
            project_id=project,
            year=2030,
            amount=amount,
            original_amount=own,
            original_currency="EUR",
            rate=rate,
            rate_date=DAY,
        )
        at, ids = self._at(), {"project_id": project, "tranche_id": t.id}
        self.ledger = self.ledger.post_all(
            [with_fx(commit(at, amount, **ids), t.fx), with_fx(release(at, amount, **ids), t.fx)]
        )
        self.tranches[tranche] = t
        self.paid[tranche] = ZERO

    def pay_euros(self, tranche: str, share: int, rate: Decimal) -> None:
        """Pay ``share`` per cent of what is released at ``rate``, as
        ``payment_entries`` does: the disbursement at the commitment rate, the
        difference as an exchange entry of the same time."""
        t = self.tranches.get(tranche)
        if t is None:
            return
        left = self.ledger.balance(A.RELEASED, tranche)
        paid = max((left * share / 100).quantize(Decimal("0.01")), Decimal("0.01"))
        if left <= 0 or paid > left:
            return
        assert t.original_amount is not None and t.fx is not None
        own = share_of(t.original_amount, paid, t.amount, "EUR")
        if own <= 0:
            return
        cost = convert(own, rate, "USD")
        difference = cost - paid
        if difference > self.ledger.balance(A.FUND_BALANCE):
            return
        at = self._at()
        note = t.fx.model_copy(update={"fx_amount": own})
        entries = [with_fx(disburse(at, paid, project_id=t.project_id, tranche_id=t.id), note)]
        if difference:
            book = exchange_loss if difference > 0 else exchange_gain
            moved = book(at, abs(difference), project_id=t.project_id, tranche_id=t.id)
            entries.append(with_fx(moved, note))
        self.ledger = self.ledger.post_all(entries)
        self.costs += cost
        self.paid[tranche] += own
