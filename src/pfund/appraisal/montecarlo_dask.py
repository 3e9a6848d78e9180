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
    add_part,
    blocks,
    compute_block,
    generators,
    new_totals,
    prepare,
    summarise,
)
from pfund.appraisal.pipeline import Pipeline
from pfund.cluster import dask_client, worker_threads
from pfund.domain import Project

__all__ = ["simulate_dask", "stream_states"]

State = list[dict[str, Any]]  # the three bit generators' states


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
        runs = _runs(spans, 4 * worker_threads(client))
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


def stream_states(model: Model, seed: int, starts: Sequence[slice]) -> list[State]:
    """The three streams' states at the start of each given block (in draw order)."""
    variates = model.variate_factor.size
    outcomes = model.outcome_factor.size if len(model.pipe.outcome_keys) else 0
    if model.rho == 0:
        states = []
        for at in starts:
            gens = generators(seed)
            _pcg64(gens[0]).advance(at.start * variates)
            _pcg64(gens[2]).advance(at.start * outcomes)
            states.append(_state(gens))
        return states
    wanted = {at.start for at in starts}
    found: dict[int, State] = {}
    gens = generators(seed)
    for at in blocks(model, starts[-1].start + 1 if starts else 0):
        if at.start in wanted:
            found[at.start] = _state(gens)
        n = at.stop - at.start
        gens[1].standard_normal((n, model.factors))
        gens[0].standard_normal((n, variates))
        if outcomes:
            gens[2].standard_normal((n, outcomes))
    return [found[at.start] for at in starts]


def _runs(spans: list[slice], tasks: int) -> list[list[slice]]:
    """Consecutive blocks in about ``tasks`` runs of near-equal length."""
    per = max(1, -(-len(spans) // max(1, tasks)))
    return [spans[i : i + per] for i in range(0, len(spans), per)]


def _pcg64(gen: np.random.Generator) -> np.random.PCG64:
    """The stream's bit generator, which `generators` makes a PCG64 (it can jump ahead)."""
    bit = gen.bit_generator
    if not isinstance(bit, np.random.PCG64):
        raise TypeError(f"expected a PCG64 stream, got {type(bit).__name__}")
    return bit


def _state(gens: list[np.random.Generator]) -> State:
    return [dict(_pcg64(g).state) for g in gens]


def _run_blocks(model: Model, state: State, spans: list[tuple[int, int]]) -> list[Part]:
    """A worker's task: restore the streams, then the blocks one after another."""
    gens = []
    for one in state:
        bit = np.random.PCG64()
        bit.state = one  # type: ignore[assignment]  # a state dict taken from a PCG64
        gens.append(np.random.Generator(bit))
    return [compute_block(model, gens, stop - start) for start, stop in spans]
