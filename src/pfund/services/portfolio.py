"""Choosing the portfolio: from the appraised pipeline to a recorded, explained decision.

The portfolio engine solves; this module turns the fund's policy and appraisal into its
problem, records the run (inputs, solver, seed, status, result), and rebuilds a recorded
problem for ``rerun`` so a decision can be reproduced exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel

from pfund.domain import Project, ProjectStatus
from pfund.domain.account import Permission
from pfund.domain.decision import DecisionRecord, inputs_hash
from pfund.errors import InvalidInput, Problem
from pfund.portfolio import (
    DEFAULT_SOLVER,
    PortfolioProblem,
    PortfolioResult,
    build_problem,
    optimise,
)
from pfund.portfolio.earmarks import spend_caps
from pfund.services.appraisal import PipelineAppraisal, parameters_of
from pfund.services.problem_json import problem_from_json, problem_to_json
from pfund.services.records import get_record, save_record
from pfund.services.runtime import Runtime

DECIDED = {ProjectStatus.APPROVED, ProjectStatus.FUNDED, ProjectStatus.IN_PROGRESS}
MILLION = 1e6  # reports show money in millions


def portfolio_problem(pa: PipelineAppraisal) -> PortfolioProblem:
    """The optimiser's problem: values from appraisal, likely costs, the board's policy.

    Projects already approved or under way are kept in (committed: must include, whatever
    stage a what-if unlocks); a project whose prerequisite is not in the active pipeline
    cannot go ahead (must exclude). The policy's ERR hurdle is a gate, as criteria.yaml
    says: a project whose likely-value ERR is defined and below it cannot be chosen
    (`PortfolioProblem.below_hurdle`; `portfolio explain` gives it as the reason).
    """
    policy, projects = pa.inputs.policy, pa.inputs.projects
    _check_budget_years(projects, set(policy.budgets))
    active = {p.id for p in projects}
    equity = _equity(pa)
    table = {
        p.id: _entry(p, float(pa.values[i]), equity[i], active) | _cost(pa, p)
        for i, p in enumerate(projects)
    }
    stranded = [p.id for p in projects if set(p.depends_on) - active]
    total = float(sum(policy.budgets.values()))
    regions = {r for p in projects for r in p.regions}
    problem = build_problem(
        table,
        {y: float(b) for y, b in policy.budgets.items()},
        area_min_share=policy.area_min_share,
        area_max_share={
            a: s for a in {p.area for p in projects} if (s := policy.max_share(a)) is not None
        },
        region_cap=dict.fromkeys(regions, policy.region_max_share * total)
        if policy.region_max_share is not None
        else None,
        max_stage=policy.max_stage,
        must_include=sorted(
            set(policy.must_include) | {p.id for p in projects if p.status in DECIDED}
        ),
        must_exclude=sorted(set(policy.must_exclude) | set(stranded)),
    )
    exempt = set(policy.hurdle_exempt_areas)
    errs = [None if p.area in exempt else pa.appraisals[p.id].err.value for p in projects]
    return problem.with_changes(
        err=np.array([np.nan if e is None else e for e in errs], dtype=np.float64),
        hurdle=policy.hurdle,
        committed=frozenset(i for i, p in enumerate(projects) if p.status in DECIDED),
        spend_caps=spend_caps(
            areas=problem.area,
            stages=[int(s) for s in problem.stages],
            periods=problem.periods,
            budget=[float(b) for b in problem.budget],
            pools=pa.inputs.earmarks,
        ),
    )


def _entry(p: Project, value: float, equity: float, active: set[str]) -> dict[str, object]:
    return {
        "value": value,
        "cost": {y: float(c) for y, c in p.likely_cost_by_year().items()},
        "area": p.area,
        "regions": list(p.regions),
        "stage": p.stage,
        "equity": equity,
        "depends_on": [d for d in p.depends_on if d in active],
        "excludes": [e for e in p.excludes if e in active],
    }


def _cost(pa: PipelineAppraisal, p: Project) -> dict[str, object]:
    """The budget counts what a project costs the fund: a loan's grant-equivalent, a
    guarantee's expected cost (``Inputs.fund_cost_by_year``, the one conversion)."""
    return {"cost": {y: float(c) for y, c in pa.inputs.fund_cost_by_year(p).items()}}


def _equity(pa: PipelineAppraisal) -> list[float]:
    """The second objective: the regional-equity level of each project, 0 if not a criterion."""
    names = list(pa.matrix.criteria)
    if "regional_equity" not in names:
        return [0.0] * len(pa.inputs.projects)
    return [float(v) for v in pa.matrix.levels[:, names.index("regional_equity")]]


def _check_budget_years(projects: list[Project], years: set[int]) -> None:
    """Every year in which a candidate costs money needs a budget (0 if none)."""
    missing: dict[int, list[str]] = {}
    for p in projects:
        for year in p.costs:
            if year not in years:
                missing.setdefault(year, []).append(p.id)
    if missing:
        problems = [
            Problem(
                f"no budget for {year}, yet {len(ids)} projects cost money then "
                f"(e.g. {', '.join(ids[:3])}); add the year, with 0 if there is no money",
                field="budgets",
            )
            for year, ids in sorted(missing.items())
        ]
        raise InvalidInput("the budget does not cover the pipeline's years", problems)


class YearUse(BaseModel):
    """Money in millions of the fund's currency."""

    year: int
    budget: float
    used: float
    greedy_used: float


class AreaUse(BaseModel):
    area: str
    projects: int
    cost: float
    share: float


class PortfolioReport(BaseModel):
    """A portfolio run as a reader and the board report see it."""

    record_id: str
    status: str
    summary: str
    solver: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    selected: list[str]
    greedy_selected: list[str]
    greedy_objective: float | None
    gain_over_greedy: float | None
    gain_share: float | None
    total_cost: float
    years: list[YearUse]
    areas: list[AreaUse]
    conflict: str | None
    inputs_hash: str
    source_hash: str
    # Each project currency converted into the fund's, as stated: "EUR 1 = USD 1.0705 (...)"
    conversions: list[str] = []


def run_portfolio(
    rt: Runtime,
    pa: PipelineAppraisal,
    *,
    solver: str | None = None,
    time_limit: float | None = None,
) -> tuple[PortfolioReport, PortfolioProblem]:
    """Solve the pipeline's portfolio, record the decision, and report it."""
    rt.require(Permission.OPTIMISE)
    problem = portfolio_problem(pa)
    limit = time_limit or pa.inputs.policy.time_limit
    result = optimise(problem, solver=solver or DEFAULT_SOLVER, time_limit=limit, threads=1)
    parameters = parameters_of(pa.inputs) | {
        "time_limit": limit,
        "solver": solver or DEFAULT_SOLVER,
    }
    if pa.record_id is not None:  # values read from a stored appraisal (the same numbers)
        parameters["appraisal_record"] = pa.record_id
    record = save_record(
        rt,
        kind="portfolio",
        inputs={"problem": problem_to_json(problem), "source_hash": pa.inputs.source_hash()},
        parameters=parameters,
        status=result.solution.status.value,
        result=result_json(problem, result),
        solver=result.solution.solver,
        solver_version=result.solution.solver_version,
        seed=pa.inputs.policy.seed,
        objective=_finite(result.solution.objective),
        gap=_finite(result.solution.gap),
    )
    return report_of_record(record), problem


def result_json(problem: PortfolioProblem, result: PortfolioResult) -> dict[str, Any]:
    sol, versus = result.solution, result.versus_greedy
    chosen = [problem.ids[i] for i in np.flatnonzero(sol.selected)] if sol.has_portfolio else []
    out: dict[str, Any] = {
        "selected": chosen,
        "bound": _finite(sol.bound),
        "seconds": round(sol.seconds, 3),
        "summary": result.summary,
        "conflict": result.conflict.explanation if result.conflict else None,
        "message": sol.message,
        # issue #18: the run was stopped by its time limit (best portfolio found by then,
        # or greedy's, as `solver` and the summary say), not a completed search
        "timed_out": sol.timed_out,
    }
    if versus is not None:
        out |= {
            "greedy_selected": [problem.ids[i] for i in versus.greedy_selected],
            "greedy_objective": versus.greedy_value,
            "gain_over_greedy": versus.gain,
            "gain_share": versus.gain_share,
        }
    return out


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def report_of_record(record: DecisionRecord) -> PortfolioReport:
    """The report of a stored run, computed from the record alone."""
    problem = problem_from_json(record.inputs["problem"])
    res = record.result
    chosen = _mask(problem, res["selected"])
    greedy_mask = _mask(problem, res.get("greedy_selected", []))
    cost = problem.cost / MILLION
    used, greedy_used = chosen @ cost, greedy_mask @ cost
    total = float(used.sum())
    return PortfolioReport(
        record_id=record.id,
        status=record.status,
        summary=res["summary"],
        solver=f"{record.solver} {record.solver_version}".strip(),
        objective=record.objective,
        bound=res.get("bound"),
        gap=record.gap,
        seconds=res.get("seconds", 0.0),
        selected=res["selected"],
        greedy_selected=res.get("greedy_selected", []),
        greedy_objective=res.get("greedy_objective"),
        gain_over_greedy=res.get("gain_over_greedy"),
        gain_share=res.get("gain_share"),
        total_cost=total,
        years=[
            YearUse(
                year=y,
                budget=float(problem.budget[t]) / MILLION,
                used=float(used[t]),
                greedy_used=float(greedy_used[t]),
            )
            for t, y in enumerate(problem.periods)
        ],
        areas=_areas(problem, chosen, total),
        conflict=res.get("conflict"),
        inputs_hash=record.inputs_hash,
        source_hash=record.inputs.get("source_hash", ""),
        conversions=[
            c["stated"] for _, c in sorted(record.parameters.get("conversions", {}).items())
        ],
    )


def _mask(problem: PortfolioProblem, ids: list[str]) -> np.ndarray:
    wanted = set(ids)
    return np.array([pid in wanted for pid in problem.ids], dtype=np.float64)


def _areas(problem: PortfolioProblem, chosen: np.ndarray, total: float) -> list[AreaUse]:
    totals = chosen * problem.cost.sum(axis=1) / MILLION
    lines = []
    for area in sorted(set(problem.area)):
        mask = np.array([a == area for a in problem.area])
        cost = float(totals[mask].sum())
        lines.append(
            AreaUse(
                area=area,
                projects=int(chosen[mask].sum()),
                cost=cost,
                share=cost / total if total else 0.0,
            )
        )
    return lines


class RerunReport(BaseModel):
    record_id: str
    reproduced: bool
    inputs_hash_matches: bool
    same_selection: bool
    objective_recorded: float | None
    objective_now: float | None
    differences: list[str]


def rerun(rt: Runtime, record_id: str) -> RerunReport:
    """Solve a recorded problem again with the recorded solver and parameters."""
    rt.require(Permission.OPTIMISE)
    record = get_record(rt, record_id, kind="portfolio")
    problem = problem_from_json(record.inputs["problem"])
    params = record.parameters
    result = optimise(
        problem, solver=params.get("solver"), time_limit=params["time_limit"], threads=1
    )
    now = result_json(problem, result)
    same = now["selected"] == record.result["selected"]
    objective_now = _finite(result.solution.objective)
    close = objective_now == record.objective or (
        objective_now is not None
        and record.objective is not None
        and abs(objective_now - record.objective) <= 1e-9 * max(1.0, abs(record.objective))
    )
    hash_ok = inputs_hash(record.inputs) == record.inputs_hash
    diffs = sorted(set(now["selected"]) ^ set(record.result["selected"]))
    return RerunReport(
        record_id=record.id,
        reproduced=same and close and hash_ok,
        inputs_hash_matches=hash_ok,
        same_selection=same,
        objective_recorded=record.objective,
        objective_now=objective_now,
        differences=diffs,
    )
