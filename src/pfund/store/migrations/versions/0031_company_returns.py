"""The companies' return: imported tracker lists and each company's return pipeline.

Revision ID: 0031
Revises: 0028
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGES = "'operating', 'withdrawn', 'in_contact', 'conditions_agreed', 'returning', 'returned'"


def upgrade() -> None:
    op.create_table(
        "company_lists",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("tracker", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("file", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("tracker IN ('yale', 'kse')", name=op.f("ck_company_lists_tracker")),
        sa.CheckConstraint("rows >= 0", name=op.f("ck_company_lists_rows")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_lists")),
        sa.UniqueConstraint("sha256", name=op.f("uq_company_lists_sha256")),
    )
    op.create_table(
        "company_returns",
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("list_id", sa.String(length=64), nullable=False),
        sa.Column("listed_name", sa.String(length=300), nullable=False),
        sa.Column("tracker", sa.String(length=32), nullable=False),
        sa.Column("grade", sa.String(length=32), nullable=False),
        sa.Column("tracker_status", sa.String(length=32), nullable=False),
        sa.Column("russia_status", sa.String(length=32), nullable=False),
        sa.Column("sector", sa.String(length=300), nullable=False),
        sa.Column("needs_stage", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("in_contact_on", sa.Date(), nullable=True),
        sa.Column("conditions_agreed_on", sa.Date(), nullable=True),
        sa.Column("returning_on", sa.Date(), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.CheckConstraint(f"stage IN ({STAGES})", name=op.f("ck_company_returns_stage")),
        sa.CheckConstraint("needs_stage >= 0", name=op.f("ck_company_returns_needs_stage")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_company_returns_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["list_id"], ["company_lists.id"], name=op.f("fk_company_returns_list_id_company_lists")
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_company_returns")),
    )
    op.create_index(op.f("ix_company_returns_list_id"), "company_returns", ["list_id"])
    op.create_index(op.f("ix_company_returns_stage"), "company_returns", ["stage"])


def downgrade() -> None:
    op.drop_index(op.f("ix_company_returns_stage"), table_name="company_returns")
    op.drop_index(op.f("ix_company_returns_list_id"), table_name="company_returns")
    op.drop_table("company_returns")
    op.drop_table("company_lists")
