"""Random sequences of a euro loan and a euro guarantee in a dollar ledger: tranches
committed at one rate and paid at another, then interest and principal repaid in euros
at further rates, each repayment built by ``repayment_entries_fx`` as the loan service
builds it, and guarantee calls paid in euros at their day's rate.

After every step no money is created or lost, in either currency:

* dollars: what the fund holds outside ``disbursed`` (balance, committed, released,
  frozen, returned) equals what was received, less what the payments cost at their
  rates, plus what the repayments were worth at theirs, less what the calls cost at
  theirs (all of it in ``guarantee_calls``); the ledger's own invariants hold;
* euros: the loan's outstanding euros (paid out less principal repaid) are never
  negative, and the dollars the ledger still carries for the loan (disbursed less
  principal repaid) are never negative and are zero once no euro is outstanding.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from pfund.domain.fx import RateUsed, convert
from pfund.domain.ledger import FxNote
from pfund.funding import check_invariants, with_fx
from pfund.funding.loan_entries import guarantee_call, repayment_entries_fx
from pfund.funding.settlement import own_paid
from tests.funding.fx_machine import DAY, HELD, ZERO, A, EuroTranches, euros, rates, refusals

LOAN = "L1"
TRANCHES = ("L1-2030", "L1-2031")


class LoanFxMachine(EuroTranches):
    def __init__(self) -> None:
        super().__init__()
        self.back = ZERO  # what the repayments were worth at their rates
        self.repaid_own = ZERO  # euros of principal repaid
        self.called = ZERO  # what guarantee calls in euros cost at their rates

    @property
    def paid_own(self) -> Decimal:
        """Euros paid out to the borrower."""
        return sum(self.paid.values(), ZERO)

    def _outstanding_fund(self) -> Decimal:
        disbursed = sum((self.ledger.balance(A.DISBURSED, t) for t in self.tranches), ZERO)
        return disbursed - self.ledger.balance(A.PRINCIPAL_REPAID, LOAN)

    @rule(tranche=st.sampled_from(TRANCHES), own=euros, rate=rates)
    def commit_and_release(self, tranche: str, own: Decimal, rate: Decimal) -> None:
        self.commit_euros(tranche, LOAN, own, rate)

    @rule(tranche=st.sampled_from(TRANCHES), share=st.integers(1, 100), rate=rates)
    def pay_out(self, tranche: str, share: int, rate: Decimal) -> None:
        self.pay_euros(tranche, share, rate)

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
        problems = refusals(self.ledger, entries)
        if problems:  # only a loss the fund balance cannot bear is refused
            assert all("exchange loss" in p or "fund_balance" in p for p in problems), problems
            return
        self.ledger = self.ledger.post_all(entries)
        carried = sum((e.amount for e in entries if e.credit == A.PRINCIPAL_REPAID), ZERO)
        assert carried + difference == convert(principal, rate, "USD")
        self.back += convert(interest_own, rate, "USD") + convert(principal, rate, "USD")
        self.repaid_own += principal

    @rule(own=euros, rate=rates)
    def call_guarantee(self, own: Decimal, rate: Decimal) -> None:
        """A euro guarantee of the project is called and paid at ``rate``, as
        ``services.instruments.call_guarantee`` builds it."""
        paid = convert(own, rate, "USD")
        if paid > self.ledger.balance(A.FUND_BALANCE):
            return
        note = FxNote(fx_amount=own, fx_currency="EUR", fx_rate=rate, fx_rate_date=DAY)
        entry = with_fx(guarantee_call(self._at(), paid, project_id=LOAN), note)
        self.ledger = self.ledger.post_all([entry])
        self.called += paid

    # -- invariants -----------------------------------------------------------------
    @invariant()
    def no_dollar_is_created_or_lost(self) -> None:
        outside = sum((self.ledger.balance(a) for a in HELD), ZERO)
        assert outside == self.received - self.costs + self.back - self.called
        assert self.ledger.balance(A.GUARANTEE_CALLS) == self.called
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
