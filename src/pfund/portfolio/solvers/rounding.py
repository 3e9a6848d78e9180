"""An LP-guided start: round the relaxation down, then add projects while every rule holds.

Why: a MIP start worth close to the LP bound lets HiGHS prune at once, and on re-solves
with a short time limit it is often the only good portfolio a draw gets. The heuristic
reads only the problem's own rows (`rows_of`), so it serves any `PortfolioProblem`:
projects at 1 in the LP are kept, the rest are tried in order of LP value and then
reduced cost, and a project is added when it breaks no rule that held and does not
worsen the total violation. The result is returned only if it satisfies every row and
column bound, so a start from here is always a valid portfolio.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.sparse import csc_array

from pfund.portfolio.model import Row, column_bounds, rows_of
from pfund.portfolio.problem import FloatArray, LinearConstraint, PortfolioProblem

__all__ = ["lp_rounding"]

BoolArray = npt.NDArray[np.bool_]
_TOL = 1e-7


def lp_rounding(
    problem: PortfolioProblem,
    lp_value: FloatArray,
    reduced_cost: FloatArray,
    extra: list[LinearConstraint] | None = None,
) -> BoolArray | None:
    """A valid portfolio built from an LP solution, or None when the greedy fill fails.

    The rows are held by column (sparse), so trying a project touches only the rows it
    appears in: a dense rows x projects matrix was 1 GB at 50,000 projects with a few
    thousand dependency rows. Rows a project is not in keep their violation, so judging
    only its own rows decides as judging all of them would.
    """
    rows = rows_of(problem, extra)
    matrix, lower, upper = _by_column(rows, problem.n)
    bounds = column_bounds(problem)
    if np.any(bounds.lower > bounds.upper):
        return None
    x = (lp_value >= 1 - 1e-6) & (bounds.upper > 0.5) | (bounds.lower > 0.5)
    activity = matrix @ x.astype(np.float64)
    ptr, ind, val = matrix.indptr, matrix.indices, matrix.data
    order = np.lexsort((-reduced_cost, -lp_value))
    for j in order[~x[order] & (bounds.upper[order] >= 0.5)].tolist():
        own = ind[ptr[j] : ptr[j + 1]]
        before = activity[own]
        after = before + val[ptr[j] : ptr[j + 1]]
        if _acceptable(before, after, lower[own], upper[own]):
            x[j] = True
            activity[own] = after
    return x if _violation(activity, lower, upper).sum() <= 0.0 else None


def _by_column(rows: list[Row], n: int) -> tuple[csc_array, FloatArray, FloatArray]:
    sizes = [len(r.idx) for r in rows]
    at = np.repeat(np.arange(len(rows)), sizes)
    idx = np.concatenate([r.idx for r in rows]) if rows else np.zeros(0, dtype=np.int32)
    coef = np.concatenate([r.coef for r in rows]) if rows else np.zeros(0)
    matrix = csc_array((coef, (at, idx)), shape=(len(rows), n))
    matrix.sum_duplicates()
    lower = np.array([r.lower for r in rows], dtype=np.float64)
    upper = np.array([r.upper for r in rows], dtype=np.float64)
    return matrix, lower, upper


def _violation(activity: FloatArray, lower: FloatArray, upper: FloatArray) -> FloatArray:
    """How far each row is outside its bounds, with a tolerance scaled to the row."""
    scale = _TOL * np.maximum(1.0, np.abs(np.where(np.isfinite(upper), upper, lower)))
    over = np.where(np.isfinite(upper), activity - upper, -np.inf)
    under = np.where(np.isfinite(lower), lower - activity, -np.inf)
    return np.asarray(np.clip(np.maximum(over, under) - scale, 0.0, None), dtype=np.float64)


def _acceptable(
    before: FloatArray, after: FloatArray, lower: FloatArray, upper: FloatArray
) -> bool:
    """No rule that held breaks, and the total violation does not grow."""
    was, now = _violation(before, lower, upper), _violation(after, lower, upper)
    return bool(np.all((was > 0) | (now <= 0)) and now.sum() <= was.sum())
