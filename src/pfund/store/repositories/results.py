"""Results: indicators with their targets, report requests, reported values, evidence."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pfund.domain.audit import utc
from pfund.domain.results import Direction, EvidenceFile, Indicator, ReportedValue, ReportRecord
from pfund.store.repositories._rows import insert_many, table
from pfund.store.tables import (
    EvidenceFileRow,
    ProjectRow,
    ReportEvidenceRow,
    ResultIndicatorRow,
    ResultReportRow,
    ResultTargetRow,
    ResultValueRow,
)

SEP = ";"


class ResultsRepository:
    """Reads and writes a project's results framework and reports; never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- the framework --------------------------------------------------------------
    def replace_framework(self, project_id: str, indicators: Iterable[Indicator]) -> None:
        """The project's indicators become exactly ``indicators`` (targets cascade)."""
        rows = table(ResultIndicatorRow)
        self.session.execute(
            delete(table(ResultTargetRow)).where(table(ResultTargetRow).c.project_id == project_id)
        )
        self.session.execute(delete(rows).where(rows.c.project_id == project_id))
        items = list(indicators)
        insert_many(self.session, ResultIndicatorRow, [_indicator_row(i) for i in items])
        insert_many(
            self.session,
            ResultTargetRow,
            [
                {"project_id": i.project, "code": i.code, "period": p, "value": str(v)}
                for i in items
                for p, v in i.targets.items()
            ],
        )

    def set_direction(self, project_id: str, code: str, direction: Direction) -> None:
        rows = table(ResultIndicatorRow)
        self.session.execute(
            update(rows)
            .where(rows.c.project_id == project_id, rows.c.code == code)
            .values(direction=direction.value)
        )

    def indicators(self, project_id: str | None = None) -> builtins.list[Indicator]:
        """Indicators of one project (or of all), in project and code order."""
        rows, targets = table(ResultIndicatorRow), table(ResultTargetRow)
        query = select(rows).order_by(rows.c.project_id, rows.c.code)
        tquery = select(targets).order_by(targets.c.period)
        if project_id is not None:
            query = query.where(rows.c.project_id == project_id)
            tquery = tquery.where(targets.c.project_id == project_id)
        by_key: dict[tuple[str, str], dict[str, Decimal]] = {}
        for t in self.session.execute(tquery):
            by_key.setdefault((t.project_id, t.code), {})[t.period] = Decimal(t.value)
        return [
            _indicator(r._mapping, by_key.get((r.project_id, r.code), {}))
            for r in self.session.execute(query)
        ]

    def statuses_of_projects_with_indicators(self) -> dict[str, str]:
        """The status of each project that has indicators (one query, no decryption)."""
        rows, projects = table(ResultIndicatorRow), table(ProjectRow)
        found = self.session.execute(
            select(projects.c.id, projects.c.status).where(
                projects.c.id.in_(select(rows.c.project_id).distinct())
            )
        )
        return {r.id: r.status for r in found}

    def projects_with_indicators(self) -> set[str]:
        rows = table(ResultIndicatorRow)
        return set(self.session.scalars(select(rows.c.project_id).distinct()))

    # -- reports ----------------------------------------------------------------------
    def add_request(
        self,
        *,
        report_id: str,
        project_id: str,
        period: str,
        due_on: date,
        token_hash: str | None,
        issued_at: datetime | None,
    ) -> None:
        self.session.execute(
            table(ResultReportRow)
            .insert()
            .values(
                id=report_id,
                project_id=project_id,
                period=period,
                due_on=due_on,
                token_hash=token_hash,
                issued_at=issued_at,
                channel="",
            )
        )

    def set_token(self, report_id: str, token_hash: str, issued_at: datetime) -> None:
        rows = table(ResultReportRow)
        self.session.execute(
            update(rows)
            .where(rows.c.id == report_id)
            .values(token_hash=token_hash, issued_at=issued_at)
        )

    def report_by_token(self, token_hash: str) -> ReportRecord | None:
        rows = table(ResultReportRow)
        found = self.session.scalar(select(rows.c.id).where(rows.c.token_hash == token_hash))
        return self.report(found) if found else None

    def report_for(self, project_id: str, period: str) -> ReportRecord | None:
        rows = table(ResultReportRow)
        found = self.session.scalar(
            select(rows.c.id).where(rows.c.project_id == project_id, rows.c.period == period)
        )
        return self.report(found) if found else None

    def report(self, report_id: str) -> ReportRecord | None:
        rows = table(ResultReportRow)
        row = self.session.execute(select(rows).where(rows.c.id == report_id)).first()
        if row is None:
            return None
        values, links, files = (
            table(ResultValueRow),
            table(ReportEvidenceRow),
            table(EvidenceFileRow),
        )
        found = self.session.execute(
            select(values)
            .where(values.c.report_id == report_id)
            .order_by(values.c.indicator, values.c.region)
        )
        evidence = self.session.execute(
            select(links.c.filename, files.c.sha256, files.c.media_type, files.c.size)
            .join(files, files.c.sha256 == links.c.sha256)
            .where(links.c.report_id == report_id)
            .order_by(links.c.filename)
        )
        return ReportRecord(
            id=row.id,
            project=row.project_id,
            period=row.period,
            due_on=row.due_on,
            issued_at=utc(row.issued_at) if row.issued_at else None,
            submitted_at=utc(row.submitted_at) if row.submitted_at else None,
            channel=row.channel,
            values=[
                ReportedValue(
                    indicator=v.indicator,
                    value=Decimal(v.value),
                    unit=v.unit,
                    region=v.region,
                    note=v.note,
                )
                for v in found
            ],
            evidence=[EvidenceFile(**e._mapping) for e in evidence],
        )

    def reports(self, project_id: str | None = None) -> builtins.list[ReportRecord]:
        rows = table(ResultReportRow)
        query = select(rows.c.id).order_by(rows.c.project_id, rows.c.period)
        if project_id is not None:
            query = query.where(rows.c.project_id == project_id)
        return [r for i in self.session.scalars(query) if (r := self.report(i)) is not None]

    def request_keys(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every report row's (project, period) with its id, due date and submission."""
        rows = table(ResultReportRow)
        found = self.session.execute(
            select(rows.c.id, rows.c.project_id, rows.c.period, rows.c.due_on, rows.c.submitted_at)
        )
        return {(r.project_id, r.period): dict(r._mapping) for r in found}

    def submit(
        self,
        report_id: str,
        values: Iterable[ReportedValue],
        *,
        channel: str,
        at: datetime,
    ) -> None:
        """Record what the partner reported (replacing any earlier values)."""
        vals, rows = table(ResultValueRow), table(ResultReportRow)
        self.session.execute(delete(vals).where(vals.c.report_id == report_id))
        insert_many(
            self.session,
            ResultValueRow,
            [
                {
                    "report_id": report_id,
                    "indicator": v.indicator,
                    "region": v.region,
                    "value": str(v.value),
                    "unit": v.unit,
                    "note": v.note,
                }
                for v in values
            ],
        )
        self.session.execute(
            update(rows).where(rows.c.id == report_id).values(submitted_at=at, channel=channel)
        )

    # -- evidence -----------------------------------------------------------------------
    def has_file(self, sha256: str) -> bool:
        files = table(EvidenceFileRow)
        return (
            self.session.scalar(select(files.c.sha256).where(files.c.sha256 == sha256)) is not None
        )

    def add_file(self, sha256: str, media_type: str, content: bytes, at: datetime) -> None:
        if self.has_file(sha256):
            return
        self.session.execute(
            table(EvidenceFileRow)
            .insert()
            .values(
                sha256=sha256,
                media_type=media_type,
                size=len(content),
                content=content,
                stored_at=at,
            )
        )

    def link_file(self, report_id: str, sha256: str, filename: str) -> None:
        links = table(ReportEvidenceRow)
        exists = self.session.scalar(
            select(links.c.sha256).where(links.c.report_id == report_id, links.c.sha256 == sha256)
        )
        if exists is None:
            self.session.execute(
                links.insert().values(report_id=report_id, sha256=sha256, filename=filename)
            )

    def file_content(self, sha256: str) -> tuple[str, bytes] | None:
        """A stored file's media type and bytes."""
        files = table(EvidenceFileRow)
        found = self.session.execute(
            select(files.c.media_type, files.c.content).where(files.c.sha256 == sha256)
        ).first()
        return (found.media_type, bytes(found.content)) if found else None


def _indicator_row(i: Indicator) -> dict[str, Any]:
    return {
        "project_id": i.project,
        "code": i.code,
        "name": i.name,
        "name_ru": i.name_ru,
        "unit": i.unit,
        "baseline": str(i.baseline),
        "baseline_date": i.baseline_date,
        "means_of_verification": i.means_of_verification,
        "means_of_verification_ru": i.means_of_verification_ru,
        "regions": SEP.join(i.regions),
        "outcome": i.outcome,
        "direction": i.direction.value,
    }


def _indicator(row: Any, targets: dict[str, Decimal]) -> Indicator:
    return Indicator.model_construct(
        project=row["project_id"],
        code=row["code"],
        name=row["name"],
        name_ru=row["name_ru"],
        unit=row["unit"],
        baseline=Decimal(row["baseline"]),
        baseline_date=row["baseline_date"],
        targets=targets,
        means_of_verification=row["means_of_verification"],
        means_of_verification_ru=row["means_of_verification_ru"],
        regions=[r for r in row["regions"].split(SEP) if r],
        outcome=row["outcome"],
        direction=Direction(row["direction"] or Direction.INCREASE),
    )
