"""Verified figures where people read results: per indicator and period, what a verifier
found (the verification factor with its interval, the verified value) and what the fund
paid for it.

One read, shared by every output that shows a result (the portal's results and project
pages, ``pfund results show``, the API's results answer, the results open data), so
none of them can show a reported value as verified, or a verified one as merely
reported, when another does not. What it reads holds nothing protected: a factor, its
interval and totals of counts, and the money the ledger paid on a tranche (the portal
shows every disbursement already); never which units were sampled, what each recount
found, the verifier or the partner.

The latest verification of a (report, indicator) counts, as it does for payment
(:func:`pfund.services.verification.payments_due`). "Paid for it": what the ledger
disbursed (less any repayment) on the tranches linked to that indicator and period.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import select

from pfund.domain import LedgerAccount
from pfund.domain.verification import VerificationStatus
from pfund.store.tables import ResultReportRow, TrancheResultLinkRow, VerificationRow
from pfund.store.unit_of_work import UnitOfWork

VERIFIED = VerificationStatus.VERIFIED.value
CENT = Decimal("0.01")

Key = tuple[str, str, str]  # project, indicator, period


class VerifiedFigure(BaseModel):
    """An indicator's reported value in one period as its verifier found it: verified =
    reported × factor, with the interval of each at the stated confidence; and what was
    paid for it (None: no tranche is linked to it, or none has been paid)."""

    verification: str
    factor: float
    factor_lower: float
    factor_upper: float
    confidence: float
    reported: Decimal
    verified: Decimal
    verified_lower: Decimal
    verified_upper: Decimal
    paid: Decimal | None = None
    currency: str | None = None


def verified_figures(uow: UnitOfWork, project_id: str | None = None) -> dict[Key, VerifiedFigure]:
    """Every verified (project, indicator, period), or one project's."""
    query = (
        select(VerificationRow, ResultReportRow.project_id, ResultReportRow.period)
        .join(ResultReportRow, ResultReportRow.id == VerificationRow.report_id)
        .where(VerificationRow.status == VERIFIED)
        .order_by(VerificationRow.id)
    )
    if project_id is not None:
        query = query.where(ResultReportRow.project_id == project_id)
    found: dict[Key, VerifiedFigure] = {}
    for row, project, period in uow.session.execute(query).all():
        figure = _figure(row)
        if figure is not None:  # the latest verification of each wins
            found[(project, row.indicator, period)] = figure
    paid = _paid(uow, found)
    return {k: f.model_copy(update=paid[k]) if k in paid else f for k, f in found.items()}


def _figure(row: VerificationRow) -> VerifiedFigure | None:
    result = json.loads(row.result) if row.result else {}
    needed = ("factor", "lower", "upper", "reported_total", "verified_total")
    if any(result.get(k) is None for k in needed):
        return None
    return VerifiedFigure(
        verification=row.id,
        factor=round(float(result["factor"]), 6),
        factor_lower=round(float(result["lower"]), 6),
        factor_upper=round(float(result["upper"]), 6),
        confidence=float(result.get("confidence") or row.confidence),
        reported=_amount(result["reported_total"]),
        verified=_amount(result["verified_total"]),
        verified_lower=_amount(result.get("verified_lower", result["verified_total"])),
        verified_upper=_amount(result.get("verified_upper", result["verified_total"])),
    )


def _amount(value: object) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def _paid(uow: UnitOfWork, keys: Iterable[Key]) -> dict[Key, dict[str, object]]:
    """What the ledger paid on the tranches linked to each verified indicator-period."""
    wanted = set(keys)
    if not wanted:
        return {}
    out: dict[Key, dict[str, object]] = {}
    for link in uow.session.scalars(select(TrancheResultLinkRow)).all():
        key = (link.project_id, link.indicator, link.period)
        if key not in wanted:
            continue
        entries = uow.ledger.list(tranche_id=link.tranche_id)
        paid = sum((e.amount for e in entries if e.debit is LedgerAccount.DISBURSED), Decimal(0))
        paid -= sum((e.amount for e in entries if e.credit is LedgerAccount.DISBURSED), Decimal(0))
        if paid > 0:
            before = out.get(key, {}).get("paid", Decimal(0))
            assert isinstance(before, Decimal)
            currency = entries[0].currency
            out[key] = {"paid": before + paid, "currency": currency}
    return out
