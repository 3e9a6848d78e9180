"""Currencies: exchange rates, converted tranches, and the ledger's exchange accounts.

- ``exchange_rates``: published rates (1 base = rate quote on a day), exact decimal
  text, with their source and the sha256 of the file they came from;
- tranches keep a converted project's own amount and currency with the commitment's
  rate; ledger entries keep the amount in the project's currency and the rate used;
- the fund says how old a rate may be on a day without one (``rate_max_age_days``);
- the balance trigger learns the exchange accounts: ``exchange_gain`` is credit-normal
  like ``pledged``, and both exchange accounts are kept once for the fund (scope '').

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRIBUTOR_ACCOUNTS = "('pledged', 'contributions_receivable')"


def _scope(account: str, fund_accounts: str) -> str:
    return (
        f"CASE WHEN {account} IN {CONTRIBUTOR_ACCOUNTS} THEN COALESCE(NEW.contributor, '') "
        f"WHEN {account} IN {fund_accounts} THEN '' ELSE COALESCE(NEW.tranche_id, '') END"
    )


def _delta(account: str, sign: str, sources: str) -> str:
    other = "-" if sign == "+" else "+"
    return (
        f"CASE WHEN {account} IN {sources} THEN {other}NEW.amount_minor "
        f"ELSE {sign}NEW.amount_minor END"
    )


def _upsert(account: str, sign: str, sources: str, fund_accounts: str) -> str:
    scope = _scope(account, fund_accounts)
    delta = _delta(account, sign, sources)
    where = f"account = {account} AND scope = {scope}"
    return (
        f"UPDATE ledger_balances SET balance_minor = balance_minor + {delta} WHERE {where}; "
        f"INSERT INTO ledger_balances (account, scope, balance_minor) "
        f"SELECT {account}, {scope}, {delta} "
        f"WHERE NOT EXISTS (SELECT 1 FROM ledger_balances WHERE {where})"
    )


def _body(sources: str, fund_accounts: str) -> str:
    return (
        f"{_upsert('NEW.debit', '+', sources, fund_accounts)}; "
        f"{_upsert('NEW.credit', '-', sources, fund_accounts)};"
    )


def _replace_trigger(sources: str, fund_accounts: str) -> None:
    dialect = op.get_bind().dialect.name
    body = _body(sources, fund_accounts)
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS ledger_balances_on_entry")
        op.execute(
            "CREATE TRIGGER ledger_balances_on_entry AFTER INSERT ON ledger_entries "
            f"BEGIN {body} END"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION ledger_balances_apply() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NEW; END; $$"
        )


def upgrade() -> None:
    op.create_table(
        "exchange_rates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("base", sa.String(length=3), nullable=False),
        sa.Column("quote", sa.String(length=3), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rates")),
        sa.UniqueConstraint("base", "quote", "day", name="uq_exchange_rates_pair_day"),
    )
    op.create_index(op.f("ix_exchange_rates_quote"), "exchange_rates", ["quote"])
    op.create_index(op.f("ix_exchange_rates_day"), "exchange_rates", ["day"])
    # plain ADD COLUMN (no batch): a batch rebuild on SQLite would drop the triggers
    # never NULL: 0 and "" are what rows stored before digest as (row_state.ADDED_LATER)
    for table, name, kind, default in (
        ("tranches", "original_amount_minor", sa.BigInteger(), "0"),
        ("tranches", "original_currency", sa.String(length=3), ""),
        ("tranches", "rate", sa.String(length=40), ""),
        ("tranches", "rate_date", sa.String(length=10), ""),
        ("tranches", "rate_source", sa.String(length=300), ""),
        ("ledger_entries", "fx_amount_minor", sa.BigInteger(), "0"),
        ("ledger_entries", "fx_currency", sa.String(length=3), ""),
        ("ledger_entries", "fx_rate", sa.String(length=40), ""),
        ("ledger_entries", "fx_rate_date", sa.String(length=10), ""),
    ):
        op.add_column(table, sa.Column(name, kind, server_default=default, nullable=False))
    op.add_column(
        "fund",
        sa.Column("rate_max_age_days", sa.Integer(), server_default="4", nullable=False),
    )
    _replace_trigger(
        "('pledged', 'exchange_gain')", "('fund_balance', 'exchange_loss', 'exchange_gain')"
    )


def downgrade() -> None:
    bind = op.get_bind()
    held = bind.execute(
        sa.text(
            "SELECT COUNT(*) FROM ledger_entries WHERE debit IN ('exchange_loss', "
            "'exchange_gain') OR credit IN ('exchange_loss', 'exchange_gain')"
        )
    ).scalar_one()
    if held:
        raise RuntimeError(
            f"the ledger holds {held} exchange entries, which the older schema cannot keep; "
            "restore a backup from before them to downgrade"
        )
    _replace_trigger("('pledged')", "('fund_balance')")
    for table, column in (
        ("fund", "rate_max_age_days"),
        ("ledger_entries", "fx_rate_date"),
        ("ledger_entries", "fx_rate"),
        ("ledger_entries", "fx_currency"),
        ("ledger_entries", "fx_amount_minor"),
        ("tranches", "rate_source"),
        ("tranches", "rate_date"),
        ("tranches", "rate"),
        ("tranches", "original_currency"),
        ("tranches", "original_amount_minor"),
    ):
        op.drop_column(table, column)
    op.drop_index(op.f("ix_exchange_rates_day"), table_name="exchange_rates")
    op.drop_index(op.f("ix_exchange_rates_quote"), table_name="exchange_rates")
    op.drop_table("exchange_rates")
