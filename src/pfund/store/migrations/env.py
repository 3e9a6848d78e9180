"""Alembic environment: migrates the connection pfund hands over, or ``sqlalchemy.url``.

:func:`pfund.store.migrate.upgrade` passes a connection in ``config.attributes``; the
alembic command line (for writing new revisions) falls back to the configured URL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from pfund.store.tables import metadata


def run_on(connection: Connection) -> None:
    """Batch mode on SQLite so later ALTERs work there as they do on PostgreSQL."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url or pass a connection in config.attributes")
    engine = create_engine(url)
    with engine.begin() as own:
        run_on(own)
    engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported; migrate a database")
run_migrations()
