"""Backup and restore of the whole store, encrypted, portable between SQLite and PostgreSQL.

A backup holds everything, protected names and contacts of partners included, so it is
never written in the clear: the gzip'd JSON lines are encrypted with a passphrase in the
age format (pyrage, the Python binding of rage), which the standard ``age -d`` command
also opens. Rows are written table by table in foreign-key order, with their values in
JSON (dates ISO 8601, money as decimal strings), so a SQLite store restores into
PostgreSQL and back. A restore goes into an empty store of the same schema revision, in
one transaction that re-checks the audit chain before it commits.

Protected fields are sealed in the database with the installation's data key
(:mod:`pfund.store.crypto`); a backup holds them decrypted, inside the age encryption,
and a restore seals them again with the target's own key. So a backup opens with its
passphrase alone, on another installation with other keys too, and losing a keys file
does not lose the backups. The header carries a digest of each table's content
(protected values decrypted), and a restore recomputes them from what it wrote before
it commits: the round trip is checked by content, not by counts.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pyrage import DecryptError, passphrase
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    Numeric,
    Table,
    select,
    text,
)
from sqlalchemy.orm import Session

import pfund
from pfund.domain.account import Permission
from pfund.errors import Conflict, IntegrityFailure, InvalidInput, Problem
from pfund.services.audit import AuditWriter, verify
from pfund.services.runtime import Runtime
from pfund.store.crypto import SPECS, FieldCipher
from pfund.store.migrate import current_revision
from pfund.store.repositories import table_counts
from pfund.store.row_state import UNTRACKED
from pfund.store.tables import metadata

# Derived tables (balances the database keeps from the ledger, the money lock row) are
# rebuilt by the store itself and so are neither written nor restored.
BACKED_UP = [t for t in metadata.sorted_tables if not t.info.get("derived")]

FORMAT = "pfund-backup"
FORMAT_VERSION = 1
MIN_PASSPHRASE = 12


class BackupHeader(BaseModel):
    """The first line of a backup: what it holds and where the store stood."""

    format: str
    format_version: int
    pfund_version: str
    revision: str
    created_at: datetime
    tables: dict[str, int]
    audit_seq: int
    audit_hash: str
    digests: dict[str, str] = {}
    # Fingerprint of the audit key that sealed the chain ("" in backups before 0010).
    audit_key: str = ""


class RestoreReport(BaseModel):
    file: str
    revision: str
    created_at: datetime
    tables: dict[str, int]
    audit_events: int


def check_passphrase(secret: str) -> str:
    if len(secret) < MIN_PASSPHRASE:
        raise InvalidInput(
            "the passphrase is too short",
            [Problem(f"use at least {MIN_PASSPHRASE} characters", field="passphrase")],
        )
    return secret


def backup(rt: Runtime, path: Path, secret: str) -> BackupHeader:
    """Write the whole store to ``path``, encrypted with ``secret``.

    The backup is itself an audit event (who took a copy of protected data, and when),
    recorded first so that the copy holds it. Rows are read in one transaction and the
    audit head is read again at the end: if anything was written meanwhile the copy
    might not be consistent, so it is refused rather than kept.
    """
    rt.require(Permission.MANAGE_STORE)
    check_passphrase(secret)
    with rt.uow() as uow:
        AuditWriter(uow, rt.actor).record("store.backed_up", "store", "backup", {"file": path.name})
        uow.commit()
    revision = current_revision(rt.engine) or ""
    with rt.uow() as uow:
        session = uow.session
        seq, head_hash = uow.audit.head(lock=False)
        counts = table_counts(session)  # derived tables too: restore rebuilds them
        header = BackupHeader(
            format=FORMAT,
            format_version=FORMAT_VERSION,
            pfund_version=pfund.__version__,
            revision=revision,
            created_at=datetime.now(UTC),
            tables=counts,
            audit_seq=seq,
            audit_hash=head_hash,
            audit_key=uow.keys.fingerprint("audit"),
        )
        body = io.BytesIO()
        digests: dict[str, str] = {}
        for table in BACKED_UP:
            digest = hashlib.sha256()
            for row in _rows(session, table, uow.cipher):
                digest.update(_canonical(row))
                line = json.dumps({"t": table.name, "r": row}, ensure_ascii=False)
                body.write(line.encode("utf-8") + b"\n")
            digests[table.name] = digest.hexdigest()
        header.digests = digests
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as out:
            out.write(header.model_dump_json().encode("utf-8") + b"\n")
            out.write(body.getvalue())
        if uow.audit.head(lock=False) != (seq, head_hash):
            raise Conflict("the store changed while it was being copied; run the backup again")
    path.write_bytes(passphrase.encrypt(buffer.getvalue(), secret))
    return header


def restore(rt: Runtime, path: Path, secret: str) -> RestoreReport:
    """Restore a backup into this store, which must be empty and at the same revision."""
    rt.require(Permission.MANAGE_STORE)
    header, lines = _read(path, secret)
    revision = current_revision(rt.engine) or ""
    if header.revision != revision:
        raise InvalidInput(
            f"{path.name} was written at schema revision {header.revision}; this store is at "
            f"{revision}",
            [Problem("restore it with the pfund version that wrote it", file=path.name)],
        )
    _refuse_other_audit_key(rt, header, path)
    tables = {t.name: t for t in BACKED_UP}
    with rt.uow() as uow:
        session = uow.session
        _refuse_unless_empty(session, path)
        session.info[UNTRACKED] = True  # the restored rows come with their own events
        session.execute(tables["audit_head"].delete())
        found = dict.fromkeys(tables, 0)
        batch: list[dict[str, Any]] = []  # consecutive rows of one table, with one set of keys
        into = tables["audit_head"]
        for number, line in enumerate(lines, start=2):
            name, row = _parsed(line, number, path, tables)
            values = _decoded(tables[name], row)
            if name in SPECS:
                values = uow.cipher.seal(name, values)
            if batch and (tables[name] is not into or values.keys() != batch[0].keys()):
                _insert(session, into, batch)
            into = tables[name]
            batch.append(values)
            if len(batch) == INSERT_BATCH:
                _insert(session, into, batch)
            found[name] += 1
        _insert(session, into, batch)
        if found != {name: header.tables.get(name, 0) for name in tables}:
            raise InvalidInput(
                f"{path.name} is incomplete: its rows do not match the counts of its header",
                [Problem("the file was cut short or edited", file=path.name)],
            )
        _advance_sequences(session)
        _check_digests(session, uow.cipher, header, path)
        if uow.audit.head(lock=False) != (header.audit_seq, header.audit_hash):
            raise IntegrityFailure(f"{path.name}: the audit head does not match its header")
        audit = verify(uow)
        broken = [b for b in audit.breaks if b.kind != "unsealed"]
        if broken or audit.row_breaks or not audit.head_matches:
            raise IntegrityFailure(
                f"{path.name}: the restored audit chain is broken; nothing was restored",
                [Problem(b.detail) for b in broken] + [Problem(r.detail) for r in audit.row_breaks],
            )
        session.info[UNTRACKED] = False
        AuditWriter(uow, rt.actor).record(
            "store.restored",
            "store",
            "restore",
            {"file": path.name, "backup_created_at": header.created_at.isoformat()},
        )
        uow.commit()
    return RestoreReport(
        file=path.name,
        revision=header.revision,
        created_at=header.created_at,
        tables={k: v for k, v in found.items() if v},
        audit_events=audit.events,
    )


# Rows inserted by one statement at most (an executemany: one compiled statement for the
# batch, where a statement per row with its values inlined was compiled for every row).
INSERT_BATCH = 1000


def _insert(session: Session, table: Table, batch: list[dict[str, Any]]) -> None:
    """Insert ``batch`` (rows of ``table`` in file order, with the same keys) and empty it."""
    if batch:
        session.execute(table.insert(), batch)
        batch.clear()


def _refuse_other_audit_key(rt: Runtime, header: BackupHeader, path: Path) -> None:
    """A chain sealed with another installation's audit key cannot be checked here.

    Rather than re-sealing someone else's history with this key (which would vouch for
    whatever the file holds), the restore is refused: restore it where the keys file of
    the installation that wrote it is in use (PFUND_KEYS_FILE), which the protected
    fields need as well.
    """
    mine = rt.keys.fingerprint("audit")
    if header.audit_key and header.audit_key != mine:
        raise InvalidInput(
            f"{path.name} was sealed with audit key {header.audit_key}; this installation's "
            f"audit key is {mine}",
            [
                Problem(
                    "restore it with the keys file of the installation that wrote it "
                    "(set PFUND_KEYS_FILE to that file)",
                    file=path.name,
                )
            ],
        )


def table_digests(session: Session, cipher: FieldCipher) -> dict[str, str]:
    """A SHA-256 of each table's rows as a backup holds them (protected values opened).

    Equal digests mean equal contents, whichever database and data key hold them.
    """
    digests = {}
    for table in metadata.sorted_tables:
        digest = hashlib.sha256()
        for row in _rows(session, table, cipher):
            digest.update(_canonical(row))
        digests[table.name] = digest.hexdigest()
    return digests


def _check_digests(session: Session, cipher: FieldCipher, header: BackupHeader, path: Path) -> None:
    """Refuse a restore whose rows, read back, are not the rows the backup was taken of."""
    if not header.digests:
        return
    found = table_digests(session, cipher)
    differ = sorted(name for name, digest in header.digests.items() if found.get(name) != digest)
    if differ:
        raise IntegrityFailure(
            f"{path.name}: the restored rows differ from the backup's; nothing was restored",
            [Problem(f"table {name} differs", file=path.name) for name in differ],
        )


def _rows(session: Session, table: Table, cipher: FieldCipher) -> Iterator[dict[str, Any]]:
    """The table's rows in key order, JSON-ready, protected values decrypted."""
    order = list(table.primary_key.columns) or list(table.columns)
    sealed = table.name in SPECS
    for row in session.execute(select(table).order_by(*order)).mappings():
        values = cipher.open(table.name, row) if sealed else row
        yield {k: _encoded(v) for k, v in values.items()}


def _canonical(row: dict[str, Any]) -> bytes:
    return json.dumps(row, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n"


def _encoded(value: Any) -> Any:
    if isinstance(value, datetime):
        # SQLite gives stored times back naive (they were written in UTC), PostgreSQL
        # aware: one form, so that the same row reads the same from either.
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):  # evidence files: base64 text in the JSON lines
        return base64.b64encode(value).decode("ascii")
    return value


def _decoded(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    unknown = set(row) - set(table.columns.keys())
    if unknown:
        raise InvalidInput(f"table {table.name} has no column {sorted(unknown)[0]}")
    out: dict[str, Any] = {}
    for name, value in row.items():
        kind = table.columns[name].type
        if value is None:
            out[name] = None
        elif isinstance(kind, DateTime):
            out[name] = datetime.fromisoformat(value)
        elif isinstance(kind, Date):
            out[name] = date.fromisoformat(value)
        elif isinstance(kind, Numeric) and isinstance(value, str):
            out[name] = Decimal(value)
        elif isinstance(kind, Boolean):
            out[name] = bool(value)
        elif isinstance(kind, LargeBinary) and isinstance(value, str):
            out[name] = base64.b64decode(value, validate=True)
        else:
            out[name] = value
    return out


def _read(path: Path, secret: str) -> tuple[BackupHeader, list[str]]:
    try:
        sealed = path.read_bytes()
    except OSError as err:
        raise InvalidInput(f"cannot read {path.name}: {err.strerror}") from None
    try:
        plain = gzip.decompress(passphrase.decrypt(sealed, secret))
    except DecryptError:
        raise InvalidInput(
            f"cannot open {path.name}",
            [Problem("wrong passphrase, or not a pfund backup", file=path.name)],
        ) from None
    lines = plain.decode("utf-8").splitlines()
    try:
        header = BackupHeader.model_validate_json(lines[0] if lines else "")
    except ValueError:
        raise InvalidInput(
            f"{path.name} is not a pfund backup", [Problem("no header", file=path.name, row=1)]
        ) from None
    if header.format != FORMAT or header.format_version != FORMAT_VERSION:
        raise InvalidInput(
            f"{path.name}: unknown backup format {header.format} {header.format_version}"
        )
    return header, lines[1:]


def _parsed(
    line: str, number: int, path: Path, tables: dict[str, Table]
) -> tuple[str, dict[str, Any]]:
    try:
        item = json.loads(line)
        name, row = item["t"], item["r"]
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(
            f"{path.name}: line {number} is not a row", [Problem("bad line", row=number)]
        ) from None
    if name not in tables or not isinstance(row, dict):
        raise InvalidInput(
            f"{path.name}: line {number} names an unknown table",
            [Problem(f"unknown table '{name}'", file=path.name, row=number)],
        )
    return name, row


def _refuse_unless_empty(session: Session, path: Path) -> None:
    """Only into a store holding nothing but the empty audit head a migration makes."""
    filled = [
        t.name
        for t in BACKED_UP
        if t.name != "audit_head" and session.scalar(select(t).limit(1)) is not None
    ]
    if filled:
        raise Conflict(
            f"this store is not empty ({', '.join(filled[:5])}...); restore {path.name} into "
            "a new database",
        )


def _advance_sequences(session: Session) -> None:
    """PostgreSQL's serial sequences do not see explicit ids: move each past its rows."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in BACKED_UP:
        for column in table.primary_key.columns:
            if isinstance(column.type, Integer) and column.autoincrement is True:
                session.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence(:t, :c), "
                        f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
                    ),
                    {"t": table.name, "c": column.name},
                )
