"""Text lengths the store's columns hold (``pfund.store.tables``), as field types.

A value longer than its column must be refused here, at validation, with the field
named, rather than by the database: PostgreSQL refuses it with the whole row in its
error (protected values included), and SQLite keeps it, so that a backup no longer
restores into PostgreSQL. ``tests/domain/test_field_lengths.py`` checks every bounded
column against the field it stores.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

Id = Annotated[str, Field(max_length=64)]  # ids and codes: ID / CODE columns
Word = Annotated[str, Field(max_length=32)]  # kinds and statuses: ENUM columns
Label = Annotated[str, Field(max_length=100)]  # units, kinds, stream and criterion names
Name = Annotated[str, Field(max_length=200)]  # people's roles, actors, reviewers
Title = Annotated[str, Field(max_length=300)]  # names and titles: TITLE columns
Contact = Annotated[str, Field(max_length=320)]  # an e-mail address or a contact line
Url = Annotated[str, Field(max_length=500)]
Digest = Annotated[str, Field(max_length=64)]  # SHA-256 hex
Phone = Annotated[str, Field(max_length=64)]
# Decimals are kept as text (String(40)); 30 significant digits print in under 40.
MAX_DIGITS = 30
