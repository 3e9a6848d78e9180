"""Settling a project's money: decommitting what is unpaid and booking refunds.

Pure builders over a :class:`~pfund.funding.ledger.Ledger` and the project's tranches;
the entries they return are the ledger's own return movements, so whether they may be
posted is still the ledger's decision.

* :func:`decommit_entries` empties each tranche's committed, released and frozen money
  (never paid) and its returned money (refunds not yet re-used) into the fund balance;
  what the tranche paid, in ``disbursed``, stays. Afterwards the project holds no money
  in committed, released, frozen or returned: its accounts are settled.
* :func:`refund_entries` places money a project pays back on its paid tranches, oldest
  first: disbursed -> returned, each followed by returned -> fund balance when the
  refund is re-used at once. A refund above what the tranches hold in ``disbursed``
  (paid, net of earlier refunds) is refused.

A tranche in another currency was committed, and is paid, at the commitment rate's value
in the fund's currency; decommitting or refunding moves that value, so no exchange
difference arises here (one is booked only when money is paid, see ``entries.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from pfund.domain import LedgerAccount, LedgerEntry, Tranche
from pfund.errors import InvalidInput, Problem
from pfund.funding.entries import return_funds
from pfund.funding.ledger import Ledger

__all__ = ["UNPAID", "decommit_entries", "refund_entries"]

A = LedgerAccount
UNPAID = (A.COMMITTED, A.RELEASED, A.FROZEN)


def decommit_entries(
    ledger: Ledger, tranches: Iterable[Tranche], at: datetime, *, memo: str
) -> list[LedgerEntry]:
    """Return entries that settle every tranche: unpaid and refunded money to the fund."""
    out: list[LedgerEntry] = []
    for t in tranches:
        for account in (*UNPAID, A.RETURNED):
            held = ledger.balance(account, t.id)
            if held > 0:
                out.append(
                    return_funds(
                        at,
                        held,
                        project_id=t.project_id,
                        tranche_id=t.id,
                        source=account,
                        currency=t.currency,
                        memo=memo,
                    )
                )
    return out


def refund_entries(
    ledger: Ledger,
    tranches: Iterable[Tranche],
    amount: Decimal,
    at: datetime,
    *,
    repool: bool,
    memo: str,
) -> list[LedgerEntry]:
    """disbursed -> returned over the paid tranches, oldest first, until ``amount`` is
    placed; with ``repool`` each is followed by returned -> fund balance."""
    ordered = sorted(tranches, key=lambda t: (t.year, t.id))
    paid = sum((ledger.balance(A.DISBURSED, t.id) for t in ordered), Decimal(0))
    if not Decimal(0) < amount <= paid:
        reason = f"a refund must be above 0 and at most the {paid} paid, net of earlier refunds"
        raise InvalidInput("refund above what was paid", [Problem(reason, field="amount")])
    out: list[LedgerEntry] = []
    left = amount
    for t in ordered:
        take = min(ledger.balance(A.DISBURSED, t.id), left)
        if take <= 0:
            continue
        ids = {"project_id": t.project_id, "tranche_id": t.id, "currency": t.currency}
        out.append(return_funds(at, take, source=A.DISBURSED, memo=memo, **ids))
        if repool:
            out.append(return_funds(at, take, source=A.RETURNED, memo=memo, **ids))
        left -= take
    return out
