"""How every change of money or conditions runs: locked first, answered once, refused cleanly.

``money_write`` opens a unit of work that holds the money lock before its first read
(see ``UnitOfWork.lock_for_write``). Under the lock it looks up the request's
``Idempotency-Key``, if the API passed one: a key already answered is replayed (the
movement is not made again), a key used for another request is refused. ``finish``
stores the key with the answer and commits both with the movement, so a key exists
exactly when its movement does. A database constraint that refuses the change (a second
release, an overdraft) becomes a 409 naming what was refused, never a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from pfund.errors import Conflict, InvalidInput, PfundError, Problem
from pfund.services.runtime import Runtime
from pfund.store.unit_of_work import UnitOfWork


class Replayed(PfundError):
    """The request's Idempotency-Key was answered before: here is that answer again."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__("replayed the first answer to this Idempotency-Key", status=status)
        self.body = body


@contextmanager
def money_write(rt: Runtime) -> Iterator[UnitOfWork]:
    """A locked unit of work for one change of money or conditions."""
    with rt.uow(write=True) as uow:
        _replay_if_answered(uow, rt)
        try:
            yield uow
        except IntegrityError as exc:
            raise Conflict(
                "the database refused the change: it would move money twice, overdraw an "
                "account or record something already recorded; nothing was changed",
                [Problem(_constraint(exc))],
            ) from exc


def finish(uow: UnitOfWork, rt: Runtime, answer: BaseModel, status: int = 200) -> None:
    """Store the idempotency key with its answer, then commit the movement and the key."""
    idem = rt.idempotency
    if idem is not None:
        uow.idempotency.add(
            actor=rt.actor,
            key=idem.key,
            method=idem.method,
            path=idem.path,
            fingerprint=idem.fingerprint,
            status=status,
            body=answer.model_dump_json(),
            at=datetime.now(UTC),
        )
    uow.commit()


def _replay_if_answered(uow: UnitOfWork, rt: Runtime) -> None:
    idem = rt.idempotency
    if idem is None:
        return
    stored = uow.idempotency.get(rt.actor, idem.key)
    if stored is None:
        return
    if stored.fingerprint != idem.fingerprint:
        raise InvalidInput(
            "this Idempotency-Key was used for another request; use a new key for a new request",
            [
                Problem(
                    f"key first used for {stored.method} {stored.path} with another body",
                    field="Idempotency-Key",
                )
            ],
            status=422,
        )
    raise Replayed(int(stored.status), str(stored.body))


def _constraint(exc: IntegrityError) -> str:
    """The name of the refusing constraint or trigger, without the row's values."""
    text = str(exc.orig) if exc.orig is not None else ""
    for name in (
        "uq_ledger_entries_tranche_step",
        "uq_ledger_entries_contribution",
        "ck_ledger_balances_not_negative",
        "amount_positive",
        "pk_idempotency_keys",
        "pk_tranches",
    ):
        if name in text:
            return f"refused by {name}"
    first = text.splitlines()[0] if text else type(exc).__name__
    return first if "DETAIL" not in first else type(exc).__name__
