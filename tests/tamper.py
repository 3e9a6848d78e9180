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


def insert_behind(engine: Engine, table: str, row: dict[str, object]) -> None:
    """Put a row back as an attacker would: with the table's triggers out of the way.

    A direct DELETE does not run the ledger's balance trigger, so putting the deleted
    entry back must not run its INSERT trigger either, or the balances count it twice.
    """
    columns = ", ".join(f'"{c}"' for c in row)
    values = ", ".join(f":{c}" for c in row)
    insert = text(f"INSERT INTO {table} ({columns}) VALUES ({values})")
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            conn.execute(insert, row)
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
            return
        triggers = conn.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
            {"t": table},
        ).all()
        for name, _ in triggers:
            conn.execute(text(f'DROP TRIGGER "{name}"'))
        conn.execute(insert, row)
        for _, sql in triggers:
            conn.execute(text(sql))
