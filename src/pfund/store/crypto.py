"""Protected fields encrypted at rest: AES-GCM, bound to their table, column and row.

A stolen database file or dump must not name the people the fund protects, so every
protected value is written as ``v1:<key id>:<base64(nonce | ciphertext)>`` (AES-256-GCM
from the ``cryptography`` library, a fresh 96-bit random nonce per value). The
associated data is ``pfund:<table>.<column>:<row key>``, so a ciphertext copied into
another row or column does not decrypt. Keys come from the installation's keys file
(:mod:`pfund.keys`), never from the database.

Why the repositories and not a SQLAlchemy ``TypeDecorator``: a column type sees one
value, not its row or the unit of work, so it could neither bind the value to its row
nor take the key of the unit of work (tests and tools open stores with other keys
files). Repositories already build and read plain row dicts; they pass them through
:meth:`FieldCipher.seal` and :meth:`FieldCipher.open`, driven by :data:`SPECS`, the one
list of which columns are protected. Backups, rotation and the status report use the
same list, so a column added there is covered everywhere.

Empty strings and NULL stay as they are: they hold nothing to protect. Values are
decrypted in memory only, when a repository builds a domain object.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import RowMapping, select, update
from sqlalchemy.orm import Session

from pfund.errors import IntegrityFailure, Problem
from pfund.keys import Keys
from pfund.store.tables import metadata

VERSION = "v1"
NONCE_BYTES = 12
TAG_BYTES = 16
_SEALED = re.compile(r"^v1:([A-Za-z0-9_-]{1,64}):([A-Za-z0-9+/]+={0,2})$")


class DataKeyError(IntegrityFailure):
    """A protected value cannot be read: its key is missing or wrong, or it was moved.

    The message names the keys file and the row, never the value.
    """


@dataclass(frozen=True)
class TableSpec:
    """Which columns of one table hold protected values, and what identifies a row.

    ``always`` columns are protected in every row. ``raisable`` columns are protected in
    the rows whose ``protected_fields`` list names them (an organisation that asked for
    its name to be protected); ``json_columns`` hold a list, encrypted as its JSON text.
    """

    table: str
    key: tuple[str, ...]
    always: tuple[str, ...] = ()
    raisable: tuple[str, ...] = ()
    json_columns: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.always + self.raisable

    def protected_in(self, row: Mapping[str, Any] | RowMapping) -> tuple[str, ...]:
        """The columns protected in this row."""
        if not self.raisable:
            return self.always
        raised = set(row.get("protected_fields") or ())
        return self.always + tuple(c for c in self.raisable if c in raised)

    def row_key(self, row: Mapping[str, Any] | RowMapping) -> str:
        return "|".join(str(row[k]) for k in self.key)


# Every protected field the domain marks (pfund.domain.protection.PROTECTED) and the
# column that stores it. Organisation and project fields a record raises through its
# ``protected_fields`` are covered where they are text; references to public records
# (a project's regions and partners, an organisation's kind and country) stay clear.
SPECS: dict[str, TableSpec] = {
    spec.table: spec
    for spec in (
        TableSpec("people", ("id",), always=("name", "email", "phone", "notes")),
        TableSpec(
            "organisations",
            ("id",),
            raisable=("name", "alias", "website", "notes", "areas", "regions", "capabilities"),
            json_columns=("areas", "regions", "capabilities"),
        ),
        TableSpec("vetting_items", ("organisation_id", "criterion"), always=("reviewer",)),
        TableSpec("projects", ("id",), raisable=("description", "description_ru", "notes")),
        TableSpec("project_contacts", ("project_id", "position"), always=("contact",)),
        TableSpec(
            "screening_hits",
            ("counterparty_kind", "counterparty_id", "watchlist_id", "entity_id", "entity_hash"),
            always=("matched", "explanation"),
        ),
        TableSpec("outreach", ("id",), always=("note",)),
        TableSpec(
            "grievances", ("id",), always=("description", "reporter_name", "reporter_contact")
        ),
        TableSpec("grievance_events", ("grievance_id", "position"), always=("reason",)),
        TableSpec("grievance_files", ("grievance_id", "position"), always=("filename", "content")),
        # The person who holds a committee seat, and what they said of a conflict.
        TableSpec("committee_seats", ("id",), always=("holder",)),
        TableSpec("committee_conflicts", ("item_id", "seat_id"), always=("reason",)),
    )
}


def is_sealed(value: Any) -> bool:
    """Whether a stored value has the shape of a ciphertext this module wrote."""
    return isinstance(value, str) and _SEALED.match(value) is not None


def sealed_key_id(value: Any) -> str | None:
    """The data key id a stored ciphertext names, or None when it is not one."""
    found = _SEALED.match(value) if isinstance(value, str) else None
    return found.group(1) if found else None


def is_clear(value: Any) -> bool:
    """A stored value that holds something and is not encrypted (a legacy clear value)."""
    if value is None or value == "" or value == []:
        return False
    return not is_sealed(value)


class FieldCipher:
    """Seals and opens the protected columns of row dicts with one installation's keys.

    ``keys`` is a callable so that a unit of work that never touches a protected field
    never reads the keys file.
    """

    def __init__(self, keys: Keys | Callable[[], Keys]) -> None:
        self._source = keys
        self._aead: dict[str, AESGCM] = {}

    @property
    def keys(self) -> Keys:
        source = self._source
        if isinstance(source, Keys):
            return source
        self._source = resolved = source()
        return resolved

    def _where(self) -> str:
        path = self.keys.path
        return str(path) if path is not None else "the keys in use"

    def _aes(self, key_id: str) -> AESGCM:
        if key_id not in self._aead:
            key = self.keys.data_keys.get(key_id)
            if key is None:
                raise DataKeyError(
                    f"protected values are encrypted with data key {key_id}, which the keys "
                    f"file {self._where()} does not hold",
                    [Problem("use the keys file this store was written with", self._where())],
                )
            self._aead[key_id] = AESGCM(key)
        return self._aead[key_id]

    # -- one value ---------------------------------------------------------------

    def encrypt(self, plain: str, *, table: str, column: str, row: str) -> str:
        key_id = self.keys.data_key_id
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aes(key_id).encrypt(nonce, plain.encode("utf-8"), _aad(table, column, row))
        return f"{VERSION}:{key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, stored: str, *, table: str, column: str, row: str) -> str:
        found = _SEALED.match(stored)
        where = f"{table}.{column} of row {row}"
        if found is None:
            raise DataKeyError(
                f"{where} is stored in clear",
                [Problem("run 'pfund keys encrypt' to encrypt the remaining clear values")],
            )
        key_id, body = found.groups()
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise DataKeyError(f"{where} is not a valid ciphertext", [Problem("it was altered")])
        try:
            plain = self._aes(key_id).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(table, column, row)
            )
        except InvalidTag:
            raise DataKeyError(
                f"cannot decrypt {where} with data key {key_id} of {self._where()}",
                [
                    Problem(
                        "the key is wrong, or the value was altered or moved from another row",
                        self._where(),
                    )
                ],
            ) from None
        return plain.decode("utf-8")

    # -- whole rows --------------------------------------------------------------

    def seal(self, table: str, row: Mapping[str, Any] | RowMapping) -> dict[str, Any]:
        """The row with its protected columns encrypted (for INSERT/UPDATE)."""
        spec = SPECS[table]
        out: dict[str, Any] = dict(row)
        key = spec.row_key(row)
        for column in spec.protected_in(row):
            if column not in out:
                continue
            value = out[column]
            if value is None or value == "" or value == []:
                continue
            text = json.dumps(value, ensure_ascii=False) if column in spec.json_columns else value
            out[column] = self.encrypt(str(text), table=table, column=column, row=key)
        return out

    def open(self, table: str, row: Mapping[str, Any] | RowMapping) -> dict[str, Any]:
        """The row with its protected columns decrypted (in memory only)."""
        spec = SPECS[table]
        out: dict[str, Any] = dict(row)
        key = spec.row_key(row)
        for column in spec.protected_in(row):
            value = out.get(column)
            if value is None or value == "" or (column in spec.json_columns and value == []):
                continue
            plain = self.decrypt(str(value), table=table, column=column, row=key)
            out[column] = json.loads(plain) if column in spec.json_columns else plain
        return out

    def open_all(self, table: str, rows: Iterable[Any]) -> list[dict[str, Any]]:
        """Rows (Core ``Row`` objects or mappings) opened, in order."""
        return [self.open(table, _mapping(r)) for r in rows]


def _mapping(row: Any) -> Mapping[str, Any]:
    return row._mapping if hasattr(row, "_mapping") else row  # type: ignore[no-any-return]


def _aad(table: str, column: str, row: str) -> bytes:
    return f"pfund:{table}.{column}:{row}".encode()


# -- maintenance: what is sealed with which key, and resealing ------------------------


@dataclass
class SealCensus:
    """How the protected values of a store are held: per data key, and in clear."""

    by_key: dict[str, int]
    clear: dict[str, int]  # "table.column" -> values still in clear

    @property
    def clear_total(self) -> int:
        return sum(self.clear.values())


def _protected_rows(session: Session, spec: TableSpec) -> Iterable[tuple[Any, dict[str, Any]]]:
    """(primary key values, row) of one table, with the columns a census needs."""
    tbl = metadata.tables[spec.table]
    primary = list(tbl.primary_key.columns)
    names = {c.name for c in primary} | set(spec.key) | set(spec.columns)
    if spec.raisable:
        names.add("protected_fields")
    columns = [tbl.c[n] for n in sorted(names)]
    for row in session.execute(select(*columns).order_by(*primary)).mappings():
        yield tuple(row[c.name] for c in primary), dict(row)


def census(session: Session) -> SealCensus:
    """Count the protected values by the data key that sealed them, and those in clear."""
    by_key: dict[str, int] = {}
    clear: dict[str, int] = {}
    for spec in SPECS.values():
        for _, row in _protected_rows(session, spec):
            for column in spec.protected_in(row):
                value = row.get(column)
                if is_clear(value):
                    name = f"{spec.table}.{column}"
                    clear[name] = clear.get(name, 0) + 1
                elif (key_id := sealed_key_id(value)) is not None:
                    by_key[key_id] = by_key.get(key_id, 0) + 1
    return SealCensus(by_key=by_key, clear=clear)


def reseal(session: Session, cipher: FieldCipher, *, clear: bool, old_keys: bool) -> int:
    """Seal values left in clear (``clear``) and/or reseal those sealed with a key other
    than the current one (``old_keys``), with ``cipher``'s current key. Returns how many
    values were written; the caller commits, in one transaction with its audit event."""
    current = cipher.keys.data_key_id
    written = 0
    for spec in SPECS.values():
        tbl = metadata.tables[spec.table]
        primary = list(tbl.primary_key.columns)
        for pk, row in _protected_rows(session, spec):
            changes: dict[str, Any] = {}
            for column in spec.protected_in(row):
                value = row.get(column)
                if clear and is_clear(value):
                    plain = value
                elif old_keys and (kid := sealed_key_id(value)) is not None and kid != current:
                    text = cipher.decrypt(
                        str(value), table=spec.table, column=column, row=spec.row_key(row)
                    )
                    plain = json.loads(text) if column in spec.json_columns else text
                else:
                    continue
                changes[column] = plain
            if not changes:
                continue
            sealed = cipher.seal(spec.table, {**row, **changes})
            values = {c: sealed[c] for c in changes}
            where = [col == value for col, value in zip(primary, pk, strict=True)]
            session.execute(update(tbl).where(*where).values(values))
            written += len(values)
    return written
