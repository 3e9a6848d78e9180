"""The packaged migrations build the schema the row classes describe, on both databases."""

from __future__ import annotations

from collections.abc import Callable

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from pfund.domain.audit import GENESIS_HASH
from pfund.store import UnitOfWork, current_revision, make_engine, upgrade
from pfund.store.migrate import MIGRATIONS, alembic_config
from pfund.store.tables import metadata


def test_migrated_schema_matches_the_tables_exactly(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_every_table_is_built(engine: Engine) -> None:
    built = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= built
    assert "alembic_version" in built


def test_revision_is_none_before_and_head_after_upgrade(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert head == "0035"
        assert current_revision(engine) == head
        upgrade(engine)  # a second upgrade is a no-op
        assert current_revision(engine) == head
    finally:
        engine.dispose()


def test_audit_head_starts_at_genesis(make_uow: Callable[[], UnitOfWork]) -> None:
    with make_uow() as uow:
        assert uow.audit.head(lock=False) == (0, GENESIS_HASH)


def test_migrations_live_inside_the_package() -> None:
    assert MIGRATIONS.is_dir()
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "script.py.mako").is_file()
    assert (MIGRATIONS / "versions" / "0001_initial.py").is_file()
