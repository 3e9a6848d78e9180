"""Ledger entries of loans and guarantees, one builder per movement (see funding.ledger).

A loan is paid out as any project's tranches are (commitment, release, disbursement);
what comes back is named here: principal (at most what is outstanding, which the ledger
checks) and interest, each for the loan's project; a guarantee's call is a payment out
of the fund balance for the guaranteed project.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pfund.domain import LedgerAccount, LedgerEntry
from pfund.domain.fx import RateUsed, convert
from pfund.domain.ledger import FxNote
from pfund.funding.entries import _entry, exchange_gain, exchange_loss, with_fx

__all__ = ["guarantee_call", "interest_income", "principal_repayment", "repayment_entries_fx"]

A = LedgerAccount


def principal_repayment(
    at: datetime, amount: Decimal, *, project_id: str, currency: str = "USD", memo: str = ""
) -> LedgerEntry:
    """A borrower repays principal: principal_repaid -> fund balance."""
    values = {"at": at, "amount": amount, "currency": currency, "memo": memo}
    return _entry(A.FUND_BALANCE, A.PRINCIPAL_REPAID, project_id=project_id, **values)


def interest_income(
    at: datetime, amount: Decimal, *, project_id: str, currency: str = "USD", memo: str = ""
) -> LedgerEntry:
    """A borrower pays interest: interest_received -> fund balance."""
    values = {"at": at, "amount": amount, "currency": currency, "memo": memo}
    return _entry(A.FUND_BALANCE, A.INTEREST_RECEIVED, project_id=project_id, **values)


def guarantee_call(
    at: datetime, amount: Decimal, *, project_id: str, currency: str = "USD", memo: str = ""
) -> LedgerEntry:
    """The fund pays a guarantee's call: fund balance -> guarantee_calls."""
    values = {"at": at, "amount": amount, "currency": currency, "memo": memo}
    return _entry(A.GUARANTEE_CALLS, A.FUND_BALANCE, project_id=project_id, **values)


def repayment_entries_fx(
    at: datetime,
    parts: tuple[Decimal, Decimal],
    used: RateUsed,
    *,
    project_id: str,
    outstanding_fund: Decimal,
    outstanding_own: Decimal,
    tranche_id: str | None,
) -> tuple[list[LedgerEntry], Decimal]:
    """The entries of a repayment of (interest, principal) in the loan's own currency,
    and its exchange difference in the fund's.

    Interest is converted at ``used``. Principal leaves the outstanding balance at the
    value the ledger carries it at (``outstanding_fund`` x the share of
    ``outstanding_own`` repaid; all of it when the loan is repaid in full), and its
    value at ``used`` less that is an exchange gain (+) or loss (-), booked on
    ``tranche_id`` (the loan's first tranche still paid out). Pure, so that the ledger's
    state machine can drive it as the service does. When a cent's rounding has already
    carried every fund-currency cent out, the last own cents book only their gain."""
    interest, principal = parts
    cur, pid = used.quote, project_id
    entries: list[LedgerEntry] = []
    day_note = FxNote(
        fx_amount=interest or principal or Decimal(1),
        fx_currency=used.base,
        fx_rate=used.rate,
        fx_rate_date=used.day,
    )
    memo = f"{used.base} at {used.rate} ({used.day})"
    if interest:
        worth = convert(interest, used.rate, cur)
        income = interest_income(at, worth, project_id=pid, currency=cur, memo=memo)
        entries.append(with_fx(income, day_note.model_copy(update={"fx_amount": interest})))
    if not principal:
        return entries, Decimal(0)
    if principal >= outstanding_own or outstanding_own <= 0:
        carried = max(outstanding_fund, Decimal(0))
    else:
        share = convert(principal / outstanding_own, outstanding_fund, cur)
        carried = max(min(outstanding_fund, share), Decimal(0))
    if carried > 0:
        carried_rate = (carried / principal).quantize(Decimal(10) ** -10).normalize()
        carry_note = day_note.model_copy(
            update={"fx_amount": principal, "fx_rate": Decimal(format(carried_rate, "f"))}
        )
        back = principal_repayment(at, carried, project_id=pid, currency=cur, memo=memo)
        entries.append(with_fx(back, carry_note))
    difference = convert(principal, used.rate, cur) - carried
    if difference and tranche_id is not None:
        book = exchange_gain if difference > 0 else exchange_loss
        moved = book(
            at,
            abs(difference),
            project_id=pid,
            tranche_id=tranche_id,
            currency=cur,
            memo=f"loan principal {used.base} {principal:,} at {used.rate} ({used.day})",
        )
        # beside a principal entry the note tells a repayment from a refund (own_paid);
        # alone (every dollar already carried out) it would read as one: the memo says
        note = day_note.model_copy(update={"fx_amount": principal}) if carried > 0 else None
        entries.append(with_fx(moved, note))
    return entries, difference
