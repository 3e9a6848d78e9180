"""How much of a run the board report works out, by the size of the run (issue 18, point 6).

The report is read in ten minutes by people: at 50,000 projects it cannot explain every
project, nor re-optimise a 50,000-project problem a hundred times. What it does is
bounded here, in a few numbers the report states, so every figure stays traceable:

- **explained projects**: every project while the run has at most ``2 * each``
  (``each`` is 60 unless asked otherwise); above that, the ``each`` chosen projects
  nearest the line and the ``each`` rejected ones nearest it, a side with fewer giving
  its unused places to the other. "Nearest the line" is by value per million of cost:
  the chosen with the lowest, the rejected with the highest. A project a rule decides
  (must-include; stage, hurdle or must-exclude) comes after those the comparison
  decides. Ties go to the project id, so the selection is the same on every run;
- **robustness**: ``min(40, max(5, 400,000 // n))`` value draws and as many weight
  sets (40 and 40 up to 10,000 projects, 8 and 8 at 50,000);
- **frontier**: ``min(31, max(7, 300,000 // n))`` budgets (31 up to 9,677 projects,
  7 at 50,000) and ``max(budgets // 2, 11)`` equity points while the budgets are 31,
  else ``max(budgets // 2, 3)``;
- **scenarios**: each solve within ``min(policy time limit, 2 s)`` once the budgets
  are cut (as the frontier's and robustness' solves are), else the policy's limit.

Pure: no store, no solver; the board report and its tests call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the CLI reads EXPLAIN_EACH at start: no solver stack for that
    from pfund.portfolio import PortfolioProblem
    from pfund.portfolio.problem import BoolArray

EXPLAIN_EACH = 60  # explained chosen and rejected projects nearest the line, each side
ROBUST_MAX = 40  # value draws (and weight sets) of a small run: the report's old figures
ROBUST_MIN = 5
ROBUST_WORK = 400_000  # draws x projects the report affords
ROBUST_DRAWS = 100  # `pfund portfolio robust`'s value draws unless told
FRONTIER_MAX = 31  # budgets of a small run: the report's old figure
FRONTIER_MIN = 7
FRONTIER_WORK = 300_000  # budgets x projects the report affords
SOLVE_SECONDS = 2.0  # each re-optimisation's limit, as before
SCENARIO_SECONDS = 2.0  # each scenario solve's limit once the report is cut


@dataclass(frozen=True)
class ReportScale:
    """What the report works out for a run of ``projects`` projects."""

    projects: int
    explain_each: int
    robust_draws: int
    robust_weights: int
    frontier_points: int
    equity_points: int
    scenario_seconds: float | None  # None: the policy's time limit
    robust_cut: bool = False  # fewer draws and weight sets than a small run's, by size

    @property
    def cut(self) -> bool:
        """Whether anything is less than the report of a small run works out."""
        return (
            self.projects > 2 * self.explain_each
            or self.robust_cut
            or self.frontier_points < FRONTIER_MAX
        )


def report_scale(projects: int, explain_each: int = EXPLAIN_EACH) -> ReportScale:
    """The report's bounds for ``projects`` projects (worked examples in the tests)."""
    if explain_each < 1:
        raise ValueError("explain at least one project on each side of the line")
    n = max(projects, 1)
    draws = min(ROBUST_MAX, max(ROBUST_MIN, ROBUST_WORK // n))
    points = min(FRONTIER_MAX, max(FRONTIER_MIN, FRONTIER_WORK // n))
    equity = max(points // 2, 11) if points == FRONTIER_MAX else max(points // 2, 3)
    cut = draws < ROBUST_MAX or points < FRONTIER_MAX
    return ReportScale(
        projects=projects,
        explain_each=explain_each,
        robust_draws=draws,
        robust_weights=draws,
        frontier_points=points,
        equity_points=equity,
        scenario_seconds=SCENARIO_SECONDS if cut else None,
        robust_cut=draws < ROBUST_MAX,
    )


def explained(problem: PortfolioProblem, selected: BoolArray, each: int) -> list[int]:
    """Indices of the projects the report explains, in the problem's order.

    Every project while there are at most ``2 * each``; else the ``each`` chosen and the
    ``each`` rejected nearest the line (a short side lends its places to the other).
    """
    n = problem.n
    if n <= 2 * each:
        return list(range(n))
    x = np.asarray(selected, dtype=bool)
    cost = np.asarray(problem.total_cost, dtype=np.float64)
    value = np.asarray(problem.value, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(cost > 0, value / np.where(cost > 0, cost, 1.0), np.inf)
    ruled_out = problem.blocked_by_stage() | problem.below_hurdle() | problem.must_exclude
    chosen = [i for i in range(n) if x[i]]
    rejected = [i for i in range(n) if not x[i]]
    # Chosen: the rule-bound last, then the lowest value per cost first.
    chosen.sort(key=lambda i: (i in problem.must_include, ratio[i], problem.ids[i]))
    # Rejected: the rule-bound last, then the highest value per cost first.
    rejected.sort(key=lambda i: (i in ruled_out, -ratio[i], problem.ids[i]))
    take_chosen = min(len(chosen), max(each, 2 * each - len(rejected)))
    take_rejected = min(len(rejected), 2 * each - take_chosen)
    return sorted(chosen[:take_chosen] + rejected[:take_rejected])
