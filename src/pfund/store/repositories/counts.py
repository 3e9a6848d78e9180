"""Row counts of every table, for tests and checks that must show nothing changed."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pfund.store.tables import metadata


def table_counts(session: Session) -> dict[str, int]:
    """Rows per table, by table name (the audit head's single row included)."""
    return {
        t.name: session.scalar(select(func.count()).select_from(t)) or 0
        for t in metadata.sorted_tables
    }
