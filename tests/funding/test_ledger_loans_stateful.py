"""The ledger's state machine extended with loans and guarantees (issue 17, point 6).

Every movement of ``test_ledger_stateful`` still runs, and a loan's project may now
repay principal (never more than its tranches paid out less principal already repaid),
pay interest (new money, like an exchange gain) and have a guarantee called (out of the
fund balance, never more than it holds). The conservation law gains the two new sources:
the buckets hold exactly what was pledged, gained on exchange, repaid and earned as
interest, so no money is created or lost.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from pfund.domain import LedgerAccount
from pfund.funding import check_invariants
from pfund.funding.book import SOURCES
from pfund.funding.loan_entries import guarantee_call, interest_income, principal_repayment
from tests.funding.test_ledger_stateful import AT, TRANCHES, ZERO, Drawn, LedgerMachine, amounts

A = LedgerAccount
projects = st.sampled_from(sorted(set(TRANCHES.values())))


class LoanLedgerMachine(LedgerMachine):
    def __init__(self) -> None:
        super().__init__()
        self.repaid: defaultdict[str, Decimal] = defaultdict(Decimal)
        self.interest = ZERO

    def _outstanding(self, project: str) -> Decimal:
        lent = sum(
            (self.model[("disbursed", t)] for t, p in TRANCHES.items() if p == project), ZERO
        )
        return lent - self.repaid[project]

    @rule(project=projects, drawn=amounts)
    def repay_principal(self, project: str, drawn: Drawn) -> None:
        available = self._outstanding(project)
        amount = self._amount(drawn, max(available, ZERO))
        if self._post(principal_repayment(AT, amount, project_id=project), available):
            self.repaid[project] += amount
            self.model[("fund", "")] += amount

    @rule(project=projects, drawn=st.integers(1, 300_000))
    def receive_interest(self, project: str, drawn: int) -> None:
        amount = Decimal(drawn) / 100
        self._post(interest_income(AT, amount, project_id=project), available=amount)
        self.interest += amount
        self.model[("fund", "")] += amount

    @rule(project=projects, drawn=amounts)
    def call_guarantee(self, project: str, drawn: Drawn) -> None:
        available = self.model[("fund", "")]
        amount = self._amount(drawn, available)
        if self._post(guarantee_call(AT, amount, project_id=project), available):
            self._move(("fund", ""), ("guarantee_calls", project), amount)

    @rule(project=projects, number=st.integers(1, 300_000))
    def lend_and_be_repaid(self, project: str, number: int) -> None:
        """Pay a tranche of the project, then take part of it back as principal."""
        tranche = next(t for t, p in TRANCHES.items() if p == project)
        self.pay_in_one_go(tranche, number)
        self.repay_principal(project, ("part", number))

    @rule(drawn=st.integers(1, 1000))
    def loan_movement_without_its_project_is_refused(self, drawn: int) -> None:
        self._post(principal_repayment(AT, Decimal(drawn), project_id=""), available=ZERO)
        self._post(guarantee_call(AT, Decimal(drawn), project_id=""), available=ZERO)

    @invariant()
    def money_is_never_created_or_lost(self) -> None:
        held = sum((self.ledger.balance(a) for a in A if a not in SOURCES), ZERO)
        repaid = sum(self.repaid.values(), ZERO)
        assert self.ledger.balance(A.PRINCIPAL_REPAID) == repaid
        assert self.ledger.balance(A.INTEREST_RECEIVED) == self.interest
        assert held == self.pledged + self.gained + repaid + self.interest

    @invariant()
    def nothing_is_paid_beyond_its_commitment_or_the_money_received(self) -> None:
        """What loans brought back may be lent again: it counts as money received."""
        for tranche in TRANCHES:
            assert ZERO <= self.flows[("disbursed", tranche)] <= self.flows[("committed", tranche)]
        received = sum(
            (e.amount for e in self.ledger.entries if e.credit is A.CONTRIBUTIONS_RECEIVABLE),
            ZERO,
        )
        back = sum(self.repaid.values(), ZERO) + self.interest + self.gained
        assert sum(self.flows[("disbursed", t)] for t in TRANCHES) <= received + back

    @invariant()
    def no_loan_is_repaid_beyond_what_it_lent(self) -> None:
        for project, repaid in self.repaid.items():
            assert self.ledger.balance(A.PRINCIPAL_REPAID, project) == repaid
        assert check_invariants(self.ledger.entries) == []


LoanLedgerMachine.TestCase.settings = settings(
    max_examples=100, stateful_step_count=40, deadline=None
)
TestLoanLedgerMachine = LoanLedgerMachine.TestCase
