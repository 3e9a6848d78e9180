"""A portfolio chosen now for a future whose stages are uncertain.

The stochastic program: choose x now (x_i in {0, 1}); in each scenario path a chosen
project goes ahead only if its stage is reached by its first cost year, and then spends
its whole cost schedule. Maximise expected value; budgets must hold on every path.

`scenario_problem` returns its deterministic equivalent: ONE optimisation over all
scenarios, not one run per scenario, and it is exact for this model:

- Value: E[sum_i v_i x_i 1{stage_i reached by start_i}] = sum_i v_i P_i x_i by
  linearity of expectation, so the objective is value_i × P_i, linear in x.
- Budgets: costs are non-negative and a project only spends when it goes ahead, so the
  path on which the most is unlocked spends the most in every year. The scenario fixes
  only each stage's probabilities; the paths consistent with it include the one where
  every stage comes as early as it can (draw one uniform U and reach stage k at the
  first year with P(k) >= U: stages stay nested, and for U small enough every project
  with P_i > 0 goes ahead). So "feasible on every path" is exactly the original budget
  constraints over the projects with P_i > 0; a project with P_i = 0 adds no value and
  is left out (a conflict, reported, when it must be included).

Shares, caps, dependencies and exclusions keep constraining the chosen set, as decided.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from pfund.conditions.scenarios import Scenario, p_reached
from pfund.errors import InvalidInput, Problem
from pfund.portfolio import PortfolioProblem, Solver, optimise
from pfund.portfolio.parallel import Mapper, serial_map
from pfund.portfolio.problem import FloatArray
from pfund.portfolio.solvers.base import batch_deadline, batch_limit

__all__ = [
    "ScenarioOutcome",
    "compare_scenarios",
    "expected_costs",
    "reach_probabilities",
    "scenario_problem",
    "start_years_of",
    "what_if",
]


def start_years_of(problem: PortfolioProblem) -> list[int]:
    """Each project's first period with a positive cost (the first period if none)."""
    first = [np.flatnonzero(row > 0) for row in problem.cost]
    return [problem.periods[int(f[0])] if f.size else problem.periods[0] for f in first]


def reach_probabilities(
    problem: PortfolioProblem, start_years: Sequence[int] | None, scenario: Scenario
) -> FloatArray:
    """P_i = P(project i's stage reached by its first cost year) under the scenario."""
    starts = start_years_of(problem) if start_years is None else list(start_years)
    if len(starts) != problem.n:
        reason = f"{len(starts)} start years for {problem.n} projects; give one per project"
        raise InvalidInput("invalid start years", [Problem(reason, field="start_years")])
    stages = problem.stages
    return np.array([p_reached(scenario, int(stages[i]), y) for i, y in enumerate(starts)])


def scenario_problem(
    problem: PortfolioProblem, start_years: Sequence[int] | None, scenario: Scenario
) -> PortfolioProblem:
    """The deterministic equivalent of choosing now under `scenario` (see the module).

    Value (and equity) become expected values; budgets stay; projects that can never go
    ahead are excluded. `start_years` None means each project's first cost year.
    """
    probs = reach_probabilities(problem, start_years, scenario)
    # Committed (approved) projects stay in: their money is committed whatever comes.
    never = frozenset(int(i) for i in np.flatnonzero(probs <= 0.0)) - problem.committed
    _refuse_forced(problem, never, scenario, start_years)
    equity = None if problem.equity is None else problem.equity * probs
    return problem.with_changes(
        value=problem.value * probs,
        equity=equity,
        must_exclude=problem.must_exclude | never,
    )


def _refuse_forced(
    problem: PortfolioProblem,
    never: frozenset[int],
    scenario: Scenario,
    start_years: Sequence[int] | None,
) -> None:
    forced = sorted(never & problem.must_include)
    if not forced:
        return
    starts = start_years_of(problem) if start_years is None else list(start_years)
    problems = [
        Problem(
            f"{problem.ids[i]} must be included but needs stage {int(problem.stages[i])}, "
            f"which scenario {scenario.name!r} never reaches by {starts[i]}",
            field="must_include",
        )
        for i in forced
    ]
    raise InvalidInput("must-include projects cannot go ahead in this scenario", problems)


def what_if(problem: PortfolioProblem, max_stage: int) -> PortfolioProblem:
    """The problem if no stage after `max_stage` is ever reached ("what do we fund if
    only the ceasefire holds?" is max_stage=1); an existing lower limit stays.
    Committed (approved) projects stay in with their costs, whatever their stage: the
    answer is for the rest of the pipeline, within what their commitments leave.

    A minimum area share is kept only for areas with a project the stage allows: a floor
    for health when no health project can start would otherwise forbid every portfolio
    but the empty one.
    """
    limit = max_stage if problem.max_stage is None else min(max_stage, problem.max_stage)
    stage = problem.stage if problem.stage is not None else np.zeros(problem.n, dtype=np.int64)
    open_areas = {a for a, s in zip(problem.area, stage, strict=True) if s <= limit}
    floors = {a: v for a, v in problem.area_min_share.items() if a in open_areas}
    return problem.with_changes(max_stage=limit, area_min_share=floors)


def expected_costs(
    problem: PortfolioProblem, selected: np.ndarray, probs: FloatArray
) -> dict[int, float]:
    """Expected spending by year of a selection: cost_it × P_i summed over chosen i."""
    chosen = np.asarray(selected, dtype=bool)
    by_year = (problem.cost[chosen] * probs[chosen, None]).sum(axis=0)
    return {y: float(v) for y, v in zip(problem.periods, by_year, strict=True)}


@dataclass(frozen=True)
class ScenarioOutcome:
    """The portfolio chosen for one scenario, its expected value and spending by year."""

    scenario: str
    status: str
    chosen: list[str]
    expected_value: float
    expected_disbursements: dict[int, float] = field(default_factory=dict)
    message: str = ""
    unsolved: bool = False  # the batch's deadline left this scenario no solve


NO_TIME = "not solved: the batch's time ran out"


def compare_scenarios(
    problem: PortfolioProblem,
    start_years: Sequence[int] | None,
    scenarios: Mapping[str, Scenario],
    *,
    time_limit: float = 60.0,
    solver: Solver | str | None = None,
    mapper: Mapper | None = None,
    total_time: float | None = None,
) -> list[ScenarioOutcome]:
    """One deterministic-equivalent portfolio per scenario, side by side for a report.

    A scenario whose must-include projects can never go ahead yields an outcome with
    status "conflict" and the reason, so one bad scenario does not hide the others.
    The scenarios are independent, so ``mapper`` (a Dask cluster, say) may solve them
    side by side; the outcomes come back in the scenarios' order either way.

    Time: ``time_limit`` bounds each solve; with ``total_time`` the whole batch gets one
    deadline (epoch seconds, shared wherever the solves run), as a frontier's does: a
    scenario the deadline leaves no time for is not solved (status "error",
    ``unsolved``, no portfolio), so the others are still answered.
    """
    k = len(scenarios)
    deadline = batch_deadline(total_time)
    return list(
        (mapper or serial_map)(
            _outcome,
            [problem] * k,
            [start_years] * k,
            list(scenarios),
            list(scenarios.values()),
            [time_limit] * k,
            [solver] * k,
            [deadline] * k,
        )
    )


def _outcome(
    problem: PortfolioProblem,
    start_years: Sequence[int] | None,
    name: str,
    scenario: Scenario,
    time_limit: float,
    solver: Solver | str | None,
    deadline: float | None = None,
) -> ScenarioOutcome:
    try:
        equivalent = scenario_problem(problem, start_years, scenario)
    except InvalidInput as err:
        return ScenarioOutcome(name, "conflict", [], 0.0, {}, str(err))
    limit = batch_limit(time_limit, deadline)
    if limit <= 0.0:
        return ScenarioOutcome(name, "error", [], 0.0, {}, NO_TIME, unsolved=True)
    result = optimise(equivalent, solver=solver, time_limit=limit)
    sol = result.solution
    if not sol.has_portfolio:
        return ScenarioOutcome(name, sol.status.value, [], 0.0, {}, result.summary)
    probs = reach_probabilities(problem, start_years, scenario)
    chosen = [problem.ids[i] for i in np.flatnonzero(sol.selected)]
    spend = expected_costs(problem, sol.selected, probs)
    return ScenarioOutcome(name, sol.status.value, chosen, sol.objective, spend, result.summary)
