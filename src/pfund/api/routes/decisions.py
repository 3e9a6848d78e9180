"""Appraisal and portfolio runs: run them (staff), read their decision records (everyone)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from pfund.api.deps import IdempotencyDep, PrincipalDep, RuntimeDep, acting, require
from pfund.domain.account import Permission, Principal
from pfund.services import analysis, portfolio, tranches
from pfund.services.analysis import ExplanationLine
from pfund.services.appraisal import (
    AppraisalReport,
    appraise_pipeline,
    load_inputs,
    record_appraisal,
)
from pfund.services.portfolio import PortfolioReport, RerunReport
from pfund.services.records import get_record
from pfund.services.tranches import ApproveResult

router = APIRouter(tags=["decisions"])


class RunSummary(BaseModel):
    id: str
    kind: str
    created_at: str
    status: str
    inputs_hash: str
    actor: str | None = Field(default=None, description="Staff only.")


BIAS_PATTERN = "^(auto|green-book|history|off)$"
BIAS_HELP = "Optimism-bias uplift: auto, green-book, history or off (default: the policy's)."


class OptimiseRequest(BaseModel):
    time_limit: float | None = Field(default=None, gt=0, le=600, description="Seconds.")
    solver: str | None = Field(default=None, pattern="^(highs|highs-core|highs-hyper|cpsat)$")
    optimism_bias: str | None = Field(default=None, pattern=BIAS_PATTERN, description=BIAS_HELP)


@router.post("/appraisals", response_model=AppraisalReport)
def appraise(
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.APPRAISE)],
    optimism_bias: Annotated[str | None, Query(pattern=BIAS_PATTERN, description=BIAS_HELP)] = None,
) -> AppraisalReport:
    """Appraise every active project (cost-benefit, Monte Carlo, multi-criteria value)."""
    inputs = load_inputs(rt, optimism_bias=optimism_bias)
    return record_appraisal(acting(rt, who), inputs, appraise_pipeline(inputs))


@router.get("/runs", response_model=list[RunSummary])
def runs(
    rt: RuntimeDep,
    who: PrincipalDep,
    kind: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[RunSummary]:
    """Decision records, newest first: every appraisal, portfolio and analysis run."""
    with rt.uow() as uow:
        records = uow.decisions.list(kind=kind, limit=limit)
    return [
        RunSummary(
            id=r.id,
            kind=r.kind,
            created_at=r.created_at.isoformat(),
            status=r.status,
            actor=r.actor if who.can(Permission.READ_INTERNAL) else None,
            inputs_hash=r.inputs_hash,
        )
        for r in records
    ]


@router.post("/portfolio/runs", response_model=PortfolioReport)
def optimise(
    request: OptimiseRequest,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.OPTIMISE)],
) -> PortfolioReport:
    """Choose the portfolio of most value within the budgets; stores a decision record."""
    inputs = load_inputs(rt, optimism_bias=request.optimism_bias)
    report, _ = portfolio.run_portfolio(
        acting(rt, who),
        appraise_pipeline(inputs),
        solver=request.solver,
        time_limit=request.time_limit,
    )
    return report


@router.get("/portfolio/runs/{run_id}", response_model=PortfolioReport)
def portfolio_run(run_id: str, rt: RuntimeDep) -> PortfolioReport:
    return portfolio.report_of_record(get_record(rt, run_id, kind="portfolio"))


@router.get("/portfolio/runs/{run_id}/explain/{project_id}")
def explain(run_id: str, project_id: str, rt: RuntimeDep) -> list[ExplanationLine]:
    """Why a project is in or out of a run, and the value lost by forcing it."""
    _, lines = analysis.explain(rt, record_id=run_id, projects=[project_id])
    return lines


@router.post("/portfolio/runs/{run_id}/rerun", response_model=RerunReport)
def rerun(
    run_id: str, rt: RuntimeDep, who: Annotated[Principal, require(Permission.OPTIMISE)]
) -> RerunReport:
    """Solve a recorded run again from its stored inputs and compare."""
    return portfolio.rerun(acting(rt, who), run_id)


@router.post("/portfolio/runs/{run_id}/approve", response_model=ApproveResult)
def approve(
    run_id: str,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.APPROVE)],
    idem: IdempotencyDep,
) -> ApproveResult:
    """Approve a run: its projects are approved and their tranches committed, once
    (a second approval is a 409 unless it repeats an Idempotency-Key)."""
    return tranches.approve(acting(rt, who, idem), run_id)
