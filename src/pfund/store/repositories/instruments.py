"""Loans and guarantees of projects: one of either per project, never committed here."""

from __future__ import annotations

import builtins
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pfund.domain.audit import utc
from pfund.domain.instrument import GuaranteeTerms, LoanTerms
from pfund.domain.money import from_minor, to_minor
from pfund.store.repositories._rows import table
from pfund.store.tables import GuaranteeRow, LoanRow


class InstrumentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def put_loan(self, loan: LoanTerms, at: datetime) -> None:
        """Record a project's loan, replacing its terms if it had one."""
        values = loan.model_dump(exclude={"principal"}) | {
            "principal_minor": to_minor(loan.principal, loan.currency),
            "annual_rate": str(loan.annual_rate),
            "method": loan.method.value,
            "recorded_at": utc(at),
        }
        rows = table(LoanRow)
        self.session.execute(delete(rows).where(rows.c.project_id == loan.project_id))
        self.session.execute(rows.insert().values(values))

    def put_guarantee(self, guarantee: GuaranteeTerms, at: datetime) -> None:
        values = guarantee.model_dump(exclude={"exposure"}) | {
            "exposure_minor": to_minor(guarantee.exposure, guarantee.currency),
            "call_probability": str(guarantee.call_probability),
            "loss_given_call": str(guarantee.loss_given_call),
            "recorded_at": utc(at),
        }
        rows = table(GuaranteeRow)
        self.session.execute(delete(rows).where(rows.c.project_id == guarantee.project_id))
        self.session.execute(rows.insert().values(values))

    def loans(self, project_id: str | None = None) -> builtins.list[LoanTerms]:
        rows = table(LoanRow)
        query = select(rows).order_by(rows.c.project_id)
        if project_id is not None:
            query = query.where(rows.c.project_id == project_id)
        return [_loan(dict(r._mapping)) for r in self.session.execute(query)]

    def guarantees(self, project_id: str | None = None) -> builtins.list[GuaranteeTerms]:
        rows = table(GuaranteeRow)
        query = select(rows).order_by(rows.c.project_id)
        if project_id is not None:
            query = query.where(rows.c.project_id == project_id)
        return [_guarantee(dict(r._mapping)) for r in self.session.execute(query)]


def _loan(row: dict[str, Any]) -> LoanTerms:
    row.pop("recorded_at")
    principal = from_minor(row.pop("principal_minor"), row["currency"])
    return LoanTerms(**row | {"principal": principal, "annual_rate": Decimal(row["annual_rate"])})


def _guarantee(row: dict[str, Any]) -> GuaranteeTerms:
    row.pop("recorded_at")
    exposure = from_minor(row.pop("exposure_minor"), row["currency"])
    shares = {k: Decimal(row[k]) for k in ("call_probability", "loss_given_call")}
    return GuaranteeTerms(**row | shares | {"exposure": exposure})
