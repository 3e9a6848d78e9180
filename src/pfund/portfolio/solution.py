"""What every solver (and greedy) returns: a selection with its proof of quality."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

__all__ = ["Solution", "Status", "relative_gap"]


class Status(StrEnum):
    """How far a result can be trusted."""

    OPTIMAL = "optimal"  # proven within the requested relative gap
    FEASIBLE = "feasible"  # a valid portfolio; time limit hit, `gap` states how far off
    INFEASIBLE = "infeasible"  # no portfolio satisfies every rule; see the conflict
    ERROR = "error"  # the solver failed; `message` says why


@dataclass(frozen=True, eq=False)
class Solution:
    """A portfolio, its value, the solver's proven bound and the relative gap between.

    `objective` is always recomputed in floats from the selection, so solvers that scale
    to integers report the same kind of number. `gap` = (bound - objective) / |bound|,
    0 when proven optimal, inf when nothing is known. `notes` carry diagnostics.
    `timed_out` says the run was stopped by its time limit (or a batch deadline), so
    the portfolio is the best found by then, not one proven optimal unless the bound says so.
    """

    selected: npt.NDArray[np.bool_]
    objective: float
    bound: float
    gap: float
    status: Status
    seconds: float
    solver: str
    solver_version: str
    message: str = ""
    notes: tuple[str, ...] = field(default=())
    timed_out: bool = False

    @property
    def has_portfolio(self) -> bool:
        """True when `selected` is a valid portfolio (optimal or feasible)."""
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)

    def as_dict(self, ids: tuple[str, ...] | None = None) -> dict[str, object]:
        """A JSON-ready summary; with `ids`, the chosen project ids as well."""
        out: dict[str, object] = {
            "status": self.status.value,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "seconds": round(self.seconds, 3),
            "solver": f"{self.solver} {self.solver_version}",
            "selected_count": int(self.selected.sum()),
            "message": self.message,
            "timed_out": self.timed_out,
        }
        if ids is not None:
            out["selected"] = [ids[i] for i in np.flatnonzero(self.selected)]
        return out


def relative_gap(objective: float, bound: float) -> float:
    """The proven relative gap, guarded for a zero bound (an empty best portfolio)."""
    if not np.isfinite(bound):
        return float("inf")
    diff = max(bound - objective, 0.0)
    return 0.0 if diff <= 1e-9 * max(1.0, abs(bound)) else diff / max(abs(bound), 1e-12)
