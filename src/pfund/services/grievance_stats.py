"""Public statistics of grievances by quarter, with nothing that could single out a reporter.

Per quarter of receipt: how many were received, how many in each category, the median
days to acknowledge and to decide, the share substantiated among those decided, and the
money their holds keep back today. No id, subject, text or date finer than the quarter
leaves this module. A count from 1 to ``suppress_below - 1`` is shown as ``None`` ("fewer
than N"); when one category alone would be hidden, the next smallest is hidden too, so
it cannot be worked out from the total. Medians and shares need at least
``suppress_below`` cases behind them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from statistics import median
from typing import Any

from pydantic import BaseModel

from pfund.domain import TrancheStatus
from pfund.domain.grievance import GrievanceCategory, GrievanceStatus, SubjectKind
from pfund.services.runtime import Runtime
from pfund.store.repositories.grievances import GrievanceRepository
from pfund.store.unit_of_work import UnitOfWork

Cell = int | None  # None: fewer than ``suppress_below``


class QuarterStats(BaseModel):
    quarter: str
    received: Cell
    by_category: dict[str, Cell]
    days_to_acknowledge: float | None
    days_to_decide: float | None
    share_substantiated: float | None
    money_held: Decimal
    currency: str


class GrievanceStats(BaseModel):
    suppress_below: int
    quarters: list[QuarterStats]


def quarter_of(moment: datetime) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def stats(rt: Runtime) -> GrievanceStats:
    """The public statistics (no permission needed: they name nobody)."""
    with rt.uow() as uow:
        return stats_of(uow)


def stats_of(uow: UnitOfWork) -> GrievanceStats:
    fund = uow.fund.get()
    below = fund.grievances.suppress_below if fund else 3
    currency = fund.currency if fund else "USD"
    repo = GrievanceRepository(uow.session, uow.cipher)
    outcomes = repo.outcomes()
    rows = [r | {"outcome": outcomes.get(r["id"], "")} for r in repo.lines()]
    held = _money_held(uow, rows)
    by_quarter: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_quarter[quarter_of(r["received_at"])].append(r)
    quarters = [
        _quarter(q, found, below, held.get(q, Decimal(0)), currency)
        for q, found in sorted(by_quarter.items())
    ]
    return GrievanceStats(suppress_below=below, quarters=quarters)


def _quarter(
    quarter: str, rows: list[dict[str, Any]], below: int, held: Decimal, currency: str
) -> QuarterStats:
    counts = {c.value: sum(r["category"] == c.value for r in rows) for c in GrievanceCategory}
    ack = [_days(r["received_at"], r["acknowledged_at"]) for r in rows if r["acknowledged_at"]]
    decided = [r for r in rows if r["decided_at"]]
    substantiated = [r for r in decided if _was_substantiated(r)]
    return QuarterStats(
        quarter=quarter,
        received=_cell(len(rows), below),
        by_category=suppress(counts, below),
        days_to_acknowledge=_median(ack, below),
        days_to_decide=_median([_days(r["received_at"], r["decided_at"]) for r in decided], below),
        share_substantiated=(
            round(len(substantiated) / len(decided), 3) if len(decided) >= below else None
        ),
        money_held=held,
        currency=currency,
    )


def suppress(counts: dict[str, int], below: int) -> dict[str, Cell]:
    """Small counts hidden, and one more if a single hidden count could be subtracted out."""
    hidden = {k for k, n in counts.items() if 0 < n < below}
    if len(hidden) == 1:
        rest = sorted((n, k) for k, n in counts.items() if n > 0 and k not in hidden)
        if rest:
            hidden.add(rest[0][1])
    return {k: (None if k in hidden else n) for k, n in counts.items()}


def _cell(n: int, below: int) -> Cell:
    return None if 0 < n < below else n


def _days(start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds() / 86400, 1)


def _median(values: list[float], below: int) -> float | None:
    return round(float(median(values)), 1) if len(values) >= below else None


def _was_substantiated(row: dict[str, Any]) -> bool:
    """Decided substantiated (and perhaps closed since)."""
    return bool(row["outcome"] == GrievanceStatus.SUBSTANTIATED.value)


def _money_held(uow: UnitOfWork, rows: list[dict[str, Any]]) -> dict[str, Decimal]:
    """The unpaid tranche money each quarter's holding grievances keep back today."""
    holding = [r for r in rows if r["holding"]]
    if not holding:
        return {}
    tranches = [
        t
        for t in uow.tranches.list()
        if t.status not in (TrancheStatus.DISBURSED, TrancheStatus.CANCELLED)
    ]
    projects = uow.projects.many(t.project_id for t in tranches)  # each once, in bulk
    held: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for r in holding:
        for t in tranches:
            project = projects.get(t.project_id)
            parties = {p for p in [project.proponent, *project.partners] if p} if project else set()
            if _holds(r, t.project_id, parties):
                held[quarter_of(r["received_at"])][t.id] = t.amount
    return {q: sum(amounts.values(), Decimal(0)) for q, amounts in held.items()}


def _holds(row: dict[str, Any], project_id: str, parties: set[str]) -> bool:
    if row["subject_kind"] == SubjectKind.PROJECT.value:
        return bool(row["subject_id"] == project_id)
    return row["subject_kind"] == SubjectKind.ORGANISATION.value and row["subject_id"] in parties


def open_rows(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Grievances by quarter of receipt: how many were received and in each category,
    the median days to acknowledge and to decide, the share substantiated among those
    decided, and the unpaid money their holds keep back today. A count below the fund's
    threshold reads "<3" (so no reporter can be singled out); a median or share with
    too few cases behind it is empty. Left out: every grievance itself (what it says,
    whom it is against, who reported it, its dates and files)."""
    found = stats_of(uow)
    below = f"<{found.suppress_below}"

    def cell(n: Cell) -> int | str:
        return below if n is None else n

    return [
        {
            "quarter": q.quarter,
            "received": cell(q.received),
            **{f"category_{k}": cell(n) for k, n in q.by_category.items()},
            "days_to_acknowledge": q.days_to_acknowledge,
            "days_to_decide": q.days_to_decide,
            "share_substantiated": q.share_substantiated,
            "money_held": q.money_held,
            "currency": q.currency,
        }
        for q in found.quarters
    ]


__all__ = ["GrievanceStats", "QuarterStats", "open_rows", "quarter_of", "stats", "suppress"]
