"""Robustness re-optimisations on 1 and on 2 Dask workers (separate processes); prints JSON.

Usage: python bench/robust_dask.py [--projects N] [--rows K] [--seed S] [--time-limit T]
                                   [--workers 1 2] [--no-serial]

A seeded synthetic pipeline of N projects (default 50: lognormal costs over 5 yearly
budgets of 30% of the asks, values at a benefit-cost ratio near 1.3) is re-optimised
for K value draws (default 200, each value times a lognormal factor, sigma 0.2) with
`core_indices` at a 0.1% gap, one solver thread per solve:

- in this process (the reference; skipped with ``--no-serial``);
- for each W of ``--workers``: on a fresh `dask scheduler` with W `dask worker`
  processes (one thread each) started as a fund starts them, through
  `pfund.cluster.dask_map`; the clock runs from the first task submitted to the last
  result back, not over starting the processes.

Prints the wall seconds of each, the speed-up of the largest W over W=1, whether every
run's portfolios equal the reference, how many solves stopped at the time limit (none
should: a time-limited solve could differ between runs), the CPU count and the load
average before and after (the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

import numpy as np
from distributed import Client

from pfund.cluster import dask_map, dask_processes
from pfund.portfolio import PortfolioProblem, RobustResult, core_indices
from pfund.portfolio.robust import row_chunks
from portfolio_synthetic import budgeted, spending


def problem(n: int, seed: int) -> PortfolioProblem:
    """A seeded pipeline of multi-year projects under five yearly budgets."""
    return budgeted(*spending(np.random.default_rng(seed), n))


def same(one: RobustResult, other: RobustResult) -> bool:
    return bool(
        np.array_equal(one.portfolios, other.portfolios)
        and np.array_equal(one.core_index, other.core_index)
        and np.array_equal(one.gaps, other.gaps)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-serial", action="store_true")
    args = parser.parse_args()
    prob = problem(args.projects, args.seed)
    noise = np.random.default_rng(args.seed + 1).lognormal(0.0, 0.2, (args.rows, prob.n))
    rows = prob.value * noise
    kw: dict[str, Any] = {"time_limit": args.time_limit, "threads": 1}
    out: dict[str, Any] = {
        "projects": prob.n,
        "re_optimisations": args.rows,
        "chunks": len(row_chunks(rows)),
        "cpus": os.cpu_count(),
        "load_average_before": round(os.getloadavg()[0], 2),
    }
    reference: RobustResult | None = None
    if not args.no_serial:
        started = time.perf_counter()
        reference = core_indices(prob, rows, **kw)
        out["one_process_seconds"] = round(time.perf_counter() - started, 2)
        out["not_optimal"] = reference.not_optimal
    seconds: dict[int, float] = {}
    for workers in args.workers:
        with dask_processes(workers) as address, Client(address) as client:  # type: ignore[no-untyped-call]
            started = time.perf_counter()
            result = core_indices(prob, rows, mapper=dask_map(client), **kw)
            seconds[workers] = time.perf_counter() - started
        out[f"dask_{workers}_workers_seconds"] = round(seconds[workers], 2)
        reference = reference or result
        out[f"dask_{workers}_workers_identical"] = same(reference, result)
        out[f"dask_{workers}_workers_not_optimal"] = result.not_optimal
    if 1 in seconds and len(seconds) > 1:
        most = max(seconds)
        out[f"speed_up_{most}_over_1"] = round(seconds[1] / seconds[most], 2)
    out["load_average_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
