"""Robustness, frontiers and scenario portfolios on Dask equal the one-process run.

Solution for solution, in the same order: on a cluster of `dask scheduler` and two
`dask worker` processes started as a fund starts them, and on a LocalCluster.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from distributed import Client

from pfund.cluster import cluster_map, dask_map
from pfund.conditions import Scenario, compare_scenarios
from pfund.portfolio import (
    RobustResult,
    budget_frontier,
    build_problem,
    core_indices,
    equity_frontier,
)
from pfund.portfolio.robust import CHUNK_ROWS, row_chunks
from tests.dask_processes import dask_processes
from tests.portfolio.cases import knapsack, random_problem

DRAWS = 3 * CHUNK_ROWS + 2  # three chunks of the split, so the cluster has work to share


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with dask_processes(workers=2) as address:
        yield address


@pytest.fixture(scope="module")
def case() -> tuple[Any, Any]:
    problem = random_problem(4).with_changes(must_include=frozenset())
    draws = np.random.default_rng(8).uniform(0.5, 1.5, size=(DRAWS, problem.n)) * problem.value
    return problem, draws


def assert_same_robustness(one: RobustResult, other: RobustResult) -> None:
    assert np.array_equal(one.portfolios, other.portfolios)
    assert np.array_equal(one.core_index, other.core_index)
    assert np.array_equal(one.gaps, other.gaps)
    assert (one.classes, one.not_optimal, one.max_gap) == (
        other.classes,
        other.not_optimal,
        other.max_gap,
    )


def test_the_split_depends_on_the_rows_alone() -> None:
    rows = np.arange(DRAWS * 2, dtype=float).reshape(DRAWS, 2)
    chunks = row_chunks(rows)
    assert len(chunks) == DRAWS // CHUNK_ROWS
    assert np.array_equal(np.vstack(chunks), rows)


def test_robustness_on_separate_dask_processes_equals_one_process(
    scheduler: str, case: tuple[Any, Any]
) -> None:
    problem, draws = case
    here = core_indices(problem, draws, time_limit=5, threads=1)
    seen: list[int] = []
    with Client(scheduler) as client:  # type: ignore[no-untyped-call]
        assert len(client.nthreads()) == 2
        there = core_indices(
            problem,
            draws,
            time_limit=5,
            threads=1,
            mapper=dask_map(client),
            progress=lambda done, _total: seen.append(done),
        )
    assert_same_robustness(here, there)
    assert seen[-1] == DRAWS


def test_robustness_in_local_processes_equals_one_process(case: tuple[Any, Any]) -> None:
    problem, draws = case
    here = core_indices(problem, draws, time_limit=5, threads=1)
    assert_same_robustness(here, core_indices(problem, draws, time_limit=5, threads=1, workers=2))


def test_frontiers_on_separate_dask_processes_equal_one_process(scheduler: str) -> None:
    rng = np.random.default_rng(5)
    problem = knapsack(list(rng.integers(1, 50, 10)), list(rng.integers(1, 20, 10)), 40)
    problem = problem.with_changes(equity=rng.integers(0, 30, 10).astype(float))
    with cluster_map(scheduler) as mapper:
        budget = budget_frontier(problem, points=9, time_limit=5, mapper=mapper)
        equity = equity_frontier(problem, points=6, time_limit=5, mapper=mapper)
    assert _points(budget) == _points(budget_frontier(problem, points=9, time_limit=5))
    assert _points(equity) == _points(equity_frontier(problem, points=6, time_limit=5))


def test_scenarios_on_separate_dask_processes_equal_one_process(scheduler: str) -> None:
    projects = {
        "A": {"value": 6, "cost": {2026: 6}, "stage": 0},
        "B": {"value": 12, "cost": {2027: 8}, "stage": 2},
        "C": {"value": 5, "cost": {2027: 4}, "stage": 1},
        "D": {"value": 4, "cost": {2026: 3, 2027: 1}, "stage": 1},
    }
    problem = build_problem(projects, {2026: 10.0, 2027: 10.0})
    scenarios = {
        "settlement": Scenario(path={1: 2026, 2: 2027}),
        "ceasefire_only": Scenario(path={1: 2026}),
        "conflict": Scenario(path={}),
    }
    here = compare_scenarios(problem, None, scenarios, time_limit=5)
    with cluster_map(scheduler) as mapper:
        there = compare_scenarios(problem, None, scenarios, time_limit=5, mapper=mapper)
    assert [o.scenario for o in there] == list(scenarios)
    assert here == there


def test_robustness_on_a_local_cluster_equals_one_process(case: tuple[Any, Any]) -> None:
    problem, draws = case
    here = core_indices(problem, draws, time_limit=5, threads=1)
    with cluster_map("local", n_workers=2) as mapper:
        assert_same_robustness(
            here, core_indices(problem, draws, time_limit=5, threads=1, mapper=mapper)
        )


def _points(points: list[Any]) -> list[tuple[Any, ...]]:
    """Every field of every point, the selection as a tuple (arrays do not compare)."""
    return [
        tuple(tuple(v.tolist()) if isinstance(v, np.ndarray) else v for v in vars(p).values())
        for p in points
    ]
