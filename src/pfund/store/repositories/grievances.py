"""Grievances: reports, their steps and files; sealed columns pass through the cipher."""

from __future__ import annotations

import base64
import builtins
import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pfund.domain.audit import utc
from pfund.domain.grievance import (
    Grievance,
    GrievanceEvent,
    GrievanceFile,
    GrievanceStatus,
    Reporter,
)
from pfund.store.crypto import FieldCipher
from pfund.store.repositories._rows import table
from pfund.store.tables import GrievanceEventRow, GrievanceFileRow, GrievanceRow

PUBLIC_COLUMNS = (
    "id",
    "category",
    "subject_kind",
    "subject_id",
    "anonymous",
    "language",
    "status",
    "received_at",
    "acknowledge_by",
    "acknowledged_at",
    "decided_at",
    "closed_at",
    "holding",
)


class GrievanceRepository:
    """Reads and writes grievances; never commits. Sealed columns are opened only by
    ``get`` (the description) and ``reporter`` (name and contact)."""

    def __init__(self, session: Session, cipher: FieldCipher) -> None:
        self.session = session
        self.cipher = cipher

    def add(self, values: dict[str, Any]) -> None:
        self.session.execute(
            table(GrievanceRow).insert().values(self.cipher.seal("grievances", values))
        )

    def by_code(self, code_hash: str) -> str | None:
        rows = table(GrievanceRow)
        found: str | None = self.session.scalar(
            select(rows.c.id).where(rows.c.code_hash == code_hash)
        )
        return found

    def get(self, grievance_id: str) -> Grievance | None:
        rows = table(GrievanceRow)
        columns = [rows.c[c] for c in PUBLIC_COLUMNS]
        row = self.session.execute(
            select(*columns, rows.c.description).where(rows.c.id == grievance_id)
        ).first()
        if row is None:
            return None
        return _grievance(self.cipher.open("grievances", row._mapping))

    def reporter(self, grievance_id: str) -> Reporter:
        rows = table(GrievanceRow)
        row = self.session.execute(
            select(
                rows.c.id, rows.c.reporter_name, rows.c.reporter_contact, rows.c.anonymous
            ).where(rows.c.id == grievance_id)
        ).one()
        opened = self.cipher.open("grievances", row._mapping)
        return Reporter(
            name=opened["reporter_name"],
            contact=opened["reporter_contact"],
            anonymous=opened["anonymous"],
        )

    def lines(self) -> builtins.list[dict[str, Any]]:
        """Every grievance's unsealed columns (no description, no reporter)."""
        rows = table(GrievanceRow)
        found = self.session.execute(select(*[rows.c[c] for c in PUBLIC_COLUMNS]))
        return [_times(dict(r._mapping)) for r in found]

    def outcomes(self) -> dict[str, str]:
        """Each decided grievance's decision (the last substantiated, not substantiated
        or referred step), which its status no longer says once it is closed."""
        rows = table(GrievanceEventRow)
        found = self.session.execute(
            select(rows.c.grievance_id, rows.c.status)
            .where(rows.c.status.in_(["substantiated", "not_substantiated", "referred"]))
            .order_by(rows.c.grievance_id, rows.c.position)
        )
        return {r.grievance_id: r.status for r in found}

    def holding(self, subjects: builtins.list[str]) -> builtins.list[dict[str, Any]]:
        """The grievances that hold money, against any of ``subjects``."""
        if not subjects:
            return []
        rows = table(GrievanceRow)
        found = self.session.execute(
            select(rows.c.id, rows.c.subject_kind, rows.c.subject_id, rows.c.status)
            .where(rows.c.holding.is_(True), rows.c.subject_id.in_(subjects))
            .order_by(rows.c.id)
        )
        return [dict(r._mapping) for r in found]

    def move(
        self,
        grievance_id: str,
        expected: builtins.list[GrievanceStatus],
        values: dict[str, Any],
    ) -> bool:
        """Change the row only while its status is one of ``expected``."""
        rows = table(GrievanceRow)
        done = self.session.execute(
            update(rows)
            .where(rows.c.id == grievance_id, rows.c.status.in_([s.value for s in expected]))
            .values(values)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def set_holding(self, grievance_id: str, *, holding: bool) -> bool:
        """Hold or lift, only if it is not already so (so two officers cannot both)."""
        rows = table(GrievanceRow)
        done = self.session.execute(
            update(rows)
            .where(rows.c.id == grievance_id, rows.c.holding.is_(not holding))
            .values(holding=holding)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def add_event(
        self, grievance_id: str, *, at: datetime, actor: str, kind: str, status: str, reason: str
    ) -> None:
        position = self._next(GrievanceEventRow, grievance_id)
        values = {
            "grievance_id": grievance_id,
            "position": position,
            "at": at,
            "actor": actor[:200],
            "kind": kind,
            "status": status,
            "reason": reason,
        }
        self.session.execute(
            table(GrievanceEventRow).insert().values(self.cipher.seal("grievance_events", values))
        )

    def events(self, grievance_id: str) -> builtins.list[GrievanceEvent]:
        rows = table(GrievanceEventRow)
        found = self.session.execute(
            select(rows).where(rows.c.grievance_id == grievance_id).order_by(rows.c.position)
        )
        out = []
        for r in found:
            values = self.cipher.open("grievance_events", r._mapping)
            values["at"] = utc(values["at"])
            del values["grievance_id"]
            out.append(GrievanceEvent(**values))
        return out

    def add_file(
        self, grievance_id: str, *, filename: str, media_type: str, content: bytes, at: datetime
    ) -> int:
        position = self._next(GrievanceFileRow, grievance_id)
        values = {
            "grievance_id": grievance_id,
            "position": position,
            "filename": filename,
            "media_type": media_type,
            "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content),
            "content": base64.b64encode(content).decode("ascii"),
            "added_at": at,
        }
        self.session.execute(
            table(GrievanceFileRow).insert().values(self.cipher.seal("grievance_files", values))
        )
        return position

    def files(self, grievance_id: str) -> builtins.list[GrievanceFile]:
        rows = table(GrievanceFileRow)
        columns = [c for c in rows.c if c.name != "content"]
        found = self.session.execute(
            select(*columns).where(rows.c.grievance_id == grievance_id).order_by(rows.c.position)
        )
        out = []
        for r in found:
            values = self.cipher.open("grievance_files", r._mapping)
            values["added_at"] = utc(values["added_at"])
            del values["grievance_id"]
            out.append(GrievanceFile(**values))
        return out

    def file_content(self, grievance_id: str, position: int) -> tuple[str, str, bytes] | None:
        rows = table(GrievanceFileRow)
        row = self.session.execute(
            select(rows).where(rows.c.grievance_id == grievance_id, rows.c.position == position)
        ).first()
        if row is None:
            return None
        values = self.cipher.open("grievance_files", row._mapping)
        return values["filename"], values["media_type"], base64.b64decode(values["content"])

    def _next(self, row_class: type, grievance_id: str) -> int:
        rows = table(row_class)
        last = self.session.scalar(
            select(func.max(rows.c.position)).where(rows.c.grievance_id == grievance_id)
        )
        return int(last or 0) + 1


def _times(values: dict[str, Any]) -> dict[str, Any]:
    for key in ("received_at", "acknowledged_at", "decided_at", "closed_at"):
        if values.get(key) is not None:
            values[key] = utc(values[key])
    return values


def _grievance(values: dict[str, Any]) -> Grievance:
    return Grievance(**_times(values))
