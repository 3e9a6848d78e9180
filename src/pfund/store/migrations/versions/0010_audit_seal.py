"""Audit seal: keyed chain with row states, and append-only evidence tables.

Each audit event gains ``rows`` (the digests of the rows it changed) and ``scheme``:
events already stored keep the plain SHA-256 they were hashed with (``sha256``); new
ones are HMAC'd with the installation's audit key (``hmac-sha256``). The old events are
accepted only as the start of the chain, once ``pfund audit seal`` has vouched for them.

The audit log, the ledger and the history of condition changes join the hit decisions
(0006) as append-only: triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL),
whoever sends them.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here: what this revision made append-only (hit_decisions already is, by 0006).
TABLES = ("audit_events", "ledger_entries", "condition_changes")
MESSAGE = "%s is append-only: record a new entry instead of changing or removing one"


def _sqlite_create(table: str) -> list[str]:
    message = MESSAGE % table
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        for verb in ("UPDATE", "DELETE")
    ]


POSTGRES_FUNCTION = (
    "CREATE FUNCTION pfund_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION '% is append-only: record a new entry instead of changing or "
    "removing one', TG_TABLE_NAME; END; $$"
)


def _postgres_create(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION pfund_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION pfund_append_only()",
    ]


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("rows", sa.Text(), server_default="{}", nullable=False))
    op.add_column(
        "audit_events",
        sa.Column("scheme", sa.String(length=16), server_default="sha256", nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in TABLES:
            for statement in _sqlite_create(table):
                op.execute(statement)
    elif dialect == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for table in (*TABLES, "hit_decisions"):
            if table == "hit_decisions":
                op.execute(
                    "CREATE TRIGGER hit_decisions_no_truncate BEFORE TRUNCATE ON hit_decisions "
                    "FOR EACH STATEMENT EXECUTE FUNCTION pfund_append_only()"
                )
                continue
            for statement in _postgres_create(table):
                op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in TABLES:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    elif dialect == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP TRIGGER IF EXISTS hit_decisions_no_truncate ON hit_decisions")
        op.execute("DROP FUNCTION IF EXISTS pfund_append_only()")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("scheme")
        batch.drop_column("rows")
