"""Columns added to covered tables after the chain began do not make old rows look edited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Integer, MetaData, Table, Text

from pfund.store.row_state import ADDED_LATER, COVERED, state_of
from pfund.store.tables.base import metadata

KEY = b"k" * 32


def _before_upgrade(table: Table) -> Table:
    """The table as it was before the columns ADDED_LATER names."""
    later = ADDED_LATER[table.name]
    old = MetaData()
    columns = [
        Column(c.name, Integer if isinstance(c.type, Integer) else Text)
        for c in table.columns
        if c.name not in later
    ]
    return Table(table.name, old, *columns)


def _row(table: Table) -> dict[str, Any]:
    return {c.name: (7 if isinstance(c.type, Integer) else "x") for c in table.columns}


def test_a_row_holding_the_migration_default_digests_as_before_the_upgrade() -> None:
    for name, later in ADDED_LATER.items():
        assert name in COVERED
        table = metadata.tables[name]
        row = _row(table) | later
        old_row = {k: v for k, v in row.items() if k not in later}
        old_table = _before_upgrade(table)
        assert state_of(KEY, table, row).digest == state_of(KEY, old_table, old_row).digest


def test_a_new_column_edited_away_from_its_default_changes_the_digest() -> None:
    for name, later in ADDED_LATER.items():
        table = metadata.tables[name]
        row = _row(table) | later
        for column, default in later.items():
            edited = row | {column: 2 if isinstance(default, int) else "правка"}
            assert state_of(KEY, table, edited).digest != state_of(KEY, table, row).digest


def test_every_added_column_exists_and_is_never_null() -> None:
    for name, later in ADDED_LATER.items():
        table = metadata.tables[name]
        for column in later:
            assert column in table.columns, f"{name}.{column}"
            assert not table.columns[column].nullable, f"{name}.{column}"
