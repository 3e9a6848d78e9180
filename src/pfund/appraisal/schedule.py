"""A project's money as arrays by year: the one place domain objects become numbers.

Every engine in this package works on these arrays, so the cost-benefit functions, the
Monte Carlo and the criteria all read a project the same way. Years run without gaps from
the project's first to its last year; a year with nothing in it is zero. Each uncertain
amount keeps its three points as rows ``low, likely, high`` (shape ``3 x years``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from pfund.domain import Estimate, Project

__all__ = ["FloatArray", "Schedule", "project_schedule"]

FloatArray = npt.NDArray[np.float64]
LOW, LIKELY, HIGH = 0, 1, 2


@dataclass(frozen=True)
class Schedule:
    """Capital, running costs and each benefit stream as ``3 x years`` arrays."""

    first_year: int
    capital: FloatArray
    running: FloatArray
    benefits: dict[str, FloatArray]

    @property
    def years(self) -> int:
        return int(self.capital.shape[1])

    def costs(self, point: int = LIKELY) -> FloatArray:
        """Capital plus running cost by year at one of the three points."""
        return np.asarray(self.capital[point] + self.running[point], dtype=np.float64)

    def benefit_total(self, point: int = LIKELY) -> FloatArray:
        total = np.zeros(self.years)
        for stream in self.benefits.values():
            total += stream[point]
        return total

    def net(self, point: int = LIKELY) -> FloatArray:
        """Net benefit by year (benefits minus costs), all at the same point."""
        return self.benefit_total(point) - self.costs(point)


def project_schedule(project: Project) -> Schedule:
    """Lay a project's costs and benefits on one gap-free year axis."""
    years = project.years
    first, count = years[0], years[-1] - years[0] + 1
    capital, running = np.zeros((3, count)), np.zeros((3, count))
    for year, cost in project.costs.items():
        _put(capital, year - first, cost.capital)
        _put(running, year - first, cost.running)
    benefits: dict[str, FloatArray] = {}
    for name, stream in project.benefits.items():
        rows = np.zeros((3, count))
        for year, estimate in stream.by_year.items():
            _put(rows, year - first, estimate)
        benefits[name] = rows
    return Schedule(first_year=first, capital=capital, running=running, benefits=benefits)


def _put(rows: FloatArray, column: int, estimate: Estimate[Decimal] | None) -> None:
    if estimate is not None:
        rows[:, column] = [float(v) for v in estimate.as_list()]
