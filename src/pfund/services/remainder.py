"""The unearned remainder of a tranche paid by results: keep it, or return it to the fund.

A tranche linked to a result pays what the verified value earns
(:func:`pfund.services.verification.pay_by_results`); when that is less than the tranche,
the rest stays in the tranche's released balance, set aside for the project, until a
person decides. :func:`decide_remainder` records that decision, audited:

* **keep**: the remainder stays committed to the project (in the tranche's released
  balance; the fund's free balance does not grow); a kept remainder may be returned later;
* **return**: the remainder goes back to the fund balance through the ledger
  (``fund_balance <- released``, the ledger's own "return" movement), once.

Under concurrency: the money lock is taken before anything is read (``money_write``),
the remainder is read from the ledger under it, and the decision row moves by a
conditional change (insert on the tranche's primary key; ``kept -> returned`` only while
it is still ``kept``), so two requests cannot both return it; the ledger itself refuses
to take from a released balance that is already empty.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import insert, update

from pfund.domain import LedgerAccount, TrancheStatus
from pfund.domain.account import Permission
from pfund.errors import Conflict, InvalidInput, NotFound, Problem
from pfund.funding import Ledger, return_funds
from pfund.services.audit import AuditWriter
from pfund.services.funding import post_entries
from pfund.services.runtime import Runtime
from pfund.services.writes import finish, money_write
from pfund.store.tables import RemainderDecisionRow, TrancheResultLinkRow
from pfund.store.unit_of_work import UnitOfWork

KEEP, RETURN = "keep", "return"
KEPT, RETURNED = "kept", "returned"
MIN_REASON = 10


class RemainderDecision(BaseModel):
    """What was decided about a tranche's unearned remainder, by whom and why."""

    tranche: str
    project: str
    decision: Literal["kept", "returned"]
    amount: str  # exact, as the ledger holds it
    currency: str
    reason: str
    decided_by: str
    decided_at: datetime


def _checked(decision: str, reason: str) -> tuple[str, str]:
    problems = []
    if decision not in (KEEP, RETURN):
        problems.append(Problem(f"'{decision}' is not keep or return", field="decision"))
    text = reason.strip()
    if len(text) < MIN_REASON:
        problems.append(Problem(f"say in at least {MIN_REASON} characters why", field="reason"))
    if problems:
        raise InvalidInput("the decision is not valid; nothing was changed", problems)
    return decision, text


def remainder_held(uow: UnitOfWork, tranche_id: str) -> Decimal:
    """What of the tranche is still released and unpaid (the unearned remainder)."""
    ledger = Ledger(entries=tuple(uow.ledger.list()))
    return ledger.balance(LedgerAccount.RELEASED, tranche_id)


def decide_remainder(rt: Runtime, tranche_id: str, decision: str, reason: str) -> RemainderDecision:
    """Keep the unearned remainder of a partly paid results tranche, or return it to the
    fund through the ledger; audited, and returned at most once."""
    rt.require(Permission.MOVE_MONEY)
    decision, reason = _checked(decision, reason)
    with money_write(rt) as uow:  # the lock first, then every read
        if uow.session.get(TrancheResultLinkRow, tranche_id) is None:
            raise NotFound(f"tranche '{tranche_id}' is not paid by results")
        tranche = uow.tranches.get(tranche_id)
        if tranche is None:
            raise NotFound(f"no tranche '{tranche_id}'")
        if tranche.status is not TrancheStatus.DISBURSED:
            raise Conflict(
                f"tranche {tranche_id} is {tranche.status.value}: it has not been paid by "
                "results yet, so nothing of it is unearned"
            )
        held = remainder_held(uow, tranche_id)
        stored = uow.session.get(RemainderDecisionRow, tranche_id)
        if stored is not None and stored.decision == RETURNED:
            raise Conflict(f"the remainder of tranche {tranche_id} was already returned")
        if held <= 0:
            raise Conflict(f"tranche {tranche_id} was paid in full: there is no remainder")
        if decision == KEEP and stored is not None:
            raise Conflict(f"the remainder of tranche {tranche_id} is already kept")
        at = datetime.now(UTC)
        audit = AuditWriter(uow, rt.actor)
        values = {
            "decision": KEPT if decision == KEEP else RETURNED,
            "amount": str(held),
            "reason": reason,
            "decided_by": rt.actor,
            "decided_at": at,
        }
        if decision == RETURN:
            entry = return_funds(
                at,
                held,
                project_id=tranche.project_id,
                tranche_id=tranche_id,
                source=LedgerAccount.RELEASED,
                currency=tranche.currency,
                memo="unearned remainder of a results tranche",
            )
            post_entries(uow, audit, [entry])
        if stored is None:
            uow.session.execute(
                insert(RemainderDecisionRow).values(tranche_id=tranche_id, **values)
            )
        else:
            changed = uow.session.execute(
                update(RemainderDecisionRow)
                .where(
                    RemainderDecisionRow.tranche_id == tranche_id,
                    RemainderDecisionRow.decision == KEPT,
                )
                .values(**values)
            )
            if changed.rowcount != 1:  # type: ignore[attr-defined]
                raise Conflict(f"the remainder of tranche {tranche_id} was decided meanwhile")
        audit.record(
            f"tranche.remainder_{values['decision']}",
            "tranche",
            tranche_id,
            {"amount": str(held), "currency": tranche.currency, "reason": reason},
        )
        answer = RemainderDecision(
            tranche=tranche_id,
            project=tranche.project_id,
            decision=values["decision"],
            amount=str(held),
            currency=tranche.currency,
            reason=reason,
            decided_by=rt.actor,
            decided_at=at,
        )
        finish(uow, rt, answer)
    return answer


def remainder_decisions(rt: Runtime) -> dict[str, RemainderDecision]:
    """Every decision taken on a remainder, by tranche."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        rows = uow.session.query(RemainderDecisionRow).all()
        out = {}
        for r in rows:
            tranche = uow.tranches.get(r.tranche_id)
            out[r.tranche_id] = RemainderDecision(
                tranche=r.tranche_id,
                project=tranche.project_id if tranche else "",
                decision=r.decision,
                amount=r.amount,
                currency=tranche.currency if tranche else "",
                reason=r.reason,
                decided_by=r.decided_by,
                decided_at=r.decided_at,
            )
        return out
