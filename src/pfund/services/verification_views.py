"""What the verifier's pages read: the reports awaiting verification and one verification
with its sample, the reported value of each sampled unit and what was recounted.

Read-only use cases, kept apart from :mod:`pfund.services.verification` (which writes)
so each module stays small; staff only (``read_internal``), like the API's reads.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import select

from pfund.domain.account import Permission
from pfund.results.sampling import DrawRecord, redraw
from pfund.services.runtime import Runtime
from pfund.services.verification import (
    VERIFIED,
    Sample,
    VerificationResult,
    _result,
    _sample,
    _units,
    _verification,
)
from pfund.store.tables import FindingRow, ResultReportRow, ResultUnitRow, VerificationRow


class VerificationHeading(BaseModel):
    id: str
    status: str
    drawn_at: datetime
    verifier: str
    factor: float | None = None
    verified_total: float | None = None
    lqas_accepted: bool | None = None


class AwaitingIndicator(BaseModel):
    """One indicator of a sent report whose units are listed, with its verifications."""

    report: str
    project: str
    period: str
    indicator: str
    units: int
    reported_total: Decimal
    verifications: list[VerificationHeading]

    @property
    def verified(self) -> bool:
        return any(v.status == VERIFIED for v in self.verifications)

    @property
    def open(self) -> str | None:
        """A sample drawn and awaiting its findings: continue it rather than draw again."""
        return next((v.id for v in self.verifications if v.status != VERIFIED), None)


class SampledUnit(BaseModel):
    unit: str
    stratum: str
    reported: Decimal
    recounted: Decimal | None = None


class VerificationDetail(BaseModel):
    project: str
    period: str
    verifier: str
    drawn_at: datetime
    sample: Sample
    result: VerificationResult
    units: list[SampledUnit]


def verification_queue(rt: Runtime) -> list[AwaitingIndicator]:
    """Every indicator of a sent report that lists its units, not yet verified first."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        reports = {
            r.id: (r.project_id, r.period)
            for r in uow.session.scalars(
                select(ResultReportRow).where(ResultReportRow.submitted_at.is_not(None))
            )
        }
        units: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
        for u in uow.session.scalars(select(ResultUnitRow)):
            if u.report_id in reports:
                units[(u.report_id, u.indicator)].append(Decimal(u.reported))
        done: dict[tuple[str, str], list[VerificationHeading]] = defaultdict(list)
        for v in uow.session.scalars(select(VerificationRow).order_by(VerificationRow.id)):
            done[(v.report_id, v.indicator)].append(_heading(v))
    found = [
        AwaitingIndicator(
            report=report,
            project=reports[report][0],
            period=reports[report][1],
            indicator=indicator,
            units=len(values),
            reported_total=sum(values, Decimal(0)),
            verifications=done[(report, indicator)],
        )
        for (report, indicator), values in units.items()
    ]
    return sorted(found, key=lambda a: (a.verified, a.project, a.period, a.indicator))


def _heading(v: VerificationRow) -> VerificationHeading:
    result = json.loads(v.result) if v.result else {}
    return VerificationHeading(
        id=v.id,
        status=v.status,
        drawn_at=v.drawn_at,
        verifier=v.verifier,
        factor=result.get("factor"),
        verified_total=result.get("verified_total"),
        lqas_accepted=result.get("lqas_accepted"),
    )


def verification_detail(rt: Runtime, verification_id: str) -> VerificationDetail:
    """The sample as recorded (redrawn from the report's units, which proves the record),
    each sampled unit's reported value and recount, and the result once verified."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        row = _verification(uow, verification_id)
        report = uow.session.get(ResultReportRow, row.report_id)
        assert report is not None  # the foreign key holds it
        units = _units(uow, row.report_id, row.indicator)
        drawn = redraw(DrawRecord.model_validate_json(row.draw), units)
        recounted = {
            f.unit_id: Decimal(f.recounted)
            for f in uow.session.scalars(
                select(FindingRow).where(FindingRow.verification_id == row.id)
            )
        }
        listed = {
            u.unit_id: u
            for u in uow.session.scalars(
                select(ResultUnitRow).where(
                    ResultUnitRow.report_id == row.report_id,
                    ResultUnitRow.indicator == row.indicator,
                )
            )
        }
        conf, prec = float(row.confidence), float(row.precision)
        stored = json.loads(row.result) if row.result else None
        return VerificationDetail(
            project=report.project_id,
            period=report.period,
            verifier=row.verifier,
            drawn_at=row.drawn_at,
            sample=_sample(row.id, row.report_id, row.indicator, conf, prec, len(units), drawn),
            result=_result(row.id, row.report_id, row.indicator, row.status, stored),
            units=[
                SampledUnit(
                    unit=u,
                    stratum=listed[u].stratum,
                    reported=Decimal(listed[u].reported),
                    recounted=recounted.get(u),
                )
                for u in drawn.unit_ids
            ],
        )
