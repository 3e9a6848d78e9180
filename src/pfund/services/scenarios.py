"""Planning under scenarios: what to fund when the conditions may or may not come.

One scenario-aware optimisation per scenario (the deterministic equivalent of choosing
now and going ahead only where a project's stage is reached), plus the plain question
"what do we fund if only stage k is ever reached?", each recorded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel

from pfund.conditions import (
    Scenario,
    compare_scenarios,
    expected_envelope,
    load_scenarios,
    mix,
    what_if,
)
from pfund.conditions.stochastic import NO_TIME
from pfund.errors import InvalidInput, Problem
from pfund.io.files import load_yaml, read_text
from pfund.portfolio import PortfolioProblem, optimise
from pfund.portfolio.parallel import serial_map
from pfund.portfolio.solvers import base as solver_base
from pfund.services.analysis import batch_budget
from pfund.services.appraisal import PipelineAppraisal, parameters_of
from pfund.services.compute import compute_map
from pfund.services.funding import fund_size
from pfund.services.portfolio import MILLION, portfolio_problem
from pfund.services.records import save_record
from pfund.services.runtime import Runtime


class ScenarioLine(BaseModel):
    scenario: str
    status: str
    chosen: list[str]
    expected_value: float
    expected_spend_m: dict[int, float]
    expected_envelope_m: dict[int, float]
    message: str
    unsolved: bool = False  # the batch's deadline left this scenario no solve


class StageLine(BaseModel):
    """The best portfolio if only stage `max_stage` is reached.

    `chosen` are the projects chosen among those not yet approved; `committed` are the
    approved ones, kept with their money whatever the stage (`cost_m` and `value` count
    both, `committed_cost_m` the approved part alone).
    """

    max_stage: int
    stage_name: str
    status: str
    chosen: list[str]
    value: float
    cost_m: float
    message: str = ""
    committed: list[str] = []
    committed_cost_m: float = 0.0
    unsolved: bool = False  # the batch's deadline left this stage no solve


class ScenarioReport(BaseModel):
    record_id: str
    file: str
    scenarios: list[ScenarioLine]
    by_stage: list[StageLine]
    total_time: float | None = None  # the batch's seconds (None: an older record)
    unsolved: int = 0  # scenarios and stages the batch's deadline left without a solve
    partial: bool = False


def run_scenarios(
    rt: Runtime,
    pa: PipelineAppraisal,
    path: Path,
    *,
    record: bool = True,
    time_limit: float | None = None,
    total_time: float | None = None,
) -> ScenarioReport:
    """Compare the scenarios of a file and the stage-capped portfolios; record the run
    (unless ``record`` is False: the board report only reads). Each solve has the
    policy's time limit, or ``time_limit`` if shorter (the board report's, at scale);
    the batch has ``total_time`` (see the module)."""
    with rt.uow() as uow:
        stages = uow.stages.list()
    scenarios = load_scenario_file(path, [s.number for s in stages])
    problem = portfolio_problem(pa)
    limit = pa.inputs.policy.time_limit
    if time_limit is not None:
        limit = min(limit, time_limit)
    if len(scenarios) > 1 and all(s.weight is not None for s in scenarios.values()):
        scenarios = {**scenarios, "weighted mixture": mix(scenarios, name="weighted mixture")}
    k = len(stages)
    total = batch_budget(limit, len(scenarios) + k) if total_time is None else total_time
    deadline = solver_base.now() + total
    with compute_map(rt) as mapper:
        outcomes = compare_scenarios(
            problem, None, scenarios, time_limit=limit, mapper=mapper, total_time=total
        )
        stage_deadline = solver_base.batch_deadline(max(deadline - solver_base.now(), 0.0))
        by_stage = list(
            (mapper or serial_map)(
                _capped,
                [problem] * k,
                [s.number for s in stages],
                [s.name for s in stages],
                [limit] * k,
                [stage_deadline] * k,
            )
        )
    full = dict.fromkeys(sorted(pa.inputs.policy.budgets), fund_size(rt).total)
    lines = [
        ScenarioLine(
            scenario=o.scenario,
            status=o.status,
            chosen=o.chosen,
            expected_value=o.expected_value,
            expected_spend_m={y: v / MILLION for y, v in o.expected_disbursements.items()},
            expected_envelope_m={
                y: float(v) / MILLION
                for y, v in expected_envelope(full, scenarios[o.scenario]).items()
            },
            message=o.message,
            unsolved=o.unsolved,
        )
        for o in outcomes
    ]
    unsolved = sum(o.unsolved for o in outcomes) + sum(s.unsolved for s in by_stage)
    report = ScenarioReport(
        record_id="",
        file=path.name,
        scenarios=lines,
        by_stage=by_stage,
        total_time=total,
        unsolved=unsolved,
        partial=unsolved > 0,
    )
    if not record:
        return report
    saved = save_record(
        rt,
        kind="scenario",
        inputs={
            "scenarios": load_yaml(read_text(path)),
            "source_hash": pa.inputs.source_hash(),
        },
        parameters=parameters_of(pa.inputs) | {"time_limit": limit, "total_time": total},
        status="done",
        result=report.model_dump(exclude={"record_id"}),
        seed=pa.inputs.policy.seed,
    )
    return report.model_copy(update={"record_id": saved.id})


def _capped(
    problem: PortfolioProblem,
    max_stage: int,
    name: str,
    limit: float,
    deadline: float | None = None,
) -> StageLine:
    """The stage-capped portfolio (top-level, so a Dask worker can run it), or none
    when the batch's ``deadline`` (epoch seconds) has passed."""
    limit = solver_base.batch_limit(limit, deadline)
    if limit <= 0.0:
        return StageLine(
            max_stage=max_stage,
            stage_name=name,
            status="error",
            chosen=[],
            value=0.0,
            cost_m=0.0,
            message=NO_TIME,
            unsolved=True,
        )
    result = optimise(what_if(problem, max_stage), time_limit=limit, threads=1)
    sol = result.solution
    chosen = np.flatnonzero(sol.selected) if sol.has_portfolio else np.array([], dtype=int)
    committed = sorted(problem.committed)
    return StageLine(
        max_stage=max_stage,
        stage_name=name,
        status=sol.status.value,
        chosen=[problem.ids[i] for i in chosen if i not in problem.committed],
        value=sol.objective if sol.has_portfolio else 0.0,
        cost_m=float(problem.cost[chosen].sum()) / MILLION,
        message="" if sol.has_portfolio else result.summary,
        committed=[problem.ids[i] for i in committed],
        committed_cost_m=float(problem.cost[committed].sum()) / MILLION,
    )


def load_scenario_file(path: Path, stages: list[int]) -> dict[str, Scenario]:
    try:
        data = load_yaml(read_text(path))
    except yaml.YAMLError as err:
        raise InvalidInput(f"cannot read {path.name}", [Problem(str(err), path.name)]) from None
    return load_scenarios(data, source=path.name, stages=stages)
