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
from pfund.funding.entries import _entry

__all__ = ["guarantee_call", "interest_income", "principal_repayment"]

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
