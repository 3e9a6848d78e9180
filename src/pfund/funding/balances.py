"""Balances of a ledger's entries by account, tranche, project and contributor, and the
invariants any sequence of entries must keep.

These read plain entries (one ledger's, in one currency), so they also work on entries
loaded from the store that never went through a ``Ledger``; ``check_invariants`` is the
audit of such a list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pfund.domain import LedgerAccount, LedgerEntry
from pfund.funding.book import SOURCES, Book, Scope, movement, scope_of

__all__ = [
    "ContributorPosition",
    "account_balances",
    "check_invariants",
    "contributor_positions",
    "project_balances",
    "tranche_balances",
]

A = LedgerAccount
ZERO = Decimal(0)
TRANCHE_ACCOUNTS = tuple(a for a in A if scope_of(a) is Scope.TRANCHE)


def _book(entries: Iterable[LedgerEntry]) -> Book:
    book = Book()
    for entry in entries:
        book.apply(entry)
    return book


def account_balances(entries: Iterable[LedgerEntry]) -> dict[LedgerAccount, Decimal]:
    """Every account's balance over all its scopes (the sources as credits less debits)."""
    totals = dict.fromkeys(A, ZERO)
    for (account, _), value in _book(entries).balances.items():
        totals[account] += value
    return totals


def tranche_balances(entries: Iterable[LedgerEntry]) -> dict[str, dict[LedgerAccount, Decimal]]:
    """For each tranche, the balance of each account kept per tranche."""
    out: dict[str, dict[LedgerAccount, Decimal]] = {}
    for (account, scope), value in _book(entries).balances.items():
        if scope_of(account) is Scope.TRANCHE:
            out.setdefault(scope, dict.fromkeys(TRANCHE_ACCOUNTS, ZERO))[account] += value
    return out


def project_balances(entries: Iterable[LedgerEntry]) -> dict[str, dict[LedgerAccount, Decimal]]:
    """For each project, its tranches' balances added up."""
    entries = list(entries)
    project_of = {e.tranche_id: e.project_id for e in entries if e.tranche_id and e.project_id}
    out: dict[str, dict[LedgerAccount, Decimal]] = {}
    for tranche, balances in tranche_balances(entries).items():
        row = out.setdefault(project_of.get(tranche, ""), dict.fromkeys(TRANCHE_ACCOUNTS, ZERO))
        for account, value in balances.items():
            row[account] += value
    return out


@dataclass(frozen=True)
class ContributorPosition:
    """What a member has pledged, what the fund has received and what is still owed."""

    pledged: Decimal
    received: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.pledged - self.received


def contributor_positions(entries: Iterable[LedgerEntry]) -> dict[str, ContributorPosition]:
    """Pledged and received per contributor, from the pledge and receipt entries."""
    sums: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for entry in entries:
        name = movement(entry) or ""
        kind, _, reversal = name.partition(" ")
        if kind in ("pledge", "receipt") and entry.contributor:
            sums[(entry.contributor, kind)] += -entry.amount if reversal else entry.amount
    members = sorted({member for member, _ in sums})
    return {m: ContributorPosition(sums[(m, "pledge")], sums[(m, "receipt")]) for m in members}


def check_invariants(entries: Sequence[LedgerEntry]) -> list[str]:
    """Everything wrong with a sequence of entries; empty when it is a sound ledger.

    Sound means: one currency; only known movements; total debits equal total credits
    (every bucket's balance adds up to ``pledged``); no account of any contributor,
    tranche or the fund ever below zero, the fund balance included; and for each tranche,
    at every point, disbursed <= released <= committed, counting what has reached each
    stage (money released is also committed, money disbursed is also released).
    """
    book, found = Book(), []
    for number, entry in enumerate(entries, start=1):
        found += _entry_faults(number, entry, entries[0].currency)
        touched = book.apply(entry)
        found += _negatives(number, book, touched)
        if entry.tranche_id:
            found += _stage_faults(number, book, entry.tranche_id)
    found += _balance_faults(book)
    return found


def _entry_faults(number: int, entry: LedgerEntry, currency: str) -> list[str]:
    faults = []
    if entry.currency != currency:
        faults.append(f"entry {number}: currency {entry.currency} differs from {currency}")
    if movement(entry) is None:
        faults.append(f"entry {number}: no movement from {entry.credit} to {entry.debit}")
    return faults


def _negatives(number: int, book: Book, touched: Iterable[tuple[LedgerAccount, str]]) -> list[str]:
    faults = []
    for account, scope in touched:
        value = book.balance(account, scope)
        if value < 0:
            where = f" of {scope}" if scope else ""
            faults.append(f"entry {number}: {account}{where} is negative ({value})")
    return faults


def _stage_faults(number: int, book: Book, tranche: str) -> list[str]:
    """Disbursed <= released <= committed for one tranche, by money reaching each stage."""
    bal = {a: book.balance(a, tranche) for a in TRANCHE_ACCOUNTS}
    paid = bal[A.DISBURSED] + bal[A.RETURNED]
    released = paid + bal[A.RELEASED] + book.frozen_from.get((A.RELEASED, tranche), ZERO)
    committed = paid + bal[A.RELEASED] + bal[A.FROZEN] + bal[A.COMMITTED]
    faults = []
    if not paid <= released:
        faults.append(f"entry {number}: tranche {tranche} disbursed {paid} > released {released}")
    if not released <= committed:
        faults.append(
            f"entry {number}: tranche {tranche} released {released} > committed {committed}"
        )
    frozen_commit = book.frozen_from.get((A.COMMITTED, tranche), ZERO)
    if frozen_commit < 0:
        faults.append(f"entry {number}: tranche {tranche} unfroze more than it froze")
    return faults


def _balance_faults(book: Book) -> list[str]:
    """Total debits equal total credits: the buckets hold exactly what was pledged and
    what exchange gains added (the sources)."""
    held = sum((v for (a, _), v in book.balances.items() if a not in SOURCES), ZERO)
    pledged = sum((v for (a, _), v in book.balances.items() if a in SOURCES), ZERO)
    if held == pledged:
        return []
    return [f"debits and credits differ: accounts hold {held}, pledged and gained is {pledged}"]
