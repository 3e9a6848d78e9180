"""Conditions, whose status moves as facts change, and the stages they make up."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from pfund.domain.conditions import Condition, ConditionChange, Stage, VerificationProtocol
from pfund.domain.enums import ConditionStatus
from pfund.store.repositories._rows import RowDict, group_by, insert_many, positions, table
from pfund.store.tables import ConditionChangeRow, ConditionRow, StageConditionRow, StageRow


def condition_row(condition: Condition) -> RowDict:
    return condition.model_dump(exclude={"protocol"}, mode="python") | {
        "iati_type": condition.iati_type.value,
        "status": condition.status.value,
        "verifier": condition.protocol.verifier,
        "evidence": condition.protocol.evidence,
    }


def build_condition(row: Row[Any]) -> Condition:
    values = dict(row._mapping)
    protocol = VerificationProtocol(
        verifier=values.pop("verifier"), evidence=values.pop("evidence")
    )
    return Condition(**values, protocol=protocol)


class ConditionRepository:
    """Conditions ordered by code; the status is the only part that changes in place."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_many(self, conditions: Iterable[Condition]) -> None:
        insert_many(self.session, ConditionRow, [condition_row(c) for c in conditions])

    def get(self, code: str) -> Condition | None:
        conditions = table(ConditionRow)
        row = self.session.execute(select(conditions).where(conditions.c.code == code)).first()
        return build_condition(row) if row else None

    def list(self) -> builtins.list[Condition]:
        conditions = table(ConditionRow)
        rows = self.session.execute(select(conditions).order_by(conditions.c.code))
        return [build_condition(row) for row in rows]

    def set_status(self, code: str, status: ConditionStatus, *, since: date | None) -> None:
        """Record where a condition stands now; raises LookupError for an unknown code."""
        conditions = table(ConditionRow)
        result = self.session.execute(
            update(conditions)
            .where(conditions.c.code == code)
            .values(status=ConditionStatus(status).value, status_since=since)
        )
        if getattr(result, "rowcount", 0) == 0:
            raise LookupError(f"no condition '{code}'")

    def add_change(self, change: ConditionChange) -> None:
        """Append a status change to the condition's history (never updated or deleted)."""
        row = change.model_dump(mode="python")
        row["old"], row["new"] = change.old.value, change.new.value
        insert_many(self.session, ConditionChangeRow, [row])

    def history(self, code: str | None = None) -> builtins.list[ConditionChange]:
        """Changes in the order they were made; all conditions, or one."""
        changes = table(ConditionChangeRow)
        query = select(changes).order_by(changes.c.id)
        if code is not None:
            query = query.where(changes.c.code == code)
        rows = self.session.execute(query)
        return [ConditionChange(**{k: v for k, v in r._mapping.items() if k != "id"}) for r in rows]


class StageRepository:
    """Stages ordered by number, each with its conditions in the order given."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_many(self, stages: Iterable[Stage]) -> None:
        stages = builtins.list(stages)
        rows = [s.model_dump(exclude={"conditions"}) for s in stages]
        insert_many(self.session, StageRow, rows)
        links = [
            row
            for s in stages
            for row in positions(s.conditions, key="condition", stage_number=s.number)
        ]
        insert_many(self.session, StageConditionRow, links)

    def list(self) -> builtins.list[Stage]:
        stages, links = table(StageRow), table(StageConditionRow)
        rows = self.session.execute(select(stages).order_by(stages.c.number)).all()
        query = select(links).order_by(links.c.stage_number, links.c.position)
        grouped = group_by(self.session.execute(query), "stage_number")
        return [
            Stage(
                **dict(row._mapping), conditions=[c.condition for c in grouped.get(row.number, [])]
            )
            for row in rows
        ]

    def get(self, number: int) -> Stage | None:
        return next((s for s in self.list() if s.number == number), None)
