"""PFUND_DASK_SCHEDULER sends robustness, frontiers and scenario portfolios to a Dask
cluster of separate `dask scheduler` / `dask worker` processes, directly and through the
persistent job kinds, and the reports come out as in one process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from distributed import Client, get_task_stream

from pfund.services.analysis import frontier, robustness
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.job_kinds import kind_of
from pfund.services.records import get_record
from pfund.services.runtime import Runtime
from pfund.services.scenarios import run_scenarios
from tests.dask_processes import dask_processes

# What differs between two equal runs: the wall time and the record's id.
VARYING = {"record_id", "seconds"}


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with dask_processes(workers=2) as address:
        yield address


@pytest.fixture
def demo(optimised_rt: Runtime) -> Runtime:
    """The sample fund with one portfolio run: a copy of a database made so once per
    process, not loaded and optimised again for each test."""
    return optimised_rt


def same(report: Any) -> dict[str, Any]:
    return report.model_dump(exclude=VARYING)  # type: ignore[no-any-return]


def test_robustness_and_frontier_on_the_cluster_equal_one_process(
    demo: Runtime, scheduler: str
) -> None:
    pa = appraise_pipeline(load_inputs(demo))
    kw: dict[str, Any] = {"draws": 10, "weight_sets": 10, "time_limit": 5}
    robust_here = robustness(demo, pa, **kw)
    front_here = frontier(demo, points=5, time_limit=5)
    demo.dask_scheduler = scheduler
    with Client(scheduler) as client, get_task_stream(client) as stream:  # type: ignore[no-untyped-call]
        robust_there = robustness(demo, pa, **kw)
        front_there = frontier(demo, points=5, time_limit=5)
    ran = {str(task["key"]) for task in stream.data}
    assert any("_solve_chunk" in key for key in ran)
    assert any("_solve" in key and "_solve_chunk" not in key for key in ran)
    assert robust_there.re_optimisations > 8  # more than one chunk to share
    assert same(robust_there) == same(robust_here)
    assert same(front_there) == same(front_here)


def test_the_job_kinds_go_to_the_cluster_too(demo: Runtime, scheduler: str) -> None:
    params = {"draws": 6, "weight_sets": 6, "time_limit": 5}
    here = get_record(demo, kind_of("robust").work(demo, params, lambda _f: None), kind="robust")
    demo.dask_scheduler = scheduler
    with Client(scheduler) as client, get_task_stream(client) as stream:  # type: ignore[no-untyped-call]
        there_id = kind_of("robust").work(demo, params, lambda _f: None)
    assert any("_solve_chunk" in str(task["key"]) for task in stream.data)
    there = get_record(demo, there_id, kind="robust")
    drop = {"seconds"}
    assert {k: v for k, v in there.result.items() if k not in drop} == {
        k: v for k, v in here.result.items() if k not in drop
    }


def test_scenario_portfolios_on_the_cluster_equal_one_process(
    demo: Runtime, scheduler: str, tmp_path: Path
) -> None:
    path = tmp_path / "scenarios.yaml"
    path.write_text(
        "scenarios:\n"
        "  ceasefire_only: {stage_1: {2026: 0.5, 2027: 1.0}}\n"
        "  settlement: {path: {1: 2026, 2: 2028, 3: 2031}}\n",
        encoding="utf-8",
    )
    pa = appraise_pipeline(load_inputs(demo))
    here = run_scenarios(demo, pa, path, record=False)
    demo.dask_scheduler = scheduler
    with Client(scheduler) as client, get_task_stream(client) as stream:  # type: ignore[no-untyped-call]
        there = run_scenarios(demo, pa, path, record=False)
    ran = {str(task["key"]) for task in stream.data}
    assert any("_outcome" in key for key in ran) and any("_capped" in key for key in ran)
    assert there == here
