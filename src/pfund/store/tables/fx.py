"""Exchange rates as published: one rate per currency pair and day, with its source."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import CURRENCY, Base


class ExchangeRateRow(Base):
    """1 ``base`` = ``rate`` ``quote`` on ``day``; the rate is exact decimal text."""

    __tablename__ = "exchange_rates"
    __table_args__ = (UniqueConstraint("base", "quote", "day", name="uq_exchange_rates_pair_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    base: Mapped[str] = mapped_column(CURRENCY)
    quote: Mapped[str] = mapped_column(CURRENCY, index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    rate: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(300))
    source_ru: Mapped[str] = mapped_column(String(300), default="", server_default="")
    file_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
