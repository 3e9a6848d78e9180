"""Solve the Chu–Beasley multidimensional knapsacks as portfolios; prints JSON.

Items are projects and constraints are yearly budgets. Reports, per solver and for
greedy, the mean and max relative gap to the best known value (best_known.csv), over
all instances and per group (constraints x items x tightness), with one row per
instance. The OR-Library files are not shipped with the package; pass their folder.

Usage: python bench/mkp.py [PATH] [--solver highs|highs-core|highs-hyper|cpsat|all|A,B]
       [--limit N | --spread N | --instances I,J,...] [--time-limit S] [--threads T]
(PATH defaults to ../shared/data/benchmarks/mkp from the repository root. Each file
mknapcb1..9 holds 30 instances, ten per tightness ratio 0.25, 0.5 and 0.75; the whole
set is 270 x 10 s, 45 minutes per solver. --limit N takes the first N of each file,
all of tightness 0.25 when N <= 10: the hardest third, whose gaps are two to three times
those of the rest. --spread N takes N evenly spaced ones (3: instances 0, 10, 20, one per
tightness), a sample shaped like the whole set.)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def known_instances(folder: Path) -> dict[str, dict[str, str]]:
    """instance id (mknapcbK-NN) -> its row of best_known.csv (best_known, m, n, tightness)."""
    with (folder / "best_known.csv").open() as fh:
        return {row["instance"]: row for row in csv.DictReader(fh)}


def chosen(limit: int | None, spread: int | None, count: int = 30) -> list[int]:
    """Which instance numbers of each file to run."""
    if spread is not None:
        return sorted({round(i * count / spread) for i in range(spread)})
    return list(range(min(limit if limit is not None else count, count)))


def run(
    folder: Path, solvers: list[str], picks: list[int], time_limit: float, threads: int
) -> dict[str, object]:
    known = known_instances(folder)
    rows: list[dict[str, object]] = []
    loads: list[float] = []
    every = {
        (k, idx): instance
        for k in range(1, 10)
        for idx, instance in enumerate(read_instances(folder / f"mknapcb{k}.txt"))
        if idx in picks
    }
    # Stratified order (0, 10, 20, 1, 11, 21, ... across all nine files), so that any
    # prefix of the per-instance rows on stderr is a sample shaped like the whole run.
    for k, idx in sorted(every, key=lambda key: (key[1] % 10, key[1] // 10, key[0])):
        _, _, _, prof, w, cap = every[(k, idx)]
        meta = known[f"mknapcb{k}-{idx:02d}"]
        best = float(meta["best_known"])
        problem = as_problem(prof, w, cap)
        row: dict[str, object] = {
            "instance": meta["instance"],
            "group": f"{meta['m']}x{meta['n']}@{meta['tightness']}",
            "gap": {"greedy": (best - greedy(problem).objective) / best},
            "proven_gap": {},
            "seconds": {},
        }
        for name in solvers:
            sol = get_solver(name).solve(problem, time_limit=time_limit, threads=threads)
            row["gap"][name] = (best - sol.objective) / best  # type: ignore[index]
            row["proven_gap"][name] = sol.gap  # type: ignore[index]
            row["seconds"][name] = sol.seconds  # type: ignore[index]
        loads.append(os.getloadavg()[0])
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return summarise(rows, [*solvers, "greedy"], solvers, time_limit, threads, loads)


def summarise(
    rows: list[dict[str, Any]],
    names: list[str],
    solvers: list[str],
    time_limit: float,
    threads: int,
    loads: list[float],
) -> dict[str, object]:
    """Mean and max gaps over all rows, by tightness and by group."""

    def stats(subset: list[dict[str, Any]], name: str) -> dict[str, float]:
        g = [r["gap"][name] for r in subset]
        return {"mean": float(np.mean(g)), "max": float(np.max(g)), "min": float(np.min(g))}

    def tightness(r: dict[str, Any]) -> str:
        return str(r["group"]).split("@")[1]

    groups = sorted(
        {str(r["group"]) for r in rows},
        key=lambda g: [float(x) for x in g.replace("@", "x").split("x")],
    )
    return {
        "instances": len(rows),
        "time_limit": time_limit,
        "threads": threads,
        "gap_to_best_known": {s: stats(rows, s) for s in names},
        "mean_gap_by_tightness": {
            t: {s: stats([r for r in rows if tightness(r) == t], s)["mean"] for s in names}
            for t in sorted({tightness(r) for r in rows})
        },
        "mean_gap_by_group": {
            g: {s: stats([r for r in rows if r["group"] == g], s)["mean"] for s in names}
            for g in groups
        },
        "mean_seconds": {s: float(np.mean([r["seconds"][s] for r in rows])) for s in solvers},
        "mean_proven_gap": {s: float(np.mean([r["proven_gap"][s] for r in rows])) for s in solvers},
        "load_average": {"min": min(loads), "max": max(loads), "mean": float(np.mean(loads))},
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument(
        "--solver", default="highs", help="a solver, a comma-separated list, or all"
    )
    picked = parser.add_mutually_exclusive_group()
    picked.add_argument("--limit", type=int, help="first N instances of each file")
    picked.add_argument("--spread", type=int, help="N evenly spaced instances of each file")
    picked.add_argument(
        "--instances", help="these instance numbers of each file (0-29, comma-separated)"
    )
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    silence_banner()
    every = ["highs", "highs-core", "highs-hyper", "cpsat"]
    solvers = every if args.solver == "all" else args.solver.split(",")
    picks = (
        [int(i) for i in args.instances.split(",")]
        if args.instances
        else chosen(args.limit, args.spread)
    )
    result = run(args.path.resolve(), solvers, picks, args.time_limit, args.threads)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
