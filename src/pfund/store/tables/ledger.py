"""Rows of tranches, the conditions gating them, and the double-entry ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import CODE, CURRENCY, ENUM, ID, Base

# A tranche is paid once: its disbursement entry. A release is not unique here because a
# tranche frozen while planned and unfrozen by a person's decision is released again; a
# second release without a new commitment is refused by the per-tranche balance of
# ``committed``, which may not go below zero (ck_ledger_balances_not_negative).
ONCE_PER_TRANCHE = "debit = 'disbursed' AND credit = 'released'"


class TrancheRow(Base):
    __tablename__ = "tranches"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(ID, ForeignKey("projects.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(CURRENCY)
    stage: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(ENUM, index=True)
    # A tranche of a project in another currency (see pfund.domain.ledger.Tranche): the
    # project's amount in its minor units, and the commitment's rate as exact decimal text
    # and its ISO day. Never NULL: 0 and "" for a tranche in the fund's own currency, the
    # values rows stored before these columns digest as (pfund.store.row_state).
    original_amount_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    original_currency: Mapped[str] = mapped_column(CURRENCY, default="", server_default="")
    rate: Mapped[str] = mapped_column(String(40), default="", server_default="")
    rate_date: Mapped[str] = mapped_column(String(10), default="", server_default="")
    rate_source: Mapped[str] = mapped_column(String(300), default="", server_default="")


class TrancheConditionRow(Base):
    __tablename__ = "tranche_conditions"

    tranche_id: Mapped[str] = mapped_column(
        ID, ForeignKey("tranches.id", ondelete="CASCADE"), primary_key=True
    )
    condition: Mapped[str] = mapped_column(
        CODE, ForeignKey("conditions.code"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)


class LedgerEntryRow(Base):
    """One movement between two accounts; the amount in minor units of ``currency``.

    Times are stored in UTC: SQLite keeps no offset, so a local time would shift.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        Index(
            "uq_ledger_entries_tranche_step",
            "tranche_id",
            "debit",
            "credit",
            unique=True,
            sqlite_where=text(ONCE_PER_TRANCHE),
            postgresql_where=text(ONCE_PER_TRANCHE),
        ),
        Index(
            "uq_ledger_entries_contribution",
            "contributor",
            "year",
            "debit",
            "credit",
            "correction",
            unique=True,
            sqlite_where=text("year IS NOT NULL"),
            postgresql_where=text("year IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    debit: Mapped[str] = mapped_column(ENUM)
    credit: Mapped[str] = mapped_column(ENUM)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(CURRENCY)
    contributor: Mapped[str | None] = mapped_column(String(3), index=True)
    project_id: Mapped[str | None] = mapped_column(ID, ForeignKey("projects.id"), index=True)
    tranche_id: Mapped[str | None] = mapped_column(ID, ForeignKey("tranches.id"), index=True)
    memo: Mapped[str] = mapped_column(Text, default="")
    # A contribution's year, and how many reversals of the same movement came before it
    # (0 for the first record of a member's year): one pledge, one receipt, one reversal
    # of each per (member, year, correction), whatever the code that writes them.
    year: Mapped[int | None] = mapped_column(Integer)
    correction: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # An entry of a tranche in another currency: that amount and the rate used (0 and ""
    # for none, never NULL, as for tranches above).
    fx_amount_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    fx_currency: Mapped[str] = mapped_column(CURRENCY, default="", server_default="")
    fx_rate: Mapped[str] = mapped_column(String(40), default="", server_default="")
    fx_rate_date: Mapped[str] = mapped_column(String(10), default="", server_default="")


class LedgerBalanceRow(Base):
    """Each account's balance per scope, kept by a database trigger on every new entry.

    ``scope`` is the contributor (pledged, receivable), "" (the fund balance) or the
    tranche (every other account); balances are in each account's natural sign, so
    ``CHECK (balance_minor >= 0)`` makes an overdraft impossible even for an INSERT that
    bypasses the service. Derived from the ledger, so backups leave it out.
    """

    __tablename__ = "ledger_balances"
    __table_args__ = (
        CheckConstraint("balance_minor >= 0", name="not_negative"),
        {"info": {"derived": True}},
    )

    account: Mapped[str] = mapped_column(ENUM, primary_key=True)
    scope: Mapped[str] = mapped_column(ID, primary_key=True)
    balance_minor: Mapped[int] = mapped_column(BigInteger)


class MoneyLockRow(Base):
    """One row every change of money or conditions locks first (FOR UPDATE on PostgreSQL).

    A fund-wide lock: money writes are few and short, and one lock serialises a
    condition's reversal with the releases its gate would allow.
    """

    __tablename__ = "money_lock"
    __table_args__ = ({"info": {"derived": True}},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class IdempotencyKeyRow(Base):
    """The first answer to a money write sent with an ``Idempotency-Key`` header.

    Written in the transaction that moved the money, so a key exists exactly when its
    movement does; a retry with the same key gets ``status`` and ``body`` back.
    """

    __tablename__ = "idempotency_keys"

    actor: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
