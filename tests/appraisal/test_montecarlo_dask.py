"""Monte Carlo on a Dask cluster gives the one-process result to the last bit.

The cluster runs in other processes, which do not see a monkeypatched block size; they
never need it, since the driver sends each task its blocks and stream states.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from typing import Any

import numpy as np
import pytest
from distributed import Client, LocalCluster

from pfund.appraisal import montecarlo as mc
from pfund.appraisal.montecarlo import Simulation, simulate
from pfund.appraisal.montecarlo_dask import simulate_dask, stream_states
from pfund.io.dataset import load_dataset
from pfund.sample.synthetic import generate_projects

ARRAYS = [f.name for f in fields(Simulation) if f.name not in {"project_ids", "outcome_keys"}]


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)  # type: ignore[no-untyped-call]
    with cluster, Client(cluster) as connected:  # type: ignore[no-untyped-call]
        yield connected


@pytest.fixture(scope="module")
def pipeline() -> list[Any]:
    data = load_dataset()
    return generate_projects(
        60, seed=11, areas=[a.code for a in data.areas], regions=[r.code for r in data.regions]
    )


def assert_identical(one: Simulation, other: Simulation) -> None:
    assert one.project_ids == other.project_ids and one.outcome_keys == other.outcome_keys
    for name in ARRAYS:
        a, b = getattr(one, name), getattr(other, name)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype, name
            np.testing.assert_array_equal(a, b, err_msg=name)
        else:
            assert a == b, name


@pytest.mark.parametrize("rho", [0.0, 0.35])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dask_path_equals_the_one_process_path(
    client: Client,
    pipeline: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    rho: float,
    dtype: type[np.floating[Any]],
) -> None:
    monkeypatch.setattr(mc, "_BLOCK_VALUES", 20_000)  # many blocks, several per task
    kw: dict[str, Any] = {
        "draws": 1_500,
        "seed": 9,
        "rate": 0.06,
        "base_year": 2026,
        "area_correlation": rho,
        "dtype": dtype,
    }
    model = mc.prepare(pipeline, 0.06, 0.10, 2026, "pert", rho, 1_500)
    assert len(mc.blocks(model, 1_500)) > 8
    here = simulate(pipeline, **kw)
    assert here.outcome_keys, "the pipeline should have outcomes, whose sums depend on order"
    assert_identical(here, simulate_dask(pipeline, scheduler=client, **kw))


def test_a_scheduler_address_works_like_a_client(client: Client, pipeline: list[Any]) -> None:
    kw: dict[str, Any] = {"draws": 400, "seed": 3, "rate": 0.05, "base_year": 2026}
    address = client.scheduler.address  # type: ignore[union-attr]
    assert_identical(simulate(pipeline, **kw), simulate_dask(pipeline, scheduler=address, **kw))


@pytest.mark.parametrize("rho", [0.0, 0.35])
def test_stream_states_are_where_drawing_leaves_the_streams(
    pipeline: list[Any], monkeypatch: pytest.MonkeyPatch, rho: float
) -> None:
    """Jumping ahead (no correlation) and walking (correlation) land where drawing does."""
    monkeypatch.setattr(mc, "_BLOCK_VALUES", 20_000)
    model = mc.prepare(pipeline, 0.06, 0.10, 2026, "pert", rho, 1_000)
    spans = mc.blocks(model, 1_000)
    gens = mc.generators(5)
    drawn = []
    for at in spans:
        drawn.append([g.bit_generator.state for g in gens])
        mc.compute_block(model, gens, at.stop - at.start)
    picked = [0, 3, len(spans) - 1]
    assert stream_states(model, 5, [spans[i] for i in picked]) == [drawn[i] for i in picked]
