"""The bookkeeping under the ledger: which movements exist and the balances they leave.

A ``Book`` applies any entry it is given, legal or not; the ``Ledger`` decides what may
be posted, and the invariant check replays a book to find what went wrong. Keeping the
arithmetic in one place means both read the same balances.

Scopes: ``pledged`` and ``contributions_receivable`` are kept per contributor, the fund
balance once for the whole fund, and every other account per tranche.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from pfund.domain import LedgerAccount, LedgerEntry

__all__ = [
    "EXCHANGE",
    "MOVEMENTS",
    "SOURCE",
    "SOURCES",
    "Book",
    "Scope",
    "movement",
    "scope_id",
    "scope_of",
]

A = LedgerAccount
ZERO = Decimal(0)
SOURCE = A.PLEDGED  # the members' source account
# The credit-normal accounts, whose balance is credits less debits: what was pledged, and
# what exchange gains added. The buckets always hold exactly their sum.
SOURCES = frozenset({A.PLEDGED, A.EXCHANGE_GAIN, A.PRINCIPAL_REPAID, A.INTEREST_RECEIVED})
# The accounts of exchange differences: entries into or out of them name a tranche.
EXCHANGE = frozenset({A.EXCHANGE_LOSS, A.EXCHANGE_GAIN})


class Scope(StrEnum):
    """What an account's balance is kept for."""

    CONTRIBUTOR = "contributor"
    FUND = "fund"
    TRANCHE = "tranche"
    PROJECT = "project"  # a loan's repayments and a guarantee's calls


SCOPES = {A.PLEDGED: Scope.CONTRIBUTOR, A.CONTRIBUTIONS_RECEIVABLE: Scope.CONTRIBUTOR}
SCOPES[A.FUND_BALANCE] = Scope.FUND
SCOPES[A.EXCHANGE_LOSS] = Scope.FUND
SCOPES[A.EXCHANGE_GAIN] = Scope.FUND
SCOPES[A.PRINCIPAL_REPAID] = Scope.PROJECT
SCOPES[A.INTEREST_RECEIVED] = Scope.PROJECT
SCOPES[A.GUARANTEE_CALLS] = Scope.PROJECT

# (debit, credit) -> the name of the movement: money goes from credit into debit.
MOVEMENTS: dict[tuple[LedgerAccount, LedgerAccount], str] = {
    (A.CONTRIBUTIONS_RECEIVABLE, A.PLEDGED): "pledge",
    (A.FUND_BALANCE, A.CONTRIBUTIONS_RECEIVABLE): "receipt",
    (A.PLEDGED, A.CONTRIBUTIONS_RECEIVABLE): "pledge reversal",
    (A.CONTRIBUTIONS_RECEIVABLE, A.FUND_BALANCE): "receipt reversal",
    (A.COMMITTED, A.FUND_BALANCE): "commitment",
    (A.RELEASED, A.COMMITTED): "release",
    (A.FROZEN, A.COMMITTED): "freeze",
    (A.FROZEN, A.RELEASED): "freeze",
    (A.COMMITTED, A.FROZEN): "unfreeze",
    (A.RELEASED, A.FROZEN): "unfreeze",
    (A.DISBURSED, A.RELEASED): "disbursement",
    (A.FUND_BALANCE, A.COMMITTED): "return",
    (A.FUND_BALANCE, A.RELEASED): "return",
    (A.FUND_BALANCE, A.FROZEN): "return",
    (A.RETURNED, A.DISBURSED): "return",
    (A.FUND_BALANCE, A.RETURNED): "return",
    # a tranche paid at a dearer rate than committed: the difference leaves the fund
    (A.EXCHANGE_LOSS, A.FUND_BALANCE): "exchange loss",
    # paid at a cheaper rate: what the commitment's rate over-counted comes back
    (A.FUND_BALANCE, A.EXCHANGE_GAIN): "exchange gain",
    # a loan's principal comes back: at most what its project's tranches paid out, less
    # principal already repaid (the loan's outstanding balance, see Book.available)
    (A.FUND_BALANCE, A.PRINCIPAL_REPAID): "principal repayment",
    # a loan's interest: new money for the fund, like an exchange gain
    (A.FUND_BALANCE, A.INTEREST_RECEIVED): "interest",
    # a guarantee is called: the fund pays the guaranteed lender out of its balance
    (A.GUARANTEE_CALLS, A.FUND_BALANCE): "guarantee call",
}


def scope_of(account: LedgerAccount) -> Scope:
    return SCOPES.get(account, Scope.TRANCHE)


def scope_id(account: LedgerAccount, entry: LedgerEntry) -> str:
    """The contributor, the tranche, the project, or "" for the fund balance."""
    scope = scope_of(account)
    if scope is Scope.CONTRIBUTOR:
        return entry.contributor or ""
    if scope is Scope.PROJECT:
        return entry.project_id or ""
    return (entry.tranche_id or "") if scope is Scope.TRANCHE else ""


def movement(entry: LedgerEntry) -> str | None:
    """The name of the entry's movement, or None when the ledger has no such movement."""
    return MOVEMENTS.get((entry.debit, entry.credit))


Key = tuple[LedgerAccount, str]


@dataclass
class Book:
    """Balances by (account, scope id), in each account's natural sign.

    ``frozen_from`` splits each tranche's frozen money by the account it was frozen
    from, so an unfreeze can only put money back where it came from.
    """

    balances: defaultdict[Key, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    frozen_from: defaultdict[Key, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    projects: dict[str, str] = field(default_factory=dict)

    def copy(self) -> Book:
        balances = defaultdict(Decimal, self.balances)
        return Book(balances, defaultdict(Decimal, self.frozen_from), dict(self.projects))

    def balance(self, account: LedgerAccount, scope: str = "") -> Decimal:
        return self.balances.get((account, scope), ZERO)

    def available(self, entry: LedgerEntry) -> Decimal | None:
        """What the credited account can give up; None when it is an unlimited source."""
        if entry.credit is A.PRINCIPAL_REPAID:
            return self.outstanding(entry.project_id or "")
        if entry.credit in SOURCES:
            return None
        if entry.credit is A.FROZEN and entry.debit in (A.COMMITTED, A.RELEASED):
            return self.frozen_from.get((entry.debit, entry.tranche_id or ""), ZERO)
        return self.balance(entry.credit, scope_id(entry.credit, entry))

    def outstanding(self, project_id: str) -> Decimal:
        """A loan's principal not yet repaid: its tranches' disbursed less principal repaid."""
        paid = sum(
            (
                v
                for (a, t), v in self.balances.items()
                if a is A.DISBURSED and self.projects.get(t) == project_id
            ),
            ZERO,
        )
        return paid - self.balance(A.PRINCIPAL_REPAID, project_id)

    def apply(self, entry: LedgerEntry) -> tuple[Key, Key]:
        """Move the amount from the credited into the debited account; return both keys."""
        debit = (entry.debit, scope_id(entry.debit, entry))
        credit = (entry.credit, scope_id(entry.credit, entry))
        self.balances[debit] += -entry.amount if entry.debit in SOURCES else entry.amount
        self.balances[credit] += entry.amount if entry.credit in SOURCES else -entry.amount
        self._track_frozen(entry)
        if entry.tranche_id and entry.project_id:
            self.projects.setdefault(entry.tranche_id, entry.project_id)
        return debit, credit

    def _track_frozen(self, entry: LedgerEntry) -> None:
        tranche = entry.tranche_id or ""
        if entry.debit is A.FROZEN:
            self.frozen_from[(entry.credit, tranche)] += entry.amount
        elif entry.credit is A.FROZEN and entry.debit in (A.COMMITTED, A.RELEASED):
            self.frozen_from[(entry.debit, tranche)] -= entry.amount
        elif entry.credit is A.FROZEN:
            self._unfreeze_any(tranche, entry.amount)

    def _unfreeze_any(self, tranche: str, amount: Decimal) -> None:
        """A frozen tranche given up: take what was frozen from committed first."""
        from_committed = self.frozen_from[(A.COMMITTED, tranche)]
        taken = min(amount, max(from_committed, ZERO))
        self.frozen_from[(A.COMMITTED, tranche)] -= taken
        self.frozen_from[(A.RELEASED, tranche)] -= amount - taken
