"""Protected fields encrypted at rest: their columns become unbounded text.

A ciphertext (``v1:<key id>:<base64>``) is longer than the value it seals, so the
columns that hold protected values lose their length limit; the limit of the plain
value stays in the domain model (``max_length``), the one place it is checked.

Existing clear values cannot be encrypted here (the keys live outside the database);
``open_runtime`` encrypts whatever is left in clear right after migrating, as one
audited step (``pfund keys encrypt`` does the same by hand, ``pfund keys status``
counts what is left).

Revision ID: 0012
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, old type, nullable)
WIDENED: list[tuple[str, str, sa.types.TypeEngine[str], bool]] = [
    ("people", "name", sa.String(300), False),
    ("people", "email", sa.String(320), True),
    ("people", "phone", sa.String(64), False),
    ("organisations", "name", sa.String(300), False),
    ("organisations", "alias", sa.String(300), False),
    ("organisations", "website", sa.String(500), False),
    ("vetting_items", "reviewer", sa.String(200), False),
    ("project_contacts", "contact", sa.String(320), False),
]


def _alter(to_text: bool) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, old, nullable in WIDENED:
        new, was = (sa.Text(), old) if to_text else (old, sa.Text())
        if sqlite:
            _sqlite_retype(table, column, new, nullable)
        else:
            op.alter_column(table, column, type_=new, existing_type=was, existing_nullable=nullable)


def _sqlite_retype(table: str, column: str, new: sa.types.TypeEngine[str], nullable: bool) -> None:
    """Change a column's declared type in place (SQLite 3.35+): add, copy, drop, rename.

    Batch mode would copy the whole table and drop the old one, which the foreign keys of
    its children (outreach -> people, everything -> organisations) refuse inside the
    migration's transaction. SQLite does not enforce a VARCHAR length, so only the
    declared type changes; no value is touched.
    """
    tmp = f"{column}__retyped"
    kind = new.compile(dialect=op.get_bind().dialect)
    constraint = "" if nullable else " NOT NULL DEFAULT ''"
    op.execute(f'ALTER TABLE {table} ADD COLUMN "{tmp}" {kind}{constraint}')
    op.execute(f'UPDATE {table} SET "{tmp}" = "{column}"')
    op.execute(f'ALTER TABLE {table} DROP COLUMN "{column}"')
    op.execute(f'ALTER TABLE {table} RENAME COLUMN "{tmp}" TO "{column}"')


def upgrade() -> None:
    _alter(to_text=True)


def downgrade() -> None:
    # Sealed values do not fit the old lengths: decrypt first (a restore of a backup
    # into an older pfund does that), or this fails on PostgreSQL.
    _alter(to_text=False)
