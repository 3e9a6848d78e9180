"""Results: a project's indicators (public fields for everyone), partners' reports (with
the report link's token, no account), indicator, report and unit imports, late reports;
verification samples and findings (verifier), tranches paid by results (analyst).

The partner's token travels in the ``X-Report-Token`` header, never in the path or the
query string, so no access log or proxy keeps it.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Header, UploadFile
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from pfund.api.deps import IdempotencyDep, PrincipalDep, RuntimeDep, acting, require
from pfund.api.uploads import upload_name
from pfund.domain.account import Permission, Principal
from pfund.domain.results import (
    Direction,
    Indicator,
    LateReport,
    Period,
    ReportedValue,
    ReportInput,
    ReportRecord,
)
from pfund.domain.verification import MAX_SEED, Count, Fraction, IndicatorCode, UnitId
from pfund.errors import InvalidInput, Problem
from pfund.io.evidence import MAX_EVIDENCE_BYTES
from pfund.services import remainder, results, verification
from pfund.services.remainder import RemainderDecision
from pfund.services.results import FrameworkImport, ProjectResults
from pfund.services.tranches import TrancheStep
from pfund.services.verification import (
    LinkedTranche,
    PaymentDue,
    Sample,
    UnitsImport,
    VerificationResult,
)

router = APIRouter(tags=["results"])
SUFFIXES = {".csv", ".json", ".yaml", ".yml"}
VALUES = TypeAdapter(list[ReportedValue])


@router.get("/projects/{project_id}/results", response_model=ProjectResults)
def project_results(project_id: str, rt: RuntimeDep, who: PrincipalDep) -> ProjectResults:
    """A project's indicators: unit, baseline, targets and achieved values by period."""
    staff = who.can(Permission.READ_INTERNAL)
    return results.project_results(acting(rt, who), project_id, public=not staff)


class LinkRequest(BaseModel):
    period: str = Field(max_length=7, examples=["2030"])
    due_on: date | None = None


class IssuedLinkOut(BaseModel):
    """The token is in this answer only: only its keyed hash is stored."""

    report_id: str
    project: str
    period: str
    due_on: date
    token: str


@router.post("/projects/{project_id}/report-links", response_model=IssuedLinkOut)
def issue_link(
    project_id: str,
    body: LinkRequest,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.IMPORT)],
) -> IssuedLinkOut:
    """Issue the partner's report link for a project and period (replacing an older one)."""
    issued = results.issue_report_link(acting(rt, who), project_id, body.period, due_on=body.due_on)
    return IssuedLinkOut(**issued.__dict__)


@router.post("/reports", response_model=ReportRecord)
async def send_report(
    rt: RuntimeDep,
    x_report_token: Annotated[str, Header(max_length=100)],
    values: Annotated[str, Form(max_length=100_000, description="JSON list of values")],
    evidence: Annotated[list[UploadFile] | None, File()] = None,
) -> ReportRecord:
    """A partner's report through its link's token: achieved values (JSON list of
    ``{indicator, value, unit, region?, note?}``) and evidence files; all or nothing."""
    report, _ = results.report_by_token(rt, x_report_token)
    try:
        parsed = VALUES.validate_python(json.loads(values))
        given = ReportInput(project=report.project, period=report.period, values=parsed)
    except (ValueError, ValidationError) as err:
        reason = err.errors()[0]["msg"] if isinstance(err, ValidationError) else str(err)
        raise InvalidInput("the values cannot be read", [Problem(reason, field="values")]) from None
    uploads = [
        results.Upload(upload_name(f.filename, "evidence"), await f.read(MAX_EVIDENCE_BYTES + 1))
        for f in evidence or []
    ]
    stored = results.submit_by_token(rt, x_report_token, given, uploads, channel="api")
    return stored.model_copy(
        update={"evidence": [e.model_copy(update={"filename": ""}) for e in stored.evidence]}
    )


@router.post("/results/{kind}", response_model=FrameworkImport | UnitsImport | list[str])
def import_file(
    kind: str,
    file: UploadFile,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.IMPORT)],
) -> FrameworkImport | UnitsImport | list[str]:
    """Import indicators (``/results/indicators``: CSV, JSON or YAML), reports
    (``/results/reports``: CSV, one value a row) or the units reports list
    (``/results/units``: report, indicator, unit, stratum, reported); all or nothing."""
    if kind not in ("indicators", "reports", "units"):
        raise InvalidInput(f"no import of '{kind}'", [Problem("use indicators, reports or units")])
    name = upload_name(file.filename, "upload.csv")
    if Path(name).suffix.lower() not in SUFFIXES:
        reason = f"a {', '.join(sorted(SUFFIXES))} file is needed"
        raise InvalidInput(f"cannot import '{name}'", [Problem(reason, file=name)])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(file.file.read())
        if kind == "indicators":
            return results.import_indicators(acting(rt, who), path)
        if kind == "units":
            return verification.import_units(acting(rt, who), path)
        return results.import_reports(acting(rt, who), path)


@router.get("/results/late", response_model=list[LateReport])
def late(
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    on: date | None = None,
) -> list[LateReport]:
    """Reports past due and not in: requested and not sent, or never requested."""
    return results.late_reports(acting(rt, who), today=on)


class SampleRequest(BaseModel):
    indicator: IndicatorCode
    confidence: Fraction = Decimal("0.95")
    precision: Fraction = Decimal("0.05")
    seed: int | None = Field(default=None, ge=0, le=MAX_SEED)


@router.post("/reports/{report_id}/samples", response_model=Sample)
def draw_sample(
    report_id: str,
    body: SampleRequest,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.VERIFY)],
) -> Sample:
    """Draw and record a verification sample of the report's units for one indicator."""
    return verification.draw_sample(
        acting(rt, who),
        report_id,
        body.indicator,
        confidence=body.confidence,
        precision=body.precision,
        seed=body.seed,
    )


class FindingsRequest(BaseModel):
    findings: dict[UnitId, Count] = Field(description="recounted value per sampled unit id")


@router.post("/verifications/{verification_id}/findings", response_model=VerificationResult)
def record_findings(
    verification_id: str,
    body: FindingsRequest,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.VERIFY)],
) -> VerificationResult:
    """Record what was recounted per sampled unit; refused whole for a unit not drawn."""
    return verification.record_findings(acting(rt, who), verification_id, body.findings)


@router.get("/verifications/{verification_id}", response_model=VerificationResult)
def verification_result(
    verification_id: str,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
) -> VerificationResult:
    """A verification's status and, once verified, its factor and verified total."""
    return verification.verification_result(acting(rt, who), verification_id)


class TrancheLinkRequest(BaseModel):
    indicator: IndicatorCode
    period: Period
    formula: dict[str, object] = Field(
        description="kind, threshold, target, basis, share_at_threshold (PaymentFormula)"
    )


@router.put("/tranches/{tranche_id}/result-link", response_model=LinkedTranche)
def link_tranche(
    tranche_id: str,
    body: TrancheLinkRequest,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.SET_CONDITIONS)],
) -> LinkedTranche:
    """Link a tranche to an indicator with its payment formula."""
    return verification.link_tranche(
        acting(rt, who), tranche_id, body.indicator, body.period, dict(body.formula)
    )


@router.get("/results/payments", response_model=list[PaymentDue])
def payments(
    rt: RuntimeDep, who: Annotated[Principal, require(Permission.READ_INTERNAL)]
) -> list[PaymentDue]:
    """What each tranche linked to a result would pay now, and why."""
    return verification.payments_due(acting(rt, who))


@router.post("/tranches/{tranche_id}/pay-by-results", response_model=TrancheStep)
def pay_by_results(
    tranche_id: str,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.MOVE_MONEY)],
    idem: IdempotencyDep,
) -> TrancheStep:
    """Pay a released linked tranche what its verified result earns, through the gate."""
    return verification.pay_by_results(acting(rt, who, idem), tranche_id)


class RemainderRequest(BaseModel):
    decision: str = Field(max_length=16, description="keep or return")
    reason: str = Field(max_length=2000, description="why, in at least 10 characters")


@router.post("/tranches/{tranche_id}/remainder", response_model=RemainderDecision)
def decide_remainder(
    tranche_id: str,
    body: RemainderRequest,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.MOVE_MONEY)],
    idem: IdempotencyDep,
) -> RemainderDecision:
    """Keep the unearned remainder of a paid results tranche committed to the project, or
    return it to the fund through the ledger (once); audited."""
    return remainder.decide_remainder(acting(rt, who, idem), tranche_id, body.decision, body.reason)


class DirectionRequest(BaseModel):
    direction: Direction = Field(description="increase, or decrease where lower is better")


@router.put("/projects/{project_id}/indicators/{code}/direction", response_model=Indicator)
def set_direction(
    project_id: str,
    code: str,
    body: DirectionRequest,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.IMPORT)],
) -> Indicator:
    """Set which way an indicator improves (decrease: lower is better)."""
    return results.set_direction(acting(rt, who), project_id, code, body.direction.value)
