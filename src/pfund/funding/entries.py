"""Builders of ledger entries, one per movement, so callers name what happens, not accounts.

Each takes the time of the movement (never the clock) and returns a ``LedgerEntry``;
whether the ledger accepts it is the ledger's decision. A bad amount or a time without a
zone is an InvalidInput naming the field, not a pydantic error.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import ValidationError

from pfund.domain import LedgerAccount, LedgerEntry
from pfund.domain.ledger import FxNote
from pfund.errors import InvalidInput, Problem

__all__ = [
    "commit",
    "disburse",
    "exchange_gain",
    "exchange_loss",
    "freeze",
    "pledge",
    "receipt",
    "release",
    "return_funds",
    "reverse_pledge",
    "reverse_receipt",
    "unfreeze",
    "with_fx",
]

A = LedgerAccount
PIPELINE = (A.COMMITTED, A.RELEASED)
# where a return from each account lands: unpaid money back in the pool, refunds apart
RETURN_TO = {
    A.COMMITTED: A.FUND_BALANCE,
    A.RELEASED: A.FUND_BALANCE,
    A.FROZEN: A.FUND_BALANCE,
    A.DISBURSED: A.RETURNED,
    A.RETURNED: A.FUND_BALANCE,
}


def _entry(debit: LedgerAccount, credit: LedgerAccount, **values: object) -> LedgerEntry:
    try:
        return LedgerEntry.model_validate({"debit": debit, "credit": credit, **values})
    except ValidationError as exc:
        problems = [
            Problem(e["msg"], field=".".join(str(p) for p in e["loc"]) or None)
            for e in exc.errors()
        ]
        raise InvalidInput("not a valid ledger entry", problems) from exc


def _choice(value: LedgerAccount, allowed: tuple[LedgerAccount, ...], name: str) -> None:
    if value not in allowed:
        choices = ", ".join(allowed)
        raise InvalidInput(
            f"invalid {name}",
            [Problem(f"{name} must be one of {choices}, got {value}", field=name)],
        )


def pledge(
    at: datetime,
    amount: Decimal,
    *,
    contributor: str,
    currency: str = "USD",
    memo: str = "",
    year: int | None = None,
    correction: int = 0,
) -> LedgerEntry:
    """A member promises money: pledged -> contributions receivable."""
    return _entry(
        A.CONTRIBUTIONS_RECEIVABLE,
        A.PLEDGED,
        at=at,
        amount=amount,
        currency=currency,
        contributor=contributor,
        memo=memo,
        year=year,
        correction=correction,
    )


def receipt(
    at: datetime,
    amount: Decimal,
    *,
    contributor: str,
    currency: str = "USD",
    memo: str = "",
    year: int | None = None,
    correction: int = 0,
) -> LedgerEntry:
    """A member's money arrives: contributions receivable -> fund balance."""
    return _entry(
        A.FUND_BALANCE,
        A.CONTRIBUTIONS_RECEIVABLE,
        at=at,
        amount=amount,
        currency=currency,
        contributor=contributor,
        memo=memo,
        year=year,
        correction=correction,
    )


def reverse_pledge(
    at: datetime,
    amount: Decimal,
    *,
    contributor: str,
    year: int,
    correction: int,
    currency: str = "USD",
    memo: str = "",
) -> LedgerEntry:
    """A pledge recorded in error is taken back: contributions receivable -> pledged.

    The ledger is append-only, so a correction is this explicit reversing entry; the
    receivable must still hold the amount (reverse the receipt first).
    """
    return _entry(
        A.PLEDGED,
        A.CONTRIBUTIONS_RECEIVABLE,
        at=at,
        amount=amount,
        currency=currency,
        contributor=contributor,
        memo=memo,
        year=year,
        correction=correction,
    )


def reverse_receipt(
    at: datetime,
    amount: Decimal,
    *,
    contributor: str,
    year: int,
    correction: int,
    currency: str = "USD",
    memo: str = "",
) -> LedgerEntry:
    """A receipt recorded in error is taken back: fund balance -> contributions receivable.

    Refused by the ledger when the fund balance no longer holds the money (it was
    committed meanwhile).
    """
    return _entry(
        A.CONTRIBUTIONS_RECEIVABLE,
        A.FUND_BALANCE,
        at=at,
        amount=amount,
        currency=currency,
        contributor=contributor,
        memo=memo,
        year=year,
        correction=correction,
    )


def _tranche_entry(
    debit: LedgerAccount,
    credit: LedgerAccount,
    at: datetime,
    amount: Decimal,
    ids: tuple[str, str],
    currency: str,
    memo: str,
    fx: FxNote | None = None,
) -> LedgerEntry:
    return _entry(
        debit,
        credit,
        at=at,
        amount=amount,
        currency=currency,
        project_id=ids[0],
        tranche_id=ids[1],
        memo=memo,
        **(fx.model_dump() if fx is not None else {}),
    )


def commit(
    at: datetime,
    amount: Decimal,
    *,
    project_id: str,
    tranche_id: str,
    currency: str = "USD",
    memo: str = "",
) -> LedgerEntry:
    """Earmark the fund's money for a tranche: fund balance -> committed."""
    ids = (project_id, tranche_id)
    return _tranche_entry(A.COMMITTED, A.FUND_BALANCE, at, amount, ids, currency, memo)


def release(
    at: datetime,
    amount: Decimal,
    *,
    project_id: str,
    tranche_id: str,
    currency: str = "USD",
    memo: str = "",
) -> LedgerEntry:
    """The tranche's conditions hold, so it may be paid: committed -> released."""
    ids = (project_id, tranche_id)
    return _tranche_entry(A.RELEASED, A.COMMITTED, at, amount, ids, currency, memo)


def freeze(
    at: datetime,
    amount: Decimal,
    *,
    project_id: str,
    tranche_id: str,
    source: LedgerAccount = A.RELEASED,
    currency: str = "USD",
    memo: str = "",
) -> LedgerEntry:
    """A condition was reversed: hold back committed or released money -> frozen."""
    _choice(source, PIPELINE, "source")
    ids = (project_id, tranche_id)
    return _tranche_entry(A.FROZEN, source, at, amount, ids, currency, memo)


def unfreeze(
    at: datetime,
    amount: Decimal,
    *,
    project_id: str,
    tranche_id: str,
    to: LedgerAccount = A.RELEASED,
    currency: str = "USD",
    memo: str = "",
) -> LedgerEntry:
    """The condition holds again: frozen -> back to committed or released.

    The ledger lets money go back only where it was frozen from, so an unfreeze can
    never release money that was never released.
    """
    _choice(to, PIPELINE, "to")
    ids = (project_id, tranche_id)
    return _tranche_entry(to, A.FROZEN, at, amount, ids, currency, memo)


def disburse(
    at: datetime,
    amount: Decimal,
    *,
    project_id: str,
    tranche_id: str,
    currency: str = "USD",
    memo: str = "",
) -> LedgerEntry:
    """Pay released money to the project: released -> disbursed.

    For a tranche in another currency ``amount`` is the commitment-rate value of what is
    paid (see ``with_fx``); what the payment's rate makes it cost more or less is an
    ``exchange_loss`` or ``exchange_gain`` entry beside it."""
    ids = (project_id, tranche_id)
    return _tranche_entry(A.DISBURSED, A.RELEASED, at, amount, ids, currency, memo)


def with_fx(entry: LedgerEntry, fx: FxNote | None) -> LedgerEntry:
    """The entry with the amount in the project's own currency and the rate used."""
    if fx is None:
        return entry
    return LedgerEntry.model_validate(entry.model_dump() | fx.model_dump())


def exchange_loss(
    at: datetime,
    amount: Decimal,
    *,
    project_id: str,
    tranche_id: str,
    currency: str = "USD",
    memo: str = "",
    fx: FxNote | None = None,
) -> LedgerEntry:
    """A tranche cost more in the fund's currency than committed: fund balance -> loss."""
    ids = (project_id, tranche_id)
    return _tranche_entry(A.EXCHANGE_LOSS, A.FUND_BALANCE, at, amount, ids, currency, memo, fx)


def exchange_gain(
    at: datetime,
    amount: Decimal,
    *,
    project_id: str,
    tranche_id: str,
    currency: str = "USD",
    memo: str = "",
    fx: FxNote | None = None,
) -> LedgerEntry:
    """A tranche cost less than committed: the saving joins the fund balance."""
    ids = (project_id, tranche_id)
    return _tranche_entry(A.FUND_BALANCE, A.EXCHANGE_GAIN, at, amount, ids, currency, memo, fx)


def return_funds(
    at: datetime,
    amount: Decimal,
    *,
    project_id: str,
    tranche_id: str,
    source: LedgerAccount = A.COMMITTED,
    currency: str = "USD",
    memo: str = "",
) -> LedgerEntry:
    """Money goes back: unpaid tranche money to the fund balance; a refund to returned.

    From committed, released or frozen (a tranche cancelled or cut) the money was never
    paid and goes straight back to the fund balance. From disbursed (a project pays back)
    it lands in ``returned``, so refunds stay visible; from returned it rejoins the pool.
    """
    _choice(source, tuple(RETURN_TO), "source")
    ids = (project_id, tranche_id)
    return _tranche_entry(RETURN_TO[source], source, at, amount, ids, currency, memo)
