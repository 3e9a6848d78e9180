"""Exchange rates as published, one per currency pair and day."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from pfund.domain.fx import ExchangeRate
from pfund.store.repositories._rows import insert_many, table
from pfund.store.tables import ExchangeRateRow


def build_rate(row: Row[Any]) -> ExchangeRate:
    return ExchangeRate(
        base=row.base,
        quote=row.quote,
        day=row.day,
        rate=Decimal(row.rate),
        source=row.source,
        source_ru=row.source_ru,
        file_sha256=row.file_sha256,
    )


class RateRepository:
    """Rates by (base, quote, day); a stored rate is never changed."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_many(self, rates: Iterable[ExchangeRate], imported_at: datetime) -> None:
        rows = [
            r.model_dump(exclude={"rate"}) | {"rate": str(r.rate), "imported_at": imported_at}
            for r in rates
        ]
        insert_many(self.session, ExchangeRateRow, rows)

    def on_days(self, base: str, days: Iterable[date]) -> dict[tuple[str, date], ExchangeRate]:
        """The stored rates of ``base`` on the given days, by (quote, day)."""
        rates = table(ExchangeRateRow)
        wanted = sorted(set(days))
        out: dict[tuple[str, date], ExchangeRate] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            query = select(rates).where(rates.c.base == base, rates.c.day.in_(chunk))
            for row in self.session.execute(query):
                out[(row.quote, row.day)] = build_rate(row)
        return out

    def source_names(self) -> dict[str, str]:
        """Each source the rates name, in English, with its Russian where one is kept."""
        rates = table(ExchangeRateRow)
        query = select(rates.c.source, rates.c.source_ru).where(rates.c.source_ru != "").distinct()
        return {row.source: row.source_ru for row in self.session.execute(query)}

    def latest(self, base: str, quote: str, day: date) -> ExchangeRate | None:
        """The rate of the pair on ``day`` or, failing that, the latest before it."""
        rates = table(ExchangeRateRow)
        row = self.session.execute(
            select(rates)
            .where(rates.c.base == base, rates.c.quote == quote, rates.c.day <= day)
            .order_by(rates.c.day.desc())
            .limit(1)
        ).first()
        return None if row is None else build_rate(row)

    def list(
        self,
        *,
        quote: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int | None = None,
    ) -> builtins.list[ExchangeRate]:
        rates = table(ExchangeRateRow)
        query = select(rates).order_by(rates.c.day.desc(), rates.c.base, rates.c.quote)
        if quote is not None:
            query = query.where(rates.c.quote == quote)
        if since is not None:
            query = query.where(rates.c.day >= since)
        if until is not None:
            query = query.where(rates.c.day <= until)
        if limit is not None:
            query = query.limit(limit)
        return [build_rate(row) for row in self.session.execute(query)]

    def page(self, offset: int, limit: int) -> tuple[int, builtins.list[ExchangeRate]]:
        """How many rates are stored, and ``limit`` of them from ``offset`` (newest day
        first, then by pair), so that a page reads one page of rows."""
        rates = table(ExchangeRateRow)
        total = self.session.execute(select(func.count()).select_from(rates)).scalar_one()
        query = (
            select(rates)
            .order_by(rates.c.day.desc(), rates.c.base, rates.c.quote)
            .offset(offset)
            .limit(limit)
        )
        return int(total), [build_rate(row) for row in self.session.execute(query)]

    def count(self) -> int:
        rates = table(ExchangeRateRow)
        return len(self.session.execute(select(rates.c.id)).all())
