"""Solve the Chu–Beasley multidimensional knapsacks as portfolios; prints JSON.

Items are projects and constraints are yearly budgets. Reports, per solver and for
greedy, the mean and max relative gap to the best known value (best_known.csv).
The OR-Library files are not shipped with the package; pass their folder.

Usage: python bench/mkp.py [PATH] [--solver highs|highs-core|highs-hyper|cpsat|all|A,B] [--limit N]
       [--time-limit S] [--threads T]
(PATH defaults to ../shared/data/benchmarks/mkp from the repository root;
--limit N takes the first N instances of each of mknapcb1..9.)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from pfund.portfolio import PortfolioProblem, get_solver, greedy

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / ".." / "shared" / "data" / "benchmarks" / "mkp"


def read_instances(
    path: Path,
) -> Iterator[tuple[int, int, float, np.ndarray, np.ndarray, np.ndarray]]:
    """Yield (n, m, optimum, profits (n,), weights (m, n), capacities (m,)) per instance."""
    numbers = path.read_text().split()
    pos = 1
    for _ in range(int(numbers[0])):
        n, m, opt = int(numbers[pos]), int(numbers[pos + 1]), float(numbers[pos + 2])
        pos += 3
        block = np.array(numbers[pos : pos + n + n * m + m], dtype=np.float64)
        pos += n + n * m + m
        yield n, m, opt, block[:n], block[n : n + n * m].reshape(m, n), block[n + n * m :]


def as_problem(
    profits: np.ndarray, weights: np.ndarray, capacities: np.ndarray
) -> PortfolioProblem:
    """Items become projects, constraint rows become budget periods."""
    n, m = len(profits), len(capacities)
    return PortfolioProblem(
        ids=tuple(f"p{i}" for i in range(n)),
        value=profits,
        cost=weights.T,
        periods=tuple(range(m)),
        budget=capacities,
    )


def best_known(folder: Path) -> dict[str, float]:
    """instance id (mknapcbK-NN) -> best known value, read by column name."""
    with (folder / "best_known.csv").open() as fh:
        return {row["instance"]: float(row["best_known"]) for row in csv.DictReader(fh)}


def silence_banner() -> None:
    """HiGHS prints a banner on stdout once per process; keep stdout pure JSON."""
    saved = os.dup(1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    try:
        import highspy

        highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)


def run(
    folder: Path, solvers: list[str], limit: int, time_limit: float, threads: int
) -> dict[str, object]:
    known = best_known(folder)
    gaps: dict[str, list[float]] = {s: [] for s in [*solvers, "greedy"]}
    seconds: dict[str, list[float]] = {s: [] for s in solvers}
    proven: dict[str, list[float]] = {s: [] for s in solvers}
    for k in range(1, 10):
        for idx, (_, _, _, prof, w, cap) in enumerate(read_instances(folder / f"mknapcb{k}.txt")):
            if idx >= limit:
                break
            best = known[f"mknapcb{k}-{idx:02d}"]
            problem = as_problem(prof, w, cap)
            for name in solvers:
                sol = get_solver(name).solve(problem, time_limit=time_limit, threads=threads)
                gaps[name].append((best - sol.objective) / best)
                seconds[name].append(sol.seconds)
                proven[name].append(sol.gap)
            gaps["greedy"].append((best - greedy(problem).objective) / best)
    return {
        "instances": len(gaps["greedy"]),
        "time_limit": time_limit,
        "threads": threads,
        "gap_to_best_known": {
            s: {"mean": float(np.mean(g)), "max": float(np.max(g)), "min": float(np.min(g))}
            for s, g in gaps.items()
        },
        "mean_seconds": {s: float(np.mean(t)) for s, t in seconds.items()},
        "mean_proven_gap": {s: float(np.mean(g)) for s, g in proven.items()},
        "load_average": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument(
        "--solver", default="highs", help="a solver, a comma-separated list, or all"
    )
    parser.add_argument("--limit", type=int, default=30, help="first N instances of each file")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    silence_banner()
    every = ["highs", "highs-core", "highs-hyper", "cpsat"]
    solvers = every if args.solver == "all" else args.solver.split(",")
    result = run(args.path.resolve(), solvers, args.limit, args.time_limit, args.threads)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
