"""Random sequences of euro tranches in a dollar ledger: commitments at one rate,
payments at another, refunds in euros at a third, as the services build them.

After every step no money is created or lost, in either currency:

* dollars: the buckets hold exactly what was pledged and what exchange gains added, and
  what the fund holds outside ``disbursed`` (balance, committed, released, returned)
  equals what was received, less what the payments cost at their rates, plus what the
  refunds were worth at theirs;
* euros: each tranche's paid euros (read back from its entries) equal the model's paid
  less refunded, never below zero; when no euro is left paid, ``disbursed`` is empty.
  (A cent's rounding can empty ``disbursed`` a step before the euros; the refund of
  the last euro cents then books only its exchange entries.)
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from pfund.domain import LedgerAccount, LedgerEntry, Tranche
from pfund.domain.fx import RateUsed, convert
from pfund.domain.ledger import FxNote
from pfund.errors import InvalidInput
from pfund.funding import (
    Ledger,
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
from pfund.funding.settlement import own_paid, refund_entries_fx
from pfund.services.rates import share_of

A = LedgerAccount
ZERO = Decimal(0)
START = datetime(2030, 1, 1, tzinfo=UTC)
DAY = date(2030, 1, 1)
TRANCHES = {"E1": "P1", "E2": "P2", "E3": "P2"}  # P2 has two: refunds span tranches
PROJECTS = sorted(set(TRANCHES.values()))
BUCKETS = tuple(a for a in A if a not in (A.PLEDGED, A.EXCHANGE_GAIN))
HELD = (A.FUND_BALANCE, A.COMMITTED, A.RELEASED, A.FROZEN, A.RETURNED)
rates = st.sampled_from(["0.9", "1.0", "1.05", "1.08", "1.1", "1.2345", "1.5"]).map(Decimal)
euros = st.integers(1, 50_000_000).map(lambda c: Decimal(c) / 100)


def _refusals(ledger: Ledger, entries: list[LedgerEntry]) -> list[str]:
    """Why the ledger refuses ``entries`` (empty when it takes them)."""
    try:
        ledger.post_all(entries)
    except InvalidInput as exc:
        return [p.reason for p in exc.problems]
    return []


class FxLedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.ledger = Ledger()
        self.tick = 0
        self.tranches: dict[str, Tranche] = {}
        self.received = ZERO
        self.costs = ZERO  # what the payments cost the fund at their rates
        self.refund_values = ZERO  # what the refunds were worth at theirs
        self.paid: defaultdict[str, Decimal] = defaultdict(Decimal)  # euros, net

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

    @rule(tranche=st.sampled_from(sorted(TRANCHES)), own=euros, rate=rates)
    def commit_and_release(self, tranche: str, own: Decimal, rate: Decimal) -> None:
        """A euro tranche committed at ``rate`` and released (once per tranche)."""
        if tranche in self.tranches:
            return
        amount = convert(own, rate, "USD")
        if amount <= 0 or amount > self.ledger.balance(A.FUND_BALANCE):
            return
        t = Tranche(
            id=tranche,
            project_id=TRANCHES[tranche],
            year=2030,
            amount=amount,
            original_amount=own,
            original_currency="EUR",
            rate=rate,
            rate_date=DAY,
        )
        at, ids = self._at(), {"project_id": t.project_id, "tranche_id": t.id}
        self.ledger = self.ledger.post_all(
            [with_fx(commit(at, amount, **ids), t.fx), with_fx(release(at, amount, **ids), t.fx)]
        )
        self.tranches[tranche] = t

    @rule(tranche=st.sampled_from(sorted(TRANCHES)), share=st.integers(1, 100), rate=rates)
    def pay(self, tranche: str, share: int, rate: Decimal) -> None:
        """Pay part of what is released at ``rate``, as ``payment_entries`` does."""
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
        at, ids = self._at(), {"project_id": t.project_id, "tranche_id": t.id}
        note = t.fx.model_copy(update={"fx_amount": own})
        entries = [with_fx(disburse(at, paid, **ids), note)]
        difference = cost - paid
        if difference > self.ledger.balance(A.FUND_BALANCE):
            return
        if difference:
            book = exchange_loss if difference > 0 else exchange_gain
            moved = book(at, abs(difference), project_id=t.project_id, tranche_id=t.id)
            entries.append(with_fx(moved, note))
        self.ledger = self.ledger.post_all(entries)
        self.costs += cost
        self.paid[tranche] += own

    @rule(project=st.sampled_from(PROJECTS), part=st.integers(1, 120), rate=rates)
    def refund(self, project: str, part: int, rate: Decimal) -> None:
        """A partner pays euros back at ``rate``: at most what its tranches paid, net."""
        tranches = [t for t in self.tranches.values() if t.project_id == project]
        net = sum((self.paid[t.id] for t in tranches), ZERO)
        amount = max((net * part / 100).quantize(Decimal("0.01")), Decimal("0.01"))
        used = RateUsed(base="EUR", quote="USD", rate=rate, day=DAY, asked=DAY)
        before = self.ledger
        if amount > net:
            with pytest.raises(InvalidInput, match="refund above what was paid"):
                refund_entries_fx(before, tranches, amount, used, self._at(), repool=True, memo="r")
            return
        posted = False
        for repool in (False, True):
            entries = refund_entries_fx(
                before, tranches, amount, used, self._at(), repool=repool, memo="refund"
            )
            problems = _refusals(before, entries)
            if not problems:
                self.ledger = before.post_all(entries)
                posted = True
                break
            # only a loss the fund balance cannot bear yet is refused (re-pooled, it can)
            assert all("exchange loss" in p for p in problems), problems
        if not posted:
            return
        self.refund_values += convert(amount, rate, "USD")
        left = amount
        for t in sorted(tranches, key=lambda t: (t.year, t.id)):
            take = min(self.paid[t.id], left)
            self.paid[t.id] -= take
            left -= take
        assert left == 0

    # -- invariants -----------------------------------------------------------------
    @invariant()
    def no_dollar_is_created_or_lost(self) -> None:
        held = sum((self.ledger.balance(a) for a in BUCKETS), ZERO)
        assert held == self.ledger.balance(A.PLEDGED) + self.ledger.balance(A.EXCHANGE_GAIN)
        outside = sum((self.ledger.balance(a) for a in HELD), ZERO)
        assert outside == self.received - self.costs + self.refund_values
        assert check_invariants(self.ledger.entries) == []

    @invariant()
    def no_euro_is_created_or_lost(self) -> None:
        for tid in self.tranches:
            found = own_paid(self.ledger, tid)
            assert found.own == self.paid[tid] >= 0
            if found.own == 0:
                assert self.ledger.balance(A.DISBURSED, tid) == 0
            assert self.ledger.balance(A.DISBURSED, tid) >= 0


FxLedgerMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
TestFxLedgerMachine = FxLedgerMachine.TestCase


def test_fx_note_is_what_refunds_record() -> None:
    """The refund's entries carry the euros refunded and a rate, like a payment's."""
    assert set(FxNote.model_fields) == {"fx_amount", "fx_currency", "fx_rate", "fx_rate_date"}
