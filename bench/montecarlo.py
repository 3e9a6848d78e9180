"""Time the Monte Carlo appraisal of a synthetic pipeline; prints JSON.

Usage: python bench/montecarlo.py [PROJECTS] [DRAWS] [--float32] [--correlation RHO]
       [--threads N] [--dask ADDRESS|local [--workers N]]
(default 1,000 projects x 10,000 draws, PERT, float64 NPV draws, no correlation, as many
threads as CPUs). The JSON also gives the simulation's CPU seconds (all threads), the load
average (other work on the machine slows the wall clock) and whether the threaded result
is identical to one thread's (a third, untimed run with ``threads=1``).
With --dask the same simulation also runs on a Dask cluster (``local``: a LocalCluster of
N single-threaded workers, started before the clock) and the JSON says whether every
array came out identical.
Compiling the pipeline and the one-off PERT table are timed apart from sampling; peak
memory is the process's resident high-water mark (``ru_maxrss``) and the peak of
allocations traced by ``tracemalloc`` (numpy reports its buffers to it) during a second,
untimed run of the simulation.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import tracemalloc
from typing import Any

import numpy as np

from pfund.appraisal.distributions import pert_quantile_table
from pfund.appraisal.montecarlo import Simulation, available_cpus, simulate
from pfund.appraisal.pipeline import compile_pipeline
from pfund.io.dataset import load_dataset
from pfund.sample.synthetic import generate_projects

_FIELDS = (
    "npv_by_project",
    "p_npv_positive",
    "p_err_hurdle",
    "npv_quantiles",
    "bcr_quantiles",
    "outcome_mean",
)


def main(
    projects: int,
    draws: int,
    *,
    float32: bool,
    rho: float,
    dask: str | None = None,
    workers: int | None = None,
    threads: int | None = None,
) -> dict[str, Any]:
    data = load_dataset()
    pipeline = generate_projects(
        projects, seed=1, areas=[a.code for a in data.areas], regions=[r.code for r in data.regions]
    )
    start = time.perf_counter()
    pert_quantile_table()
    table = time.perf_counter() - start
    start = time.perf_counter()
    compiled = compile_pipeline(pipeline)
    compiling = time.perf_counter() - start

    kw: dict[str, Any] = {
        "draws": draws,
        "seed": 7,
        "rate": float(data.fund.discount_rate),
        "base_year": data.fund.first_year,
        "area_correlation": rho,
        "dtype": np.float32 if float32 else np.float64,
    }

    def run() -> Simulation:
        return simulate(compiled, threads=threads, **kw)

    load = os.getloadavg()
    start, cpu = time.perf_counter(), time.process_time()
    result = run()
    sampling, cpu = time.perf_counter() - start, time.process_time() - cpu
    one = simulate(compiled, threads=1, **kw)
    same = all(np.array_equal(getattr(one, name), getattr(result, name)) for name in _FIELDS)
    del result, one
    tracemalloc.start()  # a second, traced run: tracing slows allocation, so not timed
    result = run()
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    spread = timed_dask(compiled, kw, dask, workers, result) if dask else {}
    return {
        "bench": "montecarlo",
        "projects": projects,
        "draws": draws,
        "terms": int(compiled.term_c.size),
        "dtype": "float32" if float32 else "float64",
        "area_correlation": rho,
        "pert_table_seconds": round(table, 3),
        "compile_seconds": round(compiling, 3),
        "threads": threads or available_cpus(),
        "simulate_seconds": round(sampling, 3),
        "simulate_cpu_seconds": round(cpu, 3),
        "load_average_before": [round(x, 2) for x in load],
        "identical_to_one_thread": same,
        "project_draws_per_second": round(projects * draws / sampling),
        "peak_traced_mb": round(traced / 2**20, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "mean_p_npv_positive": round(float(result.p_npv_positive.mean()), 4),
        "non_conventional": int((~result.conventional).sum()),
        **spread,
    }


def timed_dask(
    compiled: Any,
    kw: dict[str, Any],
    scheduler: str,
    workers: int | None,
    single: Simulation,
) -> dict[str, Any]:
    """The same simulation on Dask: seconds (cluster already up) and whether it matches."""
    from pfund.appraisal.montecarlo_dask import simulate_dask
    from pfund.cluster import dask_client, worker_threads

    with dask_client(scheduler, workers) as client:
        threads = worker_threads(client)
        start = time.perf_counter()
        result = simulate_dask(compiled, scheduler=client, **kw)
        seconds = time.perf_counter() - start
    same = all(np.array_equal(getattr(single, name), getattr(result, name)) for name in _FIELDS)
    return {
        "dask_worker_threads": threads,
        "dask_simulate_seconds": round(seconds, 3),
        "dask_identical_to_single_process": same,
    }


def _args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("projects", nargs="?", type=int, default=1000)
    parser.add_argument("draws", nargs="?", type=int, default=10_000)
    parser.add_argument("--float32", action="store_true")
    parser.add_argument("--correlation", type=float, default=0.0)
    parser.add_argument("--dask", help="also run on Dask: a scheduler address or 'local'")
    parser.add_argument("--workers", type=int, help="workers of the local cluster")
    parser.add_argument("--threads", type=int, help="threads of the simulation (default: CPUs)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = _args(sys.argv[1:])
    report = main(
        args.projects,
        args.draws,
        float32=args.float32,
        rho=args.correlation,
        dask=args.dask,
        workers=args.workers,
        threads=args.threads,
    )
    print(json.dumps(report, indent=2))
