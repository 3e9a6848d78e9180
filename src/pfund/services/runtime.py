"""The running store a use case needs: engine, sessions and the acting user.

Built from Settings by the interfaces (CLI, API) and passed into every use case, so
tests hand in their own database and actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pfund.settings import Settings
from pfund.store.engine import make_engine, make_session_factory
from pfund.store.migrate import upgrade
from pfund.store.unit_of_work import UnitOfWork


@dataclass
class Runtime:
    """An open store and who acts on it."""

    engine: Engine
    sessions: sessionmaker[Session]
    actor: str
    dataset: Path | None = None

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    def close(self) -> None:
        self.engine.dispose()


def open_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Open the configured database, bringing its schema up to date first."""
    engine = make_engine(settings.database_url, echo=settings.echo_sql)
    if migrate:
        upgrade(engine)
    return Runtime(
        engine=engine,
        sessions=make_session_factory(engine),
        actor=settings.actor,
        dataset=settings.dataset,
    )
