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

from decimal import Decimal

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from pfund.domain.fx import RateUsed, convert
from pfund.domain.ledger import FxNote
from pfund.errors import InvalidInput
from pfund.funding import check_invariants
from pfund.funding.settlement import own_paid, refund_entries_fx
from tests.funding.fx_machine import DAY, HELD, ZERO, A, EuroTranches, euros, rates, refusals

TRANCHES = {"E1": "P1", "E2": "P2", "E3": "P2"}  # P2 has two: refunds span tranches
PROJECTS = sorted(set(TRANCHES.values()))
BUCKETS = tuple(a for a in A if a not in (A.PLEDGED, A.EXCHANGE_GAIN))


class FxLedgerMachine(EuroTranches):
    def __init__(self) -> None:
        super().__init__()
        self.refund_values = ZERO  # what the refunds were worth at theirs

    @rule(tranche=st.sampled_from(sorted(TRANCHES)), own=euros, rate=rates)
    def commit_and_release(self, tranche: str, own: Decimal, rate: Decimal) -> None:
        self.commit_euros(tranche, TRANCHES[tranche], own, rate)

    @rule(tranche=st.sampled_from(sorted(TRANCHES)), share=st.integers(1, 100), rate=rates)
    def pay(self, tranche: str, share: int, rate: Decimal) -> None:
        self.pay_euros(tranche, share, rate)

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
            problems = refusals(before, entries)
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
