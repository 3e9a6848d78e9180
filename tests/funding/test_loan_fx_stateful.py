"""Random sequences of a euro loan in a dollar ledger: tranches committed at one rate
and paid at another, then interest and principal repaid in euros at further rates,
each repayment built by ``repayment_entries_fx`` as the loan service builds it.

After every step no money is created or lost, in either currency:

* dollars: what the fund holds outside ``disbursed`` (balance, committed, released,
  frozen, returned) equals what was received, less what the payments cost at their
  rates, plus what the repayments were worth at theirs; the ledger's own invariants
  hold;
* euros: the loan's outstanding euros (paid out less principal repaid) are never
  negative, and the dollars the ledger still carries for the loan (disbursed less
  principal repaid) are never negative and are zero once no euro is outstanding.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from pfund.domain import LedgerAccount, LedgerEntry, Tranche
from pfund.domain.fx import RateUsed, convert
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
from pfund.funding.loan_entries import repayment_entries_fx
from pfund.funding.settlement import own_paid
from pfund.services.rates import share_of

A = LedgerAccount
ZERO = Decimal(0)
START = datetime(2030, 1, 1, tzinfo=UTC)
DAY = date(2030, 1, 1)
LOAN = "L1"
TRANCHES = ("L1-2030", "L1-2031")
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


class LoanFxMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.ledger = Ledger()
        self.tick = 0
        self.tranches: dict[str, Tranche] = {}
        self.received = ZERO
        self.costs = ZERO  # what the payments cost the fund at their rates
        self.back = ZERO  # what the repayments were worth at theirs
        self.paid_own = ZERO  # euros paid out to the borrower
        self.repaid_own = ZERO  # euros of principal repaid

    def _at(self) -> datetime:
        self.tick += 1
        return START + timedelta(seconds=self.tick)

    def _outstanding_fund(self) -> Decimal:
        disbursed = sum((self.ledger.balance(A.DISBURSED, t) for t in self.tranches), ZERO)
        return disbursed - self.ledger.balance(A.PRINCIPAL_REPAID, LOAN)

    @initialize(cents=st.integers(100_000_000, 10_000_000_000))
    def fund(self, cents: int) -> None:
        amount = Decimal(cents) / 100
        at = self._at()
        self.ledger = self.ledger.post_all(
            [pledge(at, amount, contributor="DEU"), receipt(at, amount, contributor="DEU")]
        )
        self.received = amount

    @rule(tranche=st.sampled_from(TRANCHES), own=euros, rate=rates)
    def commit_and_release(self, tranche: str, own: Decimal, rate: Decimal) -> None:
        if tranche in self.tranches:
            return
        amount = convert(own, rate, "USD")
        if amount <= 0 or amount > self.ledger.balance(A.FUND_BALANCE):
            return
        t = Tranche(
            id=tranche,
            project_id=LOAN,
            year=2030,
            amount=amount,
            original_amount=own,
            original_currency="EUR",
            rate=rate,
            rate_date=DAY,
        )
        at, ids = self._at(), {"project_id": LOAN, "tranche_id": t.id}
        self.ledger = self.ledger.post_all(
            [with_fx(commit(at, amount, **ids), t.fx), with_fx(release(at, amount, **ids), t.fx)]
        )
        self.tranches[tranche] = t

    @rule(tranche=st.sampled_from(TRANCHES), share=st.integers(1, 100), rate=rates)
    def pay_out(self, tranche: str, share: int, rate: Decimal) -> None:
        """Pay part of a released tranche to the borrower at ``rate``."""
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
        at, ids = self._at(), {"project_id": LOAN, "tranche_id": t.id}
        note = t.fx.model_copy(update={"fx_amount": own})
        entries = [with_fx(disburse(at, paid, **ids), note)]
        if difference:
            book = exchange_loss if difference > 0 else exchange_gain
            moved = book(at, abs(difference), project_id=LOAN, tranche_id=t.id)
            entries.append(with_fx(moved, note))
        self.ledger = self.ledger.post_all(entries)
        self.costs += cost
        self.paid_own += own

    @rule(part=st.integers(0, 110), interest=st.integers(0, 1_000_000), rate=rates)
    def repay(self, part: int, interest: int, rate: Decimal) -> None:
        """The borrower pays interest and ``part`` per cent of the outstanding euros (at
        most all of them: the service's schedule never asks for more)."""
        outstanding_own = self.paid_own - self.repaid_own
        if outstanding_own <= 0:
            return
        principal = min((outstanding_own * part / 100).quantize(Decimal("0.01")), outstanding_own)
        interest_own = Decimal(interest) / 100
        if principal <= 0 and interest_own <= 0:
            return
        used = RateUsed(base="EUR", quote="USD", rate=rate, day=DAY, asked=DAY)
        paid_out = [t for t in sorted(self.tranches) if self.ledger.balance(A.DISBURSED, t) > 0]
        entries, difference = repayment_entries_fx(
            self._at(),
            (interest_own, principal),
            used,
            project_id=LOAN,
            outstanding_fund=self._outstanding_fund(),
            outstanding_own=outstanding_own,
            tranche_id=paid_out[0] if paid_out else None,
        )
        problems = _refusals(self.ledger, entries)
        if problems:  # only a loss the fund balance cannot bear is refused
            assert all("exchange loss" in p or "fund_balance" in p for p in problems), problems
            return
        self.ledger = self.ledger.post_all(entries)
        carried = sum((e.amount for e in entries if e.credit == A.PRINCIPAL_REPAID), ZERO)
        assert carried + difference == convert(principal, rate, "USD")
        self.back += convert(interest_own, rate, "USD") + convert(principal, rate, "USD")
        self.repaid_own += principal

    # -- invariants -----------------------------------------------------------------
    @invariant()
    def no_dollar_is_created_or_lost(self) -> None:
        outside = sum((self.ledger.balance(a) for a in HELD), ZERO)
        assert outside == self.received - self.costs + self.back
        assert check_invariants(self.ledger.entries) == []

    @invariant()
    def no_euro_is_created_or_lost(self) -> None:
        assert sum((own_paid(self.ledger, t).own for t in self.tranches), ZERO) == self.paid_own
        assert self.paid_own - self.repaid_own >= 0
        carried = self._outstanding_fund()
        assert carried >= 0
        if self.tranches and self.paid_own == self.repaid_own:
            assert carried == 0


LoanFxMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
TestLoanFxMachine = LoanFxMachine.TestCase
