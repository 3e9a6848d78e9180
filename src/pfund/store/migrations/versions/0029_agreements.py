"""Grant agreements and their append-only version history.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "status IN ('draft', 'signed', 'completed', 'closed', 'cancelled')"


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("conditions_precedent", sa.String(length=300), nullable=False),
        sa.Column("conditions_precedent_ru", sa.String(length=300), nullable=False),
        sa.Column("reporting_duties", sa.String(length=300), nullable=False),
        sa.Column("reporting_duties_ru", sa.String(length=300), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.CheckConstraint(STATUSES, name=op.f("ck_agreements_status")),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_agreements_amount_positive")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_agreements_version_positive")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_agreements_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("project_id", name=op.f("uq_agreements_project_id")),
    )
    op.create_index(op.f("ix_agreements_status"), "agreements", ["status"], unique=False)
    op.create_table(
        "agreement_versions",
        sa.Column("agreement_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_agreement_versions_agreement_id_agreements"),
        ),
        sa.PrimaryKeyConstraint("agreement_id", "version", name=op.f("pk_agreement_versions")),
    )


def downgrade() -> None:
    op.drop_table("agreement_versions")
    op.drop_index(op.f("ix_agreements_status"), table_name="agreements")
    op.drop_table("agreements")
