"""Donor receipts reversible: a receipt's status, and the reversal of one booked in error.

- ``donor_receipts.status``: ``booked`` (every receipt so far) or ``reversed``;
- ``donor_receipt_reversals``: who took a receipt back, when, why, and the last of its
  opposing ledger entries; keyed by the receipt, so a second reversal is refused.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("donor_receipts") as batch:
        batch.add_column(
            sa.Column("status", sa.String(length=32), server_default="booked", nullable=False)
        )
        batch.create_check_constraint(
            op.f("ck_donor_receipts_status_known"), "status IN ('booked', 'reversed')"
        )
    op.create_table(
        "donor_receipt_reversals",
        sa.Column("agreement_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("ledger_entry_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("reason <> ''", name=op.f("ck_donor_receipt_reversals_reason_given")),
        sa.ForeignKeyConstraint(
            ["agreement_id", "number"],
            ["donor_receipts.agreement_id", "donor_receipts.number"],
            name=op.f("fk_donor_receipt_reversals_agreement_id_donor_receipts"),
        ),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_donor_receipt_reversals_ledger_entry_id_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("agreement_id", "number", name=op.f("pk_donor_receipt_reversals")),
    )


def downgrade() -> None:
    op.drop_table("donor_receipt_reversals")
    with op.batch_alter_table("donor_receipts") as batch:
        batch.drop_constraint(op.f("ck_donor_receipts_status_known"), type_="check")
        batch.drop_column("status")
