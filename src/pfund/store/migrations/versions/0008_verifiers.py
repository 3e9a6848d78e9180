"""The fund's register of condition verifiers, beside its other reference data.

An existing database gets an empty register; ``pfund init`` fills it from the data set
(and until then every change of a condition is refused with a message saying so).

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fund") as batch:
        batch.add_column(sa.Column("verifiers", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("fund") as batch:
        batch.drop_column("verifiers")
