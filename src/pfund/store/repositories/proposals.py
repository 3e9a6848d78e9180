"""Proposals: reference-code hashes, messages, and the staff list of proposals."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pfund.domain.audit import utc
from pfund.store.repositories._rows import table
from pfund.store.tables import ProjectRow, ProposalMessageRow, ProposalRow


class ProposalRepository:
    """Reads and writes what a proposal keeps beside its project; never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, project_id: str, code_hash: str, received_at: datetime) -> None:
        self.session.execute(
            table(ProposalRow)
            .insert()
            .values(project_id=project_id, code_hash=code_hash, received_at=received_at)
        )

    def by_code(self, code_hash: str) -> str | None:
        rows = table(ProposalRow)
        found: str | None = self.session.scalar(
            select(rows.c.project_id).where(rows.c.code_hash == code_hash)
        )
        return found

    def received_at(self, project_id: str) -> datetime | None:
        rows = table(ProposalRow)
        found = self.session.scalar(
            select(rows.c.received_at).where(rows.c.project_id == project_id)
        )
        return utc(found) if found else None

    def add_message(self, project_id: str, kind: str, body: str, at: datetime) -> None:
        self.session.execute(
            table(ProposalMessageRow)
            .insert()
            .values(project_id=project_id, kind=kind, body=body, at=at)
        )

    def messages(self, project_id: str) -> builtins.list[dict[str, Any]]:
        rows = table(ProposalMessageRow)
        found = self.session.execute(
            select(rows.c.kind, rows.c.body, rows.c.at)
            .where(rows.c.project_id == project_id)
            .order_by(rows.c.id)
        )
        return [{"kind": r.kind, "body": r.body, "at": utc(r.at)} for r in found]

    def page(
        self, statuses: builtins.list[str], status: str | None, offset: int, limit: int
    ) -> tuple[int, builtins.list[dict[str, Any]]]:
        """Proposals (projects sent through the form, or in an intake status), newest
        first, one page of them and how many there are in all."""
        projects, proposals = table(ProjectRow), table(ProposalRow)
        joined = projects.outerjoin(proposals, proposals.c.project_id == projects.c.id)
        where = [or_(proposals.c.project_id.is_not(None), projects.c.status.in_(statuses))]
        if status:
            where.append(projects.c.status == status)
        total = self.session.scalar(select(func.count()).select_from(joined).where(*where)) or 0
        rows = self.session.execute(
            select(
                projects.c.id,
                projects.c.title,
                projects.c.title_ru,
                projects.c.area,
                projects.c.status,
                proposals.c.received_at,
            )
            .select_from(joined)
            .where(*where)
            .order_by(proposals.c.received_at.desc().nulls_last(), projects.c.id)
            .offset(offset)
            .limit(limit)
        )
        return total, [
            {**r._mapping, "received_at": utc(r.received_at) if r.received_at else None}
            for r in rows
        ]
