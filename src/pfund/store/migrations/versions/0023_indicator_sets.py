"""Indicator data sets (versioned by content hash), their figures, and proposed condition changes.

Revision ID: 0023
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "indicator_sets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file", sa.String(length=300), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_indicator_sets"),
        sa.UniqueConstraint("sha256", name="uq_indicator_sets_sha256"),
        sa.UniqueConstraint("name", "version", name="uq_indicator_sets_name_version"),
    )
    op.create_table(
        "indicator_values",
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=10), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.String(length=40), nullable=True),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("licence", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["indicator_sets.id"],
            name="fk_indicator_values_set_id_indicator_sets",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("set_id", "area", "indicator", "year", name="pk_indicator_values"),
    )
    op.create_index(
        "ix_indicator_values_indicator", "indicator_values", ["indicator"], unique=False
    )
    op.create_table(
        "condition_proposals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("condition", sa.String(length=64), nullable=False),
        sa.Column("old", sa.String(length=32), nullable=False),
        sa.Column("new", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("sets", sa.JSON(), nullable=False),
        sa.Column("verifier", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["condition"],
            ["conditions.code"],
            name="fk_condition_proposals_condition_conditions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_condition_proposals"),
    )
    op.create_index(
        "ix_condition_proposals_condition", "condition_proposals", ["condition"], unique=False
    )
    op.create_index(
        "ix_condition_proposals_status", "condition_proposals", ["status"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_condition_proposals_status", table_name="condition_proposals")
    op.drop_index("ix_condition_proposals_condition", table_name="condition_proposals")
    op.drop_table("condition_proposals")
    op.drop_index("ix_indicator_values_indicator", table_name="indicator_values")
    op.drop_table("indicator_values")
    op.drop_table("indicator_sets")
