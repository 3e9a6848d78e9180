"""Persistence: engine factory, SQLAlchemy tables, repositories, unit of work, migrations.

The store imports only :mod:`pfund.domain`; it maps rows to domain objects and back, and
never commits on its own: a service's unit of work decides when a change is final.
"""

from pfund.store.engine import make_engine, make_session_factory
from pfund.store.migrate import current_revision, upgrade
from pfund.store.unit_of_work import UnitOfWork

__all__ = ["UnitOfWork", "current_revision", "make_engine", "make_session_factory", "upgrade"]
