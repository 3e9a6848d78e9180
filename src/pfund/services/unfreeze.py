"""Snapback both ways: return a frozen tranche's money where it was, by a person's decision.

A reversal freezes every tranche that needed the condition at once (``services.
conditions``). The way back is never automatic: when the condition is met again, a
person decides, with a reason, that a frozen tranche returns to where its money was
frozen from: committed money makes the tranche planned again (it is then released
through the whole gate as usual), released money makes it released again (and its
payment passes the whole gate). The reversing ledger entries can only put money back
into the account it came from (``pfund.funding.ledger``), and the decision, with its
reason, is in the audit log in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from pfund.domain import LedgerAccount, Tranche, TrancheStatus
from pfund.domain.account import Permission
from pfund.errors import Conflict, InvalidInput, NotFound, Problem
from pfund.funding import Ledger, unfreeze
from pfund.services.audit import AuditWriter
from pfund.services.funding import post_entries
from pfund.services.gate import GateNames, GateRefused, condition_gate
from pfund.services.runtime import Runtime
from pfund.services.tranches import TrancheStep
from pfund.services.writes import finish, money_write
from pfund.store.repositories._rows import table
from pfund.store.tables import TrancheRow
from pfund.store.unit_of_work import UnitOfWork

__all__ = ["MIN_REASON", "unfreeze_tranche"]

MIN_REASON = 10
# Where money frozen from each account goes back, and the status the tranche returns to.
RETURNS = (
    (LedgerAccount.RELEASED, TrancheStatus.RELEASED),
    (LedgerAccount.COMMITTED, TrancheStatus.PLANNED),
)


def unfreeze_tranche(rt: Runtime, tranche_id: str, reason: str) -> TrancheStep:
    """Return a frozen tranche to its committed or released state, once its conditions hold.

    Refused while any condition it needs is not met (each one named), without a reason,
    or when the tranche is not frozen; nothing is written then.
    """
    rt.require(Permission.MOVE_MONEY)
    why = reason.strip()
    if len(why) < MIN_REASON:
        raise InvalidInput(
            "an unfreeze needs its reason",
            [Problem(f"say why, in at least {MIN_REASON} characters", field="reason")],
        )
    with money_write(rt) as uow:
        tranche = _frozen(uow, tranche_id)
        _, holds = condition_gate(uow, tranche)
        if holds:
            headline = "; ".join(h.summary for h in holds)
            raise GateRefused(
                f"tranche {tranche_id} cannot be unfrozen: {headline}",
                holds,
                tranche=tranche_id,
                step="unfrozen",
                names=GateNames.of(uow.conditions.list(), uow.stages.list()),
            )
        ledger = Ledger(entries=tuple(uow.ledger.list()))
        back = [(acc, ledger.frozen_from(acc, tranche.id), st) for acc, st in RETURNS]
        back = [(acc, amount, st) for acc, amount, st in back if amount > 0]
        if not back:
            raise Conflict(f"tranche {tranche_id} is frozen but holds no frozen money")
        status = back[0][2]  # released wins: money once released goes back to released
        if not uow.tranches.transition(tranche.id, TrancheStatus.FROZEN, status):
            raise Conflict(f"tranche {tranche_id} changed while it was being unfrozen; retry")
        at = datetime.now(UTC)
        audit = AuditWriter(uow, rt.actor)
        entries = [
            unfreeze(
                at,
                amount,
                project_id=tranche.project_id,
                tranche_id=tranche.id,
                to=account,
                currency=tranche.currency,
                memo=f"unfrozen: {why}"[:500],
            )
            for account, amount, _ in back
        ]
        post_entries(uow, audit, entries)
        total = sum((amount for _, amount, _ in back), Decimal(0))
        audit.record(
            "tranche.unfrozen",
            "tranche",
            tranche.id,
            {"amount": str(total), "status": status.value, "reason": why},
        )
        step = TrancheStep(tranche=tranche.id, status=status.value, amount=total, reason=why)
        finish(uow, rt, step)
    return step


def _frozen(uow: UnitOfWork, tranche_id: str) -> Tranche:
    """The tranche, its row locked where the database can (PostgreSQL), if it is frozen."""
    rows = table(TrancheRow)
    uow.session.execute(select(rows.c.id).where(rows.c.id == tranche_id).with_for_update())
    tranche = uow.tranches.get(tranche_id)
    if tranche is None:
        raise NotFound(f"no tranche '{tranche_id}'")
    if tranche.status is not TrancheStatus.FROZEN:
        raise Conflict(f"tranche {tranche_id} is {tranche.status.value}, not frozen")
    return tranche
