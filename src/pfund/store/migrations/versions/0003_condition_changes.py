"""Condition changes: the append-only history of each condition's status.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "condition_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("old", sa.String(length=32), nullable=False),
        sa.Column("new", sa.String(length=32), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("verifier", sa.Text(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["code"], ["conditions.code"], name=op.f("fk_condition_changes_code_conditions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_condition_changes")),
    )
    op.create_index(op.f("ix_condition_changes_code"), "condition_changes", ["code"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_condition_changes_code"), table_name="condition_changes")
    op.drop_table("condition_changes")
