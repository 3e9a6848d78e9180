"""Questions a board asks of a recorded portfolio: why, what if more money, how sure.

Each works from a decision record, so the answer concerns the very problem decided on,
whatever has changed in the pipeline since.

Time: a frontier or a robustness analysis is a batch of solves. ``time_limit`` (the
CLI's ``--time-limit``) bounds each solve; ``total_time`` (``--total-time``) bounds the
whole batch, one deadline for all its solves. Without it the batch gets the sum of its
solves' limits (``batch_budget``), the most the per-solve limits promise, so a solve
that runs past its own limit takes its time from the solves after it, not from the
user. A solve the deadline leaves no time for is not run, and the answer says so:
``unsolved`` counts them and ``partial`` is set; a budget point without its own solve
shows the previous budget's portfolio (``stand_in``), or no portfolio.

Asking stores nothing: a frontier or robustness run becomes a decision record of its
own only when asked to (``record``). By default they answer for the newest run that
holds a portfolio.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from pydantic import BaseModel

from pfund.appraisal import criteria_matrix, project_values
from pfund.appraisal.schedule import FloatArray
from pfund.domain.decision import DecisionRecord
from pfund.errors import NotFound
from pfund.portfolio import (
    BudgetPoint,
    PortfolioProblem,
    Solution,
    Status,
    budget_frontier,
    core_indices,
    equity_frontier,
    explain_all,
)
from pfund.portfolio.model import rows_of
from pfund.portfolio.solvers import base as solver_base
from pfund.reports.scale import ROBUST_DRAWS
from pfund.services.appraisal import PipelineAppraisal, draw_picks
from pfund.services.compute import compute_map
from pfund.services.portfolio import MILLION
from pfund.services.problem_json import problem_from_json
from pfund.services.records import get_answering_record, save_record
from pfund.services.runtime import Runtime

Progress = Callable[[int, int], None]


def recorded(rt: Runtime, record_id: str | None) -> tuple[DecisionRecord, PortfolioProblem]:
    """The named run, or the newest that holds a portfolio, with its recorded problem."""
    record = get_answering_record(rt, record_id)
    return record, problem_from_json(record.inputs["problem"])


def solution_of(record: DecisionRecord, problem: PortfolioProblem) -> Solution:
    chosen = set(record.result["selected"])
    return Solution(
        selected=np.array([pid in chosen for pid in problem.ids], dtype=bool),
        objective=record.objective or 0.0,
        bound=record.result.get("bound") or float("inf"),
        gap=record.gap if record.gap is not None else float("inf"),
        status=Status(record.status),
        seconds=record.result.get("seconds", 0.0),
        solver=record.solver,
        solver_version=record.solver_version,
    )


class ExplanationLine(BaseModel):
    project: str
    selected: bool
    reason: str
    related: list[str]
    binding: list[str]
    value_per_cost: float
    value_lost: float | None
    sentence: str


def explain(
    rt: Runtime,
    *,
    record_id: str | None = None,
    projects: list[str] | None = None,
    time_limit: float = 2.0,
    resolve: bool = True,
    progress: Progress | None = None,
) -> tuple[str, list[ExplanationLine]]:
    """Why each project (or the ones named) is in or out, and what forcing it would cost."""
    record, problem = recorded(rt, record_id)
    solution = solution_of(record, problem)
    targets = projects or list(problem.ids)
    where = {pid: i for i, pid in enumerate(problem.ids)}
    for pid in targets:
        if pid not in where:
            raise NotFound(f"project '{pid}' is not in run {record.id}")
    lines = []
    # One engine call per project (its own re-solve and progress tick), the problem's
    # rows built once for all of them: at 50,000 projects a rebuild each is quadratic.
    rows = rows_of(problem)
    for k, pid in enumerate(targets):
        e = explain_all(
            problem, solution, time_limit=time_limit, resolve=resolve, only=[where[pid]], rows=rows
        )[0]
        lines.append(
            ExplanationLine(
                project=e.project,
                selected=e.selected,
                reason=e.reason.value,
                related=list(e.related),
                binding=[b.sentence for b in e.binding],
                value_per_cost=e.value_per_cost,
                value_lost=e.value_lost,
                sentence=e.sentence,
            )
        )
        if progress:
            progress(k + 1, len(targets))
    return record.id, lines


class FrontierPoint(BaseModel):
    """Budget and cost in millions of the fund's currency; value and cost are None where
    no portfolio meets the rules at that budget (``answer`` says so in words)."""

    budget_factor: float
    budget_total: float
    value: float | None
    cost: float | None
    status: str
    answer: str = ""
    stand_in: bool = False  # the previous budget's portfolio, for want of time
    unsolved: bool = False  # the batch's deadline left this budget no solve


class EquityFrontierPoint(BaseModel):
    value: float | None
    equity: float | None
    status: str


NO_PORTFOLIO = "no portfolio meets the rules at this budget"
NO_TIME = "not solved: the batch's time ran out"
STAND_IN = "not solved, the batch's time ran out: the previous budget's portfolio stands in"


def batch_budget(time_limit: float, solves: int) -> float:
    """A batch's time when the user gave none: each of its solves' limits, added up."""
    return time_limit * max(solves, 1)


def _number(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _budget_point(p: BudgetPoint) -> FrontierPoint:
    """A point of the budget frontier; where no portfolio answers, no numbers but words."""
    answered = p.status in (Status.OPTIMAL, Status.FEASIBLE)
    words = (STAND_IN, NO_TIME) if p.unsolved else ("", NO_PORTFOLIO)
    answer = words[0] if answered else words[1]
    return FrontierPoint(
        budget_factor=p.factor,
        budget_total=float(sum(b for b in p.budget if np.isfinite(b))) / MILLION,
        value=_number(p.value) if answered else None,
        cost=_number(p.cost / MILLION) if answered else None,
        status=p.status.value,
        answer=answer,
        stand_in=p.unsolved and answered,
        unsolved=p.unsolved,
    )


class FrontierReport(BaseModel):
    record_id: str
    portfolio_run: str
    budget: list[FrontierPoint]
    equity: list[EquityFrontierPoint]
    chosen_budget_total: float
    chosen_value: float
    chosen_equity: float
    total_time: float | None = None  # the batch's seconds (None: an older record)
    unsolved: int = 0  # budget points the batch's deadline left without a solve
    partial: bool = False  # the deadline cut the batch: some point is not its own answer


def frontier(
    rt: Runtime,
    *,
    record_id: str | None = None,
    points: int = 31,
    time_limit: float = 5.0,
    progress: Progress | None = None,
    record: bool = False,
    equity_points: int | None = None,
    total_time: float | None = None,
) -> FrontierReport:
    """Value against total budget, and value against regional equity (a FRN- record
    only with ``record``); ``equity_points`` defaults to ``max(points // 2, 11)``.

    Both curves share one deadline, ``total_time`` seconds from now (default: the sum of
    the solves' limits, see the module); ``unsolved`` and ``partial`` say what it cut."""
    run, problem = recorded(rt, record_id)
    solution = solution_of(run, problem)
    n_equity = max(points // 2, 11) if equity_points is None else equity_points
    # budget points, then the equity curve's two ends and its points
    total = batch_budget(time_limit, points + 2 + n_equity) if total_time is None else total_time
    deadline = solver_base.now() + total
    with compute_map(rt) as mapper:
        budget = budget_frontier(
            problem,
            points=points,
            time_limit=time_limit,
            progress=progress,
            mapper=mapper,
            total_time=total,
        )
        equity = equity_frontier(
            problem,
            points=n_equity,
            time_limit=time_limit,
            mapper=mapper,
            total_time=max(deadline - solver_base.now(), 0.0),
        )
    cut = solver_base.now() >= deadline  # an equity solve may have been skipped (uncounted)
    finite = problem.budget[np.isfinite(problem.budget)]
    report = FrontierReport(
        record_id="",
        portfolio_run=run.id,
        budget=[_budget_point(p) for p in budget],
        equity=[
            EquityFrontierPoint(
                value=_number(p.value), equity=_number(p.equity), status=p.status.value
            )
            for p in equity
        ],
        chosen_budget_total=float(finite.sum()) / MILLION,
        chosen_value=solution.objective,
        chosen_equity=float(problem.equity @ solution.selected)
        if problem.equity is not None
        else 0.0,
        total_time=total,
        unsolved=sum(p.unsolved for p in budget),
        partial=cut or any(p.unsolved for p in budget),
    )
    if not record:
        return report
    saved = save_record(
        rt,
        kind="frontier",
        inputs={"portfolio_run": run.id, "portfolio_inputs_hash": run.inputs_hash},
        parameters={"points": points, "time_limit": time_limit, "total_time": total},
        status="done",
        result=report.model_dump(exclude={"record_id"}),
        solver=run.solver,
        solver_version=run.solver_version,
    )
    return report.model_copy(update={"record_id": saved.id})


class RobustLine(BaseModel):
    project: str
    core_index: float
    robustness: str
    selected: bool


class RobustReport(BaseModel):
    record_id: str
    portfolio_run: str
    value_draws: int
    weight_sets: int
    re_optimisations: int
    not_optimal: int
    max_gap: float
    seconds: float
    lines: list[RobustLine]  # none when the batch's time left no re-optimisation solved
    total_time: float | None = None  # the batch's seconds (None: an older record)
    unsolved: int = 0  # re-optimisations the batch's deadline left unsolved
    partial: bool = False  # the indices rest on fewer portfolios than asked for
    appraisal_record: str | None = None  # the stored appraisal read (None: appraised anew)


def value_rows(pa: PipelineAppraisal, *, draws: int, weight_sets: int, seed: int) -> FloatArray:
    """Plausible value vectors: Monte Carlo draws at point weights, then other weights.

    Value scales stay those of the decision (pinned in ``pa.criteria``), so rows differ
    only by what is uncertain: the NPV draw, or the weights within what is known.
    """
    inputs, crit = pa.inputs, pa.criteria
    if pa.value_mode == "score":
        return np.atleast_2d(pa.values)
    sim = pa.simulation
    picks = draw_picks(sim.draws, draws)
    point = crit.point.point()
    rows = []
    columns = pa.npv_draws(picks)  # a stored appraisal kept these draws (KeptDraws)
    for j in range(len(picks)):
        npv = dict(zip(sim.project_ids, columns[:, j].tolist(), strict=True))
        m = criteria_matrix(
            inputs.appraised, crit, appraisals=pa.appraisals, regions=inputs.regions, npv=npv
        )
        rows.append(project_values(m, crit, point))
    known = crit.intervals or crit.ranking
    if known is not None and weight_sets > 0:
        weights = np.vstack([known.extreme_points(), known.sample(weight_sets, seed=seed)])
        rows.extend(np.atleast_2d(project_values(pa.matrix, crit, weights)))
    return np.vstack(rows)


def on_run_projects(rows: FloatArray, ids: list[str], problem: PortfolioProblem) -> FloatArray:
    """Value rows over the current pipeline's ids, laid over the run's own projects.

    A column of the run's problem takes the current row's value of the same project;
    a project the pipeline no longer holds keeps the value the run recorded.
    """
    where = {pid: i for i, pid in enumerate(ids)}
    out = np.tile(np.asarray(problem.value, dtype=np.float64), (rows.shape[0], 1))
    for j, pid in enumerate(problem.ids):
        if (i := where.get(pid)) is not None:
            out[:, j] = rows[:, i]
    return out


def robustness(
    rt: Runtime,
    pa: PipelineAppraisal,
    *,
    record_id: str | None = None,
    draws: int = ROBUST_DRAWS,
    weight_sets: int = 100,
    time_limit: float = 5.0,
    progress: Progress | None = None,
    record: bool = False,
    total_time: float | None = None,
) -> RobustReport:
    """Core index of every project of a run over value draws and weight sets (a ROB-
    record only with ``record``). The re-optimisations share one deadline,
    ``total_time`` seconds (default: the sum of their limits, see the module); those it
    leaves unsolved are counted (``unsolved``, ``partial``), and with none solved there
    is no index (no lines).

    The run's own problem is re-optimised, whatever has changed since: values vary as
    the current appraisal of the same projects varies; a project no longer in the
    pipeline keeps the value the run recorded.
    """
    run, problem = recorded(rt, record_id)
    current = value_rows(pa, draws=draws, weight_sets=weight_sets, seed=pa.inputs.policy.seed)
    rows = on_run_projects(current, pa.ids, problem)
    total = batch_budget(time_limit, len(rows)) if total_time is None else total_time
    with compute_map(rt) as mapper:
        result = core_indices(
            problem,
            rows,
            time_limit=time_limit,
            threads=1,
            progress=progress,
            mapper=mapper,
            total_time=total,
            base=solution_of(run, problem).selected,  # every draw starts from it, at least
        )
    chosen = set(run.result["selected"])
    lines = [
        RobustLine(
            project=pid,
            core_index=float(result.core_index[i]),
            robustness=result.classes[i].value,
            selected=pid in chosen,
        )
        for i, pid in enumerate(problem.ids)
        if result.classes  # none when no re-optimisation was solved
    ]
    lines.sort(key=lambda line: (-line.core_index, line.project))
    n_mc = min(draws, pa.simulation.draws) if pa.value_mode != "score" else 0
    report = RobustReport(
        record_id="",
        portfolio_run=run.id,
        value_draws=n_mc,
        weight_sets=len(rows) - n_mc,
        re_optimisations=len(rows),
        not_optimal=result.not_optimal,
        max_gap=result.max_gap,
        seconds=result.seconds,
        lines=lines,
        total_time=total,
        unsolved=result.unsolved,
        partial=result.unsolved > 0,
        appraisal_record=pa.record_id,
    )
    if not record:
        return report
    saved = save_record(
        rt,
        kind="robust",
        inputs={"portfolio_run": run.id, "values": rows.tolist()},
        parameters={
            "draws": draws,
            "weight_sets": weight_sets,
            "time_limit": time_limit,
            "total_time": total,
        }
        | ({"appraisal_record": pa.record_id} if pa.record_id else {}),
        status="done",
        result=report.model_dump(exclude={"record_id", "seconds"}),
        solver=run.solver,
        solver_version=run.solver_version,
        seed=pa.inputs.policy.seed,
    )
    return report.model_copy(update={"record_id": saved.id})
