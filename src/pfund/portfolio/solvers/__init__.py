"""Solver adapters and the choice of default.

HiGHS is the default, by measurement (2 cores, 2 threads, bench/README.md). On the
Chu–Beasley multidimensional knapsacks at 10 s each HiGHS averages 0.13% below the best
known values against 0.28% for deterministic CP-SAT. On synthetic pipelines with area
shares, caps and dependencies HiGHS proves 0.01% in 7 s (1,000 projects) and 0.0014% in
5 s (10,000) using 185 MB; CP-SAT, which must scale share rows to large integers, stops
at 0.034% after 60 s and takes 26 s and 1.2 GB for 10,000. HiGHS also keeps its model and
warm-starts when only the objective changes, which the robustness analysis relies on.

"highs-core" starts HiGHS from the optimum of an LP-guided core solved by CP-SAT
(`core.py`): on the knapsacks it measured 0.20% against 0.27% for HiGHS in one paired run
and 0.188% against 0.181% in another (load-dependent, bench/README.md), and it is slower
on the synthetic pipelines, so it is a choice, not the default.

"highs-hyper" (`hyper.py`) races the full HiGHS model against HiGHS restricted to the
cardinality hyperplanes with the best LP bound, in a second process, and keeps the
better portfolio with an honest combined bound. On the knapsacks it is ahead of plain
HiGHS (bench/README.md), but while it races it takes the core HiGHS uses for its own
proof, so pipelines HiGHS proves in seconds take longer; with one thread (decisions
and reruns) it runs the two searches one after the other. It is a choice for hard
problems that run to the time limit, not the default.
"""

from __future__ import annotations

from pfund.errors import InvalidInput, Problem
from pfund.portfolio.solvers.base import Solver
from pfund.portfolio.solvers.core import CoreHighsSolver
from pfund.portfolio.solvers.cpsat import CpSatSolver
from pfund.portfolio.solvers.highs import HighsSolver
from pfund.portfolio.solvers.hyper import HyperplaneHighsSolver

__all__ = [
    "DEFAULT_SOLVER",
    "SOLVERS",
    "CoreHighsSolver",
    "CpSatSolver",
    "HighsSolver",
    "HyperplaneHighsSolver",
    "Solver",
    "get_solver",
]

SOLVERS: dict[str, type[Solver]] = {
    "highs": HighsSolver,
    "highs-core": CoreHighsSolver,
    "highs-hyper": HyperplaneHighsSolver,
    "cpsat": CpSatSolver,
}
DEFAULT_SOLVER = "highs"


def get_solver(name: str | None = None) -> Solver:
    """The named adapter (default HiGHS); an unknown or missing one names the choices."""
    key = name or DEFAULT_SOLVER
    if key not in SOLVERS:
        raise InvalidInput(
            "unknown solver",
            [Problem(f"{key!r} is not a solver; choose one of {sorted(SOLVERS)}", field="solver")],
        )
    solver = SOLVERS[key]()
    if not solver.available():
        raise InvalidInput(
            "solver not installed",
            [
                Problem(
                    f"{key!r} cannot be imported; install it or pick one of {sorted(SOLVERS)}",
                    field="solver",
                )
            ],
        )
    return solver
