"""Monte Carlo appraisal on a Dask cluster, with the very floats of the one-process path.

Why it can be exact: `montecarlo.simulate` draws in fixed draw-major blocks from three
PCG64 streams, so a block's numbers depend only on where each stream stands when the
block starts. This module hands every task those positions. Without area correlation
every variate is one uniform, one 64-bit step of its stream, so a position is reached
with ``PCG64.advance`` (no drawing). With correlation the normal variates take a varying
number of steps (ziggurat rejections), so the driver walks the streams once, drawing and
discarding, and records their states; that walk is only the random numbers, a fraction of
the work. Blocks are put back in order, so outcome sums add up in the same order too.

The driver sends the compiled model to every worker once, then one task per run of
consecutive blocks (about four per worker thread).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from distributed import Client

from pfund.appraisal.montecarlo import (
    Model,
    Part,
    Simulation,
    State,
    add_part,
    block_runs,
    blocks,
    compute_block,
    new_totals,
    prepare,
    restore,
    stream_states,
    summarise,
)
from pfund.appraisal.pipeline import Pipeline
from pfund.cluster import dask_client, worker_threads
from pfund.domain import Project

__all__ = ["simulate_dask", "stream_states"]


def simulate_dask(
    projects: Sequence[Project] | Pipeline,
    *,
    draws: int,
    seed: int,
    rate: float,
    base_year: int,
    hurdle: float = 0.10,
    method: str = "pert",
    area_correlation: float = 0.0,
    dtype: type[np.floating[Any]] = np.float64,
    scheduler: str | Client | None = None,
    n_workers: int | None = None,
) -> Simulation:
    """`montecarlo.simulate`'s result, computed on a Dask cluster (see `pfund.cluster`)."""
    model = prepare(projects, rate, hurdle, base_year, method, area_correlation, draws)
    spans = blocks(model, draws)
    totals = new_totals(model, draws, dtype)
    with dask_client(scheduler, n_workers) as client:
        runs = block_runs(spans, 4 * worker_threads(client))
        states = stream_states(model, seed, [run[0] for run in runs])
        # A key of its own (hash=False), so another call cannot release it under us.
        shared = client.scatter(model, broadcast=True, hash=False)  # type: ignore[no-untyped-call]
        futures = [
            client.submit(
                _run_blocks, shared, state, [(at.start, at.stop) for at in run], pure=False
            )
            for state, run in zip(states, runs, strict=True)
        ]
        for run, future in zip(runs, futures, strict=True):
            for at, part in zip(run, future.result(), strict=True):
                add_part(totals, at, part)
    return summarise(model, totals, draws=draws, seed=seed)


def _run_blocks(model: Model, state: State, spans: list[tuple[int, int]]) -> list[Part]:
    """A worker's task: restore the streams, then the blocks one after another."""
    gens = restore(state)
    return [compute_block(model, gens, stop - start) for start, stop in spans]
