"""PFUND_DASK_SCHEDULER sends the pipeline's Monte Carlo to a Dask cluster, and the
appraisal comes out the same as in one process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from distributed import Client, LocalCluster, get_task_stream

from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.runtime import Runtime, open_runtime
from pfund.settings import Settings


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)  # type: ignore[no-untyped-call]
    with cluster, Client(cluster) as connected:  # type: ignore[no-untyped-call]
        yield connected


def test_the_setting_reaches_the_runtime(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pfund.db'}"
    rt = open_runtime(Settings(database_url=url, dask_scheduler="tcp://10.0.0.5:8786"))
    try:
        assert rt.dask_scheduler == "tcp://10.0.0.5:8786"
    finally:
        rt.close()
    rt = open_runtime(Settings(database_url=url))
    try:
        assert rt.dask_scheduler is None
    finally:
        rt.close()


def test_appraisal_on_dask_equals_appraisal_here(demo_rt: Runtime, client: Client) -> None:
    rt = demo_rt  # the sample fund: a copy of a database loaded once per process
    here = appraise_pipeline(load_inputs(rt))
    rt.dask_scheduler = client.scheduler.address  # type: ignore[union-attr]
    inputs = load_inputs(rt)
    assert inputs.scheduler == rt.dask_scheduler
    with get_task_stream(client) as stream:
        spread = appraise_pipeline(inputs)
    assert any("_run_blocks" in str(task["key"]) for task in stream.data)
    assert inputs.source_hash() == here.inputs.source_hash()
    np.testing.assert_array_equal(spread.simulation.npv_by_project, here.simulation.npv_by_project)
    np.testing.assert_array_equal(spread.values, here.values)
