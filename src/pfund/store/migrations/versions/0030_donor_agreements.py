"""Donor agreements (instalments, earmark, fee) and the receipts matched against them.

Revision ID: 0030
Revises: 0028
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "donor_agreements",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("contributor", sa.String(length=3), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_ru", sa.String(length=300), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("signed", sa.Date(), nullable=False),
        sa.Column("admin_fee", sa.String(length=40), nullable=False),
        sa.Column("earmark_areas", sa.JSON(), nullable=False),
        sa.Column("earmark_stages", sa.JSON(), nullable=False),
        sa.Column("instalments", sa.JSON(), nullable=False),
        sa.CheckConstraint("total_minor > 0", name=op.f("ck_donor_agreements_total_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_donor_agreements")),
        sa.UniqueConstraint("reference", name=op.f("uq_donor_agreements_reference")),
    )
    op.create_index(
        op.f("ix_donor_agreements_contributor"), "donor_agreements", ["contributor"], unique=False
    )
    op.create_table(
        "donor_receipts",
        sa.Column("agreement_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("agreement_amount", sa.String(length=40), nullable=False),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("fund_amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("fund_currency", sa.String(length=3), nullable=False),
        sa.Column("fund_rate", sa.String(length=40), nullable=False),
        sa.Column("fund_rate_date", sa.Date(), nullable=False),
        sa.Column("fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("memo", sa.String(length=300), nullable=False),
        sa.Column("ledger_entry_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_donor_receipts_amount_positive")),
        sa.CheckConstraint(
            "fund_amount_minor > 0", name=op.f("ck_donor_receipts_fund_amount_positive")
        ),
        sa.CheckConstraint("fee_minor >= 0", name=op.f("ck_donor_receipts_fee_not_negative")),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["donor_agreements.id"],
            name=op.f("fk_donor_receipts_agreement_id_donor_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_donor_receipts_ledger_entry_id_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("agreement_id", "number", name=op.f("pk_donor_receipts")),
    )


def downgrade() -> None:
    op.drop_table("donor_receipts")
    op.drop_index(op.f("ix_donor_agreements_contributor"), table_name="donor_agreements")
    op.drop_table("donor_agreements")
