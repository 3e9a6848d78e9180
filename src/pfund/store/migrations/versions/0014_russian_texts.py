"""The fund's own texts in Russian beside the English: a ``_ru`` column for each.

A project's description, an outcome's name, a condition's definition and a stage's
description are read on the portal; each gets a Russian twin, empty when the data set
gives none (pages then fall back to the English).

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: list[tuple[str, str, sa.types.TypeEngine[str]]] = [
    ("projects", "description_ru", sa.Text()),
    ("project_outcomes", "name_ru", sa.String(300)),
    ("conditions", "definition_ru", sa.Text()),
    ("stages", "description_ru", sa.Text()),
]


def upgrade() -> None:
    for table, column, kind in COLUMNS:
        op.add_column(table, sa.Column(column, kind, nullable=False, server_default=""))


def downgrade() -> None:
    for table, column, _ in reversed(COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
