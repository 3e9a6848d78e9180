"""Results: an indicator's direction (lower is better), and the decision on the
unearned remainder of a tranche paid by results.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("result_indicators") as batch:
        batch.add_column(
            sa.Column("direction", sa.String(length=32), nullable=False, server_default="increase")
        )
    op.create_table(
        "tranche_remainder_decisions",
        sa.Column("tranche_id", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=300), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tranche_id"],
            ["tranches.id"],
            name="fk_tranche_remainder_decisions_tranche_id_tranches",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tranche_id", name="pk_tranche_remainder_decisions"),
    )


def downgrade() -> None:
    op.drop_table("tranche_remainder_decisions")
    with op.batch_alter_table("result_indicators") as batch:
        batch.drop_column("direction")
