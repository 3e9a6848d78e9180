"""Instruments beyond grants: loans, guarantees, and the ledger's loan accounts.

- ``loans`` and ``guarantees``: a project's instrument when it is not a grant;
- the fund says how it values them (``instruments``: the grant element's discount rate
  and a guarantee's default call probability and loss);
- the balance trigger learns the loan accounts: ``principal_repaid`` and
  ``interest_received`` are credit-normal sources like ``pledged``, and they and
  ``guarantee_calls`` are kept per project (scope: the entry's project id).

Revision ID: 0032
Revises: 0028
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRIBUTOR_ACCOUNTS = "('pledged', 'contributions_receivable')"
FUND_ACCOUNTS = "('fund_balance', 'exchange_loss', 'exchange_gain')"
PROJECT_ACCOUNTS = "('principal_repaid', 'interest_received', 'guarantee_calls')"
SOURCES = "('pledged', 'exchange_gain', 'principal_repaid', 'interest_received')"
OLD_SOURCES = "('pledged', 'exchange_gain')"


def _scope(account: str, project_accounts: str | None) -> str:
    project = (
        f"WHEN {account} IN {project_accounts} THEN COALESCE(NEW.project_id, '') "
        if project_accounts
        else ""
    )
    return (
        f"CASE WHEN {account} IN {CONTRIBUTOR_ACCOUNTS} THEN COALESCE(NEW.contributor, '') "
        f"WHEN {account} IN {FUND_ACCOUNTS} THEN '' {project}"
        "ELSE COALESCE(NEW.tranche_id, '') END"
    )


def _upsert(account: str, sign: str, sources: str, project_accounts: str | None) -> str:
    scope = _scope(account, project_accounts)
    other = "-" if sign == "+" else "+"
    delta = (
        f"CASE WHEN {account} IN {sources} THEN {other}NEW.amount_minor "
        f"ELSE {sign}NEW.amount_minor END"
    )
    where = f"account = {account} AND scope = {scope}"
    return (
        f"UPDATE ledger_balances SET balance_minor = balance_minor + {delta} WHERE {where}; "
        f"INSERT INTO ledger_balances (account, scope, balance_minor) "
        f"SELECT {account}, {scope}, {delta} "
        f"WHERE NOT EXISTS (SELECT 1 FROM ledger_balances WHERE {where})"
    )


def _replace_trigger(sources: str, project_accounts: str | None) -> None:
    body = (
        f"{_upsert('NEW.debit', '+', sources, project_accounts)}; "
        f"{_upsert('NEW.credit', '-', sources, project_accounts)};"
    )
    dialect = op.get_bind().dialect.name
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
    with op.batch_alter_table("fund") as batch:
        batch.add_column(sa.Column("instruments", sa.JSON(), nullable=False, server_default="{}"))
    op.create_table(
        "loans",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("principal_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("annual_rate", sa.String(length=40), nullable=False),
        sa.Column("periods_per_year", sa.Integer(), nullable=False),
        sa.Column("instalments", sa.Integer(), nullable=False),
        sa.Column("grace_periods", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("disbursed_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("principal_minor > 0", name=op.f("ck_loans_principal_positive")),
        sa.CheckConstraint("periods_per_year IN (1, 2, 4, 12)", name=op.f("ck_loans_periods")),
        sa.CheckConstraint("instalments >= 1 AND grace_periods >= 0", name=op.f("ck_loans_counts")),
        sa.CheckConstraint("method IN ('annuity', 'linear')", name=op.f("ck_loans_method")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_loans_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_loans")),
    )
    op.create_table(
        "guarantees",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("exposure_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("beneficiary", sa.String(length=300), nullable=False),
        sa.Column("call_probability", sa.String(length=40), nullable=False),
        sa.Column("loss_given_call", sa.String(length=40), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("exposure_minor > 0", name=op.f("ck_guarantees_exposure_positive")),
        sa.CheckConstraint("valid_until >= valid_from", name=op.f("ck_guarantees_dates")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_guarantees_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_guarantees")),
    )
    _replace_trigger(SOURCES, PROJECT_ACCOUNTS)


def downgrade() -> None:
    held = (
        op.get_bind()
        .execute(
            sa.text(
                f"SELECT COUNT(*) FROM ledger_entries WHERE debit IN {PROJECT_ACCOUNTS} "
                f"OR credit IN {PROJECT_ACCOUNTS}"
            )
        )
        .scalar_one()
    )
    if held:
        raise RuntimeError(
            f"the ledger holds {held} loan or guarantee entries, which the older schema "
            "cannot keep; restore a backup from before them to downgrade"
        )
    _replace_trigger(OLD_SOURCES, None)
    op.drop_table("guarantees")
    op.drop_table("loans")
    with op.batch_alter_table("fund") as batch:
        batch.drop_column("instruments")
