"""Small helpers the repositories share: bulk inserts, grouping, money and time columns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Row, Table, insert
from sqlalchemy.orm import Session

from pfund.domain.audit import utc
from pfund.domain.estimate import Estimate
from pfund.domain.money import from_minor, to_minor
from pfund.store.tables import Base

RowDict = dict[str, Any]


def table(row_class: type[Base]) -> Table:
    """The Core table behind a row class; reads use Core rows, which are far cheaper."""
    return cast(Table, row_class.__table__)


def insert_many(session: Session, row_class: type[Base], rows: Sequence[RowDict]) -> None:
    """One executemany for all rows (batched by the driver), nothing when there are none."""
    if rows:
        session.execute(insert(table(row_class)), list(rows))


# Ids per ``IN (...)`` list: well under SQLite's limit on bound parameters (32,766).
IN_CHUNK = 500


def chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterable[Sequence[Any]]:
    """``values`` in slices of at most ``size``, for ``IN`` lists."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def group_by(rows: Iterable[Row[Any]], key: str) -> dict[Any, list[Row[Any]]]:
    """Rows grouped by one column, each group keeping the query's order."""
    groups: dict[Any, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        groups[row._mapping[key]].append(row)
    return groups


def minor_triple(estimate: Estimate[Decimal], currency: str) -> RowDict:
    """An estimate of money as low / likely / high integer minor units."""
    return {
        "low": to_minor(estimate.low, currency),
        "likely": to_minor(estimate.likely, currency),
        "high": to_minor(estimate.high, currency),
    }


def money_estimate(row: Row[Any] | Mapping[str, Any], currency: str) -> Estimate[Decimal]:
    """The Decimal estimate back from minor units; equal to what was written, to the cent."""
    values = row._mapping if isinstance(row, Row) else row
    return Estimate[Decimal](
        low=from_minor(values["low"], currency),
        likely=from_minor(values["likely"], currency),
        high=from_minor(values["high"], currency),
    )


def to_utc(moment: datetime) -> datetime:
    """Aware UTC for storage; SQLite drops offsets, so anything else would shift the time."""
    return utc(moment)


def positions(values: Iterable[str], *, key: str, **fixed: Any) -> list[RowDict]:
    """Child rows for an ordered list of strings, each with its position."""
    return [{**fixed, key: value, "position": i} for i, value in enumerate(values)]
