"""Time the portfolio engine on synthetic pipelines; prints JSON.

Pipelines of 1,000 and 10,000 projects over 5 yearly budgets, with minimum and maximum
shares for 11 areas, region caps, stages and 500 dependencies, are solved with a 60 s
limit; then the robustness analysis re-optimises a 500-project pipeline for 200 value
draws. Reports time, status, gap, gap of greedy ranking and peak memory.

Usage: python bench/portfolio_synthetic.py [--solver highs|highs-core|cpsat] [--sizes 1000 10000]
       [--time-limit 60] [--threads 2] [--draws 200] [--each 0.55]
(robustness runs one process per thread, 1 solver thread each, `--each` s per draw)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

import numpy as np

from pfund.portfolio import PortfolioProblem, Robustness, core_indices, get_solver, greedy

AREAS = tuple(f"area{k:02d}" for k in range(11))
REGIONS = tuple(f"RU-R{k:02d}" for k in range(80))
YEARS = (2027, 2028, 2029, 2030, 2031)


def spending(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Costs over the five years (skewed totals, 1-3 years each) and values near BCR 1.3."""
    total = rng.lognormal(np.log(20e6), 1.0, n)
    start = rng.integers(0, 5, n)
    length = rng.integers(1, 4, n)
    cost = np.zeros((n, 5))
    for i in range(n):
        years = np.arange(start[i], min(start[i] + length[i], 5))
        cost[i, years] = total[i] / len(years)
    return cost, cost.sum(axis=1) * rng.lognormal(np.log(1.3), 0.35, n)


def budgeted(cost: np.ndarray, value: np.ndarray) -> PortfolioProblem:
    """The projects under yearly budgets of 30% of what they ask, no other rule."""
    return PortfolioProblem(
        ids=tuple(f"PRJ-{i:05d}" for i in range(len(value))),
        value=value,
        cost=cost,
        periods=YEARS,
        budget=0.3 * cost.sum(axis=0),
    )


def pipeline(n: int, seed: int = 1, links: int = 500) -> PortfolioProblem:
    """A seeded pipeline whose numbers look like a fund's (skewed costs, BCR near 1.3)."""
    rng = np.random.default_rng(seed)
    cost, value = spending(rng, n)
    area = tuple(str(a) for a in rng.choice(AREAS, n, p=_area_weights()))
    prereq = rng.integers(0, n - 1, links)
    dependent = np.array([rng.integers(j + 1, n) for j in prereq])
    return budgeted(cost, value).with_changes(
        area=area,
        area_min_share=dict.fromkeys(AREAS, 0.03),
        area_max_share=dict.fromkeys(AREAS, 0.25),
        regions=tuple(
            tuple(rng.choice(REGIONS, rng.integers(1, 3), replace=False)) for _ in range(n)
        ),
        region_cap={r: 0.04 * 0.3 * float(cost.sum()) for r in REGIONS[:10]},
        depends=tuple(sorted({(int(i), int(j)) for i, j in zip(dependent, prereq, strict=True)})),
        stage=rng.choice(4, n, p=[0.15, 0.35, 0.4, 0.1]),
        max_stage=2,
    )


def _area_weights() -> np.ndarray:
    w = np.linspace(2.0, 0.5, len(AREAS))
    return np.asarray(w / w.sum(), dtype=np.float64)


def solve_pipeline(n: int, solver_name: str, time_limit: float, threads: int) -> dict[str, object]:
    problem = pipeline(n)
    sol = get_solver(solver_name).solve(problem, time_limit=time_limit, threads=threads)
    started = time.perf_counter()
    base = greedy(problem)
    return {
        "projects": n,
        **{k: v for k, v in sol.as_dict().items() if k != "message"},
        "greedy_value": base.objective,
        "greedy_status": base.status.value,
        "greedy_gap_to_optimiser": (sol.objective - base.objective) / sol.objective,
        "greedy_seconds": round(time.perf_counter() - started, 3),
    }


def robustness(solver_name: str, draws: int, workers: int, each: float) -> dict[str, object]:
    problem = pipeline(500, seed=2, links=25)
    rng = np.random.default_rng(3)
    values = problem.value * rng.lognormal(0.0, 0.2, (draws, problem.n))
    result = core_indices(
        problem, values, solver=get_solver(solver_name), threads=1, workers=workers, time_limit=each
    )
    hit = result.gaps[result.gaps > 1e-3]  # draws stopped short of the requested 0.1%
    return {
        "projects": problem.n,
        "draws": draws,
        "workers": workers,
        "time_limit_each": each,
        "seconds": round(result.seconds, 2),
        "not_optimal": result.not_optimal,
        "max_gap": result.max_gap,
        "gap_median_of_limit_hits": float(np.median(hit)) if len(hit) else 0.0,
        **{cls.value: len(result.of(cls)) for cls in Robustness},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solver", default="highs")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--each", type=float, default=0.55, help="time limit per draw")
    args = parser.parse_args(argv)
    from mkp import silence_banner

    silence_banner()
    out: dict[str, object] = {
        "solver": args.solver,
        "pipelines": [
            solve_pipeline(n, args.solver, args.time_limit, args.threads) for n in args.sizes
        ],
    }
    if args.draws:
        out["robustness"] = robustness(args.solver, args.draws, args.threads, args.each)
    peaks = (
        resource.getrusage(who).ru_maxrss
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    out["peak_memory_mb"] = round(max(peaks) / 1024, 1)  # largest single process, in MB
    out["load_average"] = [round(v, 2) for v in os.getloadavg()]  # the machine is shared
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
