"""The declarative base and the constraint naming convention every table shares.

Named constraints make Alembic migrations deterministic: SQLite and PostgreSQL get the
same names, and a later migration can drop a constraint by a name it can predict.
"""

from __future__ import annotations

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# Column types used across tables, so one length rule holds everywhere.
ID = String(64)
CODE = String(64)
ENUM = String(32)
CURRENCY = String(3)
TITLE = String(300)

# ``info`` of a column that holds protected values sealed at rest (pfund.store.crypto):
# its type is unbounded text, and the limit of the plain value is the domain model's.
SEALED = {"encrypted": True}


class Base(DeclarativeBase):
    """Row classes only: domain objects live in :mod:`pfund.domain` and never subclass this."""

    metadata = metadata
