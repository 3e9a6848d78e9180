"""Sanctions licences, the payments made under them, and the fund's sanctions policy.

Revision ID: 0028
Revises: 0025
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fund") as batch:
        batch.add_column(sa.Column("sanctions", sa.JSON(), nullable=False, server_default="{}"))
    op.create_table(
        "licences",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("authority", sa.String(length=300), nullable=False),
        sa.Column("authority_ru", sa.String(length=300), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("legal_basis", sa.String(length=300), nullable=False),
        sa.Column("legal_basis_ru", sa.String(length=300), nullable=False),
        sa.Column("counterparties", sa.JSON(), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("max_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=300), nullable=False),
        sa.Column("scope_ru", sa.String(length=300), nullable=False),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=300), nullable=False),
        sa.CheckConstraint("kind IN ('licence', 'exemption')", name=op.f("ck_licences_kind")),
        sa.CheckConstraint("valid_until >= valid_from", name=op.f("ck_licences_dates")),
        sa.CheckConstraint(
            "max_amount_minor IS NULL OR max_amount_minor > 0",
            name=op.f("ck_licences_cap_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licences")),
        sa.UniqueConstraint("authority", "reference", name=op.f("uq_licences_authority")),
    )
    op.create_table(
        "licence_uses",
        sa.Column("licence_id", sa.String(length=64), nullable=False),
        sa.Column("tranche_id", sa.String(length=64), nullable=False),
        sa.Column("counterparties", sa.JSON(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_licence_uses_amount_positive")),
        sa.ForeignKeyConstraint(
            ["licence_id"], ["licences.id"], name=op.f("fk_licence_uses_licence_id_licences")
        ),
        sa.ForeignKeyConstraint(
            ["tranche_id"], ["tranches.id"], name=op.f("fk_licence_uses_tranche_id_tranches")
        ),
        sa.PrimaryKeyConstraint("licence_id", "tranche_id", name=op.f("pk_licence_uses")),
    )


def downgrade() -> None:
    op.drop_table("licence_uses")
    op.drop_table("licences")
    with op.batch_alter_table("fund") as batch:
        batch.drop_column("sanctions")
