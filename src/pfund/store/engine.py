"""Engines and sessions, built from a URL the caller passes in (never at import time)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; on SQLite foreign keys are switched on for every connection.

    SQLite ignores foreign keys unless each connection asks for them, and the store relies
    on them (a project's region must exist) exactly as PostgreSQL does. The web service
    reads while background jobs write, so SQLite runs in WAL mode (readers never wait
    for a writer) and a writer waits up to 15 s for another instead of failing at once.

    SQLite transactions are begun by the engine, not by pysqlite (which would begin one
    only at the first write, after the reads a use case bases that write on): a
    connection asked for with the ``WRITE`` execution option begins ``BEGIN IMMEDIATE``
    and so holds the database's write lock before its first read; any other begins a
    plain (deferred) transaction. This is SQLAlchemy's documented pysqlite recipe.
    """
    options: dict[str, Any] = {}
    if url.startswith("postgresql"):
        # The web service runs requests on up to 40 threads per worker: a pool that
        # keeps 20 connections open spares a new server process per burst.
        options = {"pool_size": 20, "max_overflow": 20}
    engine = create_engine(url, echo=echo, future=True, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


# The execution option a unit of work sets on its connection to take the write lock first.
WRITE = "pfund_write"


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:  # noqa: ARG001
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()
    # pysqlite emits no BEGIN of its own from now on: _sqlite_begin does.
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Connection) -> None:
    """Begin IMMEDIATE (the write lock now) for writers, DEFERRED for everyone else."""
    write = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit, so results outlive the transaction."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
