"""Edit a store behind pfund's back, as someone with direct database access would.

The append-only triggers refuse UPDATE and DELETE on the evidence tables; an attacker
who owns the database can drop or disable them first, so the tamper tests do the same
and then check that ``audit verify`` still names the edit.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

GUARDED = ("audit_events", "ledger_entries", "condition_changes", "hit_decisions")


def tamper(engine: Engine, *statements: str) -> None:
    """Run raw SQL statements with the append-only triggers out of the way."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            for table in GUARDED:
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            for table in GUARDED:
                for verb in ("update", "delete"):
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{verb}"))
        for statement in statements:
            conn.execute(text(statement))
        if conn.dialect.name == "postgresql":
            for table in GUARDED:
                conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
