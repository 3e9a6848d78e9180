"""Indicator data sets, their figures, and proposed condition changes; never commits."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from pfund.domain import ConditionStatus
from pfund.domain.audit import utc
from pfund.domain.scorecard import (
    IndicatorSet,
    IndicatorValue,
    Proposal,
    ProposalStatus,
)
from pfund.store.repositories._rows import insert_many, table
from pfund.store.tables import ConditionProposalRow, IndicatorSetRow, IndicatorValueRow


class ScorecardRepository:
    """Reads and writes ``indicator_sets``, ``indicator_values`` and ``condition_proposals``."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def set_by_hash(self, sha256: str) -> IndicatorSet | None:
        rows = table(IndicatorSetRow)
        row = self.session.execute(select(rows).where(rows.c.sha256 == sha256)).first()
        return None if row is None else self._set(row)

    def add_set(
        self,
        *,
        name: str,
        sha256: str,
        file: str,
        at: datetime,
        actor: str,
        values: Sequence[IndicatorValue],
    ) -> IndicatorSet:
        """A new version of data set ``name`` (one more than its last) with its figures."""
        rows = table(IndicatorSetRow)
        last = self.session.scalar(select(func.max(rows.c.version)).where(rows.c.name == name))
        # Core inserts, not ``session.add``: the audit's row tracking sees statements only.
        values_of_set = {
            "name": name,
            "version": (last or 0) + 1,
            "sha256": sha256,
            "file": file,
            "imported_at": utc(at),
            "imported_by": actor,
            "rows": len(values),
        }
        set_id = int(
            self.session.execute(
                insert(rows).values(**values_of_set).returning(rows.c.id)
            ).scalar_one()
        )
        insert_many(
            self.session,
            IndicatorValueRow,
            [
                {
                    "set_id": set_id,
                    "area": v.area,
                    "indicator": v.indicator,
                    "year": v.year,
                    "value": None if v.value is None else str(v.value),
                    "category": v.category,
                    "source": v.source,
                    "licence": v.licence,
                }
                for v in values
            ],
        )
        found = self.set_by_hash(sha256)
        assert found is not None
        return found

    def sets(self) -> builtins.list[IndicatorSet]:
        """Every version of every data set, newest import first."""
        rows = table(IndicatorSetRow)
        query = select(rows).order_by(rows.c.imported_at.desc(), rows.c.id.desc())
        return [self._set(r) for r in self.session.execute(query)]

    def latest_sets(self) -> builtins.list[IndicatorSet]:
        """The newest version of each data set, newest import first."""
        seen: dict[str, IndicatorSet] = {}
        for s in self.sets():
            seen.setdefault(s.name, s)
        return list(seen.values())

    def values(self, sha256: str) -> builtins.list[IndicatorValue]:
        sets, values = table(IndicatorSetRow), table(IndicatorValueRow)
        query = (
            select(values)
            .join(sets, sets.c.id == values.c.set_id)
            .where(sets.c.sha256 == sha256)
            .order_by(values.c.indicator, values.c.area, values.c.year)
        )
        return [
            IndicatorValue(
                area=r.area,
                indicator=r.indicator,
                year=r.year,
                value=None if r.value is None else Decimal(r.value),
                category=r.category,
                source=r.source,
                licence=r.licence,
            )
            for r in self.session.execute(query)
        ]

    def _set(self, row: Any) -> IndicatorSet:
        values = table(IndicatorValueRow)
        query = select(values.c.source, values.c.licence).where(values.c.set_id == row.id)
        found = self.session.execute(query).all()
        return IndicatorSet(
            name=row.name,
            version=row.version,
            sha256=row.sha256,
            file=row.file,
            imported_at=utc(row.imported_at),
            rows=row.rows,
            sources=sorted({r.source for r in found}),
            licences=sorted({r.licence for r in found}),
        )

    def add_proposal(self, proposal: Proposal) -> int:
        data = proposal.model_dump(exclude={"id"})
        data |= {"old": proposal.old.value, "new": proposal.new.value}
        data["status"] = proposal.status.value
        rows = table(ConditionProposalRow)
        return int(
            self.session.execute(insert(rows).values(**data).returning(rows.c.id)).scalar_one()
        )

    def proposals(
        self, *, status: ProposalStatus | None = None, condition: str | None = None
    ) -> builtins.list[Proposal]:
        rows = table(ConditionProposalRow)
        query = select(rows).order_by(rows.c.id)
        if status is not None:
            query = query.where(rows.c.status == status.value)
        if condition is not None:
            query = query.where(rows.c.condition == condition)
        return [self._proposal(r) for r in self.session.execute(query)]

    def proposal(self, proposal_id: int) -> Proposal | None:
        rows = table(ConditionProposalRow)
        row = self.session.execute(select(rows).where(rows.c.id == proposal_id)).first()
        return None if row is None else self._proposal(row)

    def decide(
        self, proposal_id: int, status: ProposalStatus, *, actor: str, at: datetime, reason: str
    ) -> bool:
        """Pending -> ``status``, once: False when it was decided meanwhile."""
        rows = table(ConditionProposalRow)
        done = self.session.execute(
            update(rows)
            .where(rows.c.id == proposal_id, rows.c.status == ProposalStatus.PENDING.value)
            .values(status=status.value, decided_by=actor, decided_at=utc(at), reason=reason)
        )
        return bool(getattr(done, "rowcount", 0) == 1)

    @staticmethod
    def _proposal(r: Any) -> Proposal:
        return Proposal(
            id=r.id,
            condition=r.condition,
            old=ConditionStatus(r.old),
            new=ConditionStatus(r.new),
            rule=r.rule,
            evidence=r.evidence,
            values=r.values,
            sets=r.sets,
            verifier=r.verifier,
            status=ProposalStatus(r.status),
            proposed_at=utc(r.proposed_at),
            decided_by=r.decided_by,
            decided_at=None if r.decided_at is None else utc(r.decided_at),
            reason=r.reason,
        )
