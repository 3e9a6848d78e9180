"""Portfolio engine: choose the projects that buy the most value within the budgets.

Pure computation on arrays: a `PortfolioProblem` in, `Solution`s and plain dataclasses
out. Solvers sit behind one `Solver` interface (HiGHS by default, CP-SAT as well).
"""

from __future__ import annotations

from pfund.portfolio.explain import Explanation, Reason, explain_all, explain_project
from pfund.portfolio.frontier import BudgetPoint, EquityPoint, budget_frontier, equity_frontier
from pfund.portfolio.greedy import GreedyComparison, compare_with_greedy, greedy
from pfund.portfolio.infeasible import Conflict, find_conflict
from pfund.portfolio.model import Group, GroupKind
from pfund.portfolio.optimise import PortfolioResult, optimise
from pfund.portfolio.problem import LinearConstraint, PortfolioProblem, build_problem
from pfund.portfolio.robust import Robustness, RobustResult, core_indices
from pfund.portfolio.solution import Solution, Status
from pfund.portfolio.solvers import DEFAULT_SOLVER, SOLVERS, Solver, get_solver

__all__ = [
    "DEFAULT_SOLVER",
    "SOLVERS",
    "BudgetPoint",
    "Conflict",
    "EquityPoint",
    "Explanation",
    "GreedyComparison",
    "Group",
    "GroupKind",
    "LinearConstraint",
    "PortfolioProblem",
    "PortfolioResult",
    "Reason",
    "RobustResult",
    "Robustness",
    "Solution",
    "Solver",
    "Status",
    "budget_frontier",
    "build_problem",
    "compare_with_greedy",
    "core_indices",
    "equity_frontier",
    "explain_all",
    "explain_project",
    "find_conflict",
    "get_solver",
    "greedy",
    "optimise",
]
