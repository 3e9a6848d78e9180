"""A pure double-entry ledger of the fund's money, which refuses any entry that breaks it.

The accounting model. Accounts are buckets money sits in, and every entry moves its
amount out of the credited account into the debited one. ``pledged`` is the one source
account (the fund's net assets, credit-normal); every other account is debit-normal and
can never go below zero. The movements, debit <- credit:

    pledge        contributions_receivable <- pledged                  per contributor
    receipt       fund_balance <- contributions_receivable             at most receivable
    reversals     pledged <- contributions_receivable                  a pledge taken back
                  contributions_receivable <- fund_balance             a receipt taken back
    commitment    committed <- fund_balance                            at most the balance
    release       released <- committed                                per tranche
    freeze        frozen <- committed | released                       per tranche
    unfreeze      committed | released <- frozen                       back where it came from
    disbursement  disbursed <- released                                per tranche
    return        fund_balance <- committed | released | frozen        unpaid money, back
                  returned <- disbursed                                a project refunds
                  fund_balance <- returned                             a refund re-used
    exchange      exchange_loss <- fund_balance                        paid dearer than committed
                  fund_balance <- exchange_gain                        paid cheaper than committed
    loans         fund_balance <- principal_repaid                     at most the loan outstanding
                  fund_balance <- interest_received                    per project
    guarantee     guarantee_calls <- fund_balance                      a call paid, per project

A tranche in another currency than the fund's is committed at the rate of its
commitment day; ``disbursed`` then receives the commitment-rate value of what is paid,
and the difference against the payment day's rate is one exchange entry naming the
tranche (see ``pfund.domain.fx``). ``exchange_gain`` is a second source account.

Conservation law, after every entry: the sum of the balances of all buckets equals the
balance of the sources, ``pledged`` (the total pledged, less reversed pledges) and
``exchange_gain``, and what loans brought back (``principal_repaid``,
``interest_received``; a loan's disbursement is a tranche's, see
``pfund.funding.instruments``), so money is never created or lost, only moved. Balances
are kept per contributor (``pledged``, ``contributions_receivable``), once for the fund
(``fund_balance``), per project (a loan's repayments, a guarantee's calls) and per
tranche (the rest); so "released for tranche T" is a balance, and a disbursement beyond
it is refused rather than taken from another tranche.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from pfund.domain import LedgerAccount, LedgerEntry
from pfund.domain.money import check_currency, minor_digits
from pfund.errors import InvalidInput, Problem
from pfund.funding.book import EXCHANGE, MOVEMENTS, Book, Scope, movement, scope_id, scope_of

__all__ = ["Ledger", "refusals"]


@dataclass(frozen=True)
class Ledger:
    """An append-only ledger in one currency: ``post`` returns a new ledger or refuses.

    Built from entries, it checks each in order as ``post`` would, so a ledger object
    always satisfies the accounting model.
    """

    currency: str = "USD"
    entries: tuple[LedgerEntry, ...] = ()
    _book: Book = field(default_factory=Book, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "currency", check_currency(self.currency))
        entries = tuple(self.entries)
        object.__setattr__(self, "entries", ())
        grown = self.post_all(entries)
        object.__setattr__(self, "entries", grown.entries)
        object.__setattr__(self, "_book", grown._book)

    def post(self, entry: LedgerEntry) -> Ledger:
        """This ledger with ``entry`` added; raises InvalidInput and changes nothing if not."""
        return self.post_all([entry])

    def post_all(self, entries: Iterable[LedgerEntry]) -> Ledger:
        """Post entries in order, all or none (one copy of the balances for the batch)."""
        book, added = self._book.copy(), []
        for number, entry in enumerate(entries, start=len(self.entries) + 1):
            problems = refusals(book, entry, self.currency)
            if problems:
                raise InvalidInput(f"the ledger refuses entry {number}", problems)
            book.apply(entry)
            added.append(entry)
        return self._grown((*self.entries, *added), book)

    def _grown(self, entries: tuple[LedgerEntry, ...], book: Book) -> Ledger:
        """A new ledger from checked entries, without checking them again."""
        new = object.__new__(Ledger)
        for name, value in (("currency", self.currency), ("entries", entries), ("_book", book)):
            object.__setattr__(new, name, value)
        return new

    def balance(self, account: LedgerAccount, scope: str | None = None) -> Decimal:
        """The balance of ``account`` for one contributor or tranche, or over all scopes."""
        if scope is not None:
            return self._book.balance(account, scope)
        return sum((v for (a, _), v in self._book.balances.items() if a is account), Decimal(0))

    def frozen_from(self, account: LedgerAccount, tranche_id: str) -> Decimal:
        """How much of a tranche's frozen money was frozen from ``account``."""
        return self._book.frozen_from.get((account, tranche_id), Decimal(0))

    def __len__(self) -> int:
        return len(self.entries)


def refusals(book: Book, entry: LedgerEntry, currency: str) -> list[Problem]:
    """Why ``entry`` cannot be posted on ``book`` (empty when it can)."""
    problems = _currency_problems(entry, currency)
    name = movement(entry)
    if name is None:
        return [*problems, _unknown_movement(entry)]
    problems += _scope_problems(book, entry)
    if problems:
        return problems
    return _overdraw_problems(book, entry, name)


def _currency_problems(entry: LedgerEntry, currency: str) -> list[Problem]:
    if entry.currency != currency:
        reason = f"entry is in {entry.currency} but this ledger keeps {currency}; one currency"
        return [Problem(f"{reason} per ledger", field="currency")]
    digits = minor_digits(currency)
    if entry.amount != entry.amount.quantize(Decimal(10) ** -digits):
        reason = f"amount {entry.amount} is finer than {currency}'s minor unit"
        return [Problem(f"{reason} ({digits} decimals)", field="amount")]
    return []


def _unknown_movement(entry: LedgerEntry) -> Problem:
    allowed = "; ".join(f"{n}: {c} -> {d}" for (d, c), n in MOVEMENTS.items())
    reason = f"no movement moves money from {entry.credit} to {entry.debit}; allowed: {allowed}"
    return Problem(reason, field="debit")


def _scope_problems(book: Book, entry: LedgerEntry) -> list[Problem]:
    """Contributor accounts need a contributor; tranche accounts a tranche of one project."""
    scopes = {scope_of(entry.debit), scope_of(entry.credit)}
    problems = []
    if Scope.CONTRIBUTOR in scopes and not entry.contributor:
        problems.append(Problem(f"a {movement(entry)} names its contributor", field="contributor"))
    if Scope.TRANCHE in scopes or {entry.debit, entry.credit} & EXCHANGE:
        problems += _tranche_problems(book, entry)
    if Scope.PROJECT in scopes and not entry.project_id:
        problems.append(Problem(f"a {movement(entry)} names its project", field="project_id"))
    return problems


def _tranche_problems(book: Book, entry: LedgerEntry) -> list[Problem]:
    if not entry.tranche_id or not entry.project_id:
        reason = f"a {movement(entry)} names its tranche and the tranche's project"
        return [Problem(reason, field="tranche_id")]
    known = book.projects.get(entry.tranche_id)
    if known is not None and known != entry.project_id:
        reason = f"tranche {entry.tranche_id} belongs to project {known}, not {entry.project_id}"
        return [Problem(reason, field="project_id")]
    return []


def _overdraw_problems(book: Book, entry: LedgerEntry, name: str) -> list[Problem]:
    """Refuse to take more out of an account than it holds in the entry's scope."""
    available = book.available(entry)
    if available is None or entry.amount <= available:
        return []
    cur = entry.currency
    harm = (
        "it would repay more than was lent"
        if entry.credit is LedgerAccount.PRINCIPAL_REPAID
        else f"it would leave {entry.credit} negative"
    )
    reason = (
        f"{name} of {entry.amount:,.2f} {cur} exceeds the {available:,.2f} {cur} "
        f"{_where(entry)}; {harm}"
    )
    return [Problem(reason, field="amount")]


def _where(entry: LedgerEntry) -> str:
    """Where the money would come from, in words: 'released for tranche T-1', say."""
    account, scope = entry.credit, scope_id(entry.credit, entry)
    if account is LedgerAccount.FUND_BALANCE:
        return "in the fund balance"
    if account is LedgerAccount.CONTRIBUTIONS_RECEIVABLE:
        return f"receivable from {scope}"
    if account is LedgerAccount.PRINCIPAL_REPAID:
        return f"principal outstanding on the loan of project {scope}"
    if account is LedgerAccount.FROZEN and entry.debit is not LedgerAccount.FUND_BALANCE:
        return f"frozen from {entry.debit} for tranche {scope}"
    return f"{account} for tranche {scope}"
