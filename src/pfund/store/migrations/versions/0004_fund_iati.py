"""The fund's IATI publishing identity: its organisation ref and a sector per area.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fund") as batch:
        batch.add_column(
            sa.Column("iati_org_ref", sa.String(length=100), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("iati_sectors", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("fund") as batch:
        batch.drop_column("iati_sectors")
        batch.drop_column("iati_org_ref")
