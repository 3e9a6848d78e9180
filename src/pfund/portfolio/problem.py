"""The portfolio selection problem as plain arrays, checked once on construction.

Every engine in this package (solvers, greedy, explain, frontier, robustness,
infeasibility) reads the same frozen `PortfolioProblem`, so a constraint means the same
thing everywhere. Projects are addressed by index; `build_problem` lets callers use ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import numpy.typing as npt

from pfund.portfolio.earmarks import SpendCap
from pfund.portfolio.validate import check_problem

__all__ = ["FloatArray", "LinearConstraint", "PortfolioProblem", "build_problem"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class PortfolioProblem:
    """Choose projects (x_i in {0, 1}) maximising value·x under yearly budgets and policy.

    Shares are of the portfolio's total cost over all periods; a project's cost is split
    equally among its regions when region caps are checked. `depends` holds (i, j):
    i only if j; `excludes` holds (i, j): not both. Projects whose `stage` exceeds
    `max_stage` cannot be chosen. `equity` is an optional second objective.

    `err` (NaN where a project has no single ERR) and `hurdle` make the ERR hurdle a
    gate: a project whose ERR is defined and below the hurdle cannot be chosen unless
    it must be included (see `below_hurdle`). `committed` projects are already approved:
    their money is committed, so they stay in whatever stage is unlocked (a "what if
    only stage k" question answers for the rest of the pipeline, not for them).
    """

    ids: tuple[str, ...]
    value: FloatArray
    cost: FloatArray
    periods: tuple[int, ...]
    budget: FloatArray
    area: tuple[str, ...] = ()
    area_min_share: dict[str, float] = field(default_factory=dict)
    area_max_share: dict[str, float] = field(default_factory=dict)
    regions: tuple[tuple[str, ...], ...] = ()
    region_cap: dict[str, float] = field(default_factory=dict)
    depends: tuple[tuple[int, int], ...] = ()
    excludes: tuple[tuple[int, int], ...] = ()
    must_include: frozenset[int] = frozenset()
    must_exclude: frozenset[int] = frozenset()
    stage: IntArray | None = None
    max_stage: int | None = None
    equity: FloatArray | None = None
    err: FloatArray | None = None
    hurdle: float | None = None
    committed: frozenset[int] = frozenset()
    # Earmarked money: spending caps on the projects earmarks do not allow (earmarks.py)
    spend_caps: tuple[SpendCap, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.ids)
        set_ = object.__setattr__
        set_(self, "value", np.asarray(self.value, dtype=np.float64))
        set_(self, "cost", np.asarray(self.cost, dtype=np.float64).reshape(n, -1))
        set_(self, "budget", np.asarray(self.budget, dtype=np.float64).reshape(-1))
        set_(self, "area", self.area or ("",) * n)
        set_(self, "regions", self.regions or ((),) * n)
        stage = np.zeros(n, np.int64) if self.stage is None else self.stage
        set_(self, "stage", np.asarray(stage, dtype=np.int64))
        if self.equity is not None:
            set_(self, "equity", np.asarray(self.equity, dtype=np.float64))
        if self.err is not None:
            set_(self, "err", np.asarray(self.err, dtype=np.float64))
        set_(self, "must_include", self.must_include | self.committed)
        check_problem(self)
        for arr in (self.value, self.cost, self.budget, self.stage, self.equity, self.err):
            if arr is not None:
                arr.setflags(write=False)

    @property
    def n(self) -> int:
        """Number of projects."""
        return len(self.ids)

    @cached_property
    def total_cost(self) -> FloatArray:
        """Each project's cost summed over periods: the base of shares and caps.

        Cached (read-only): greedy asks for it per project, and summing the whole cost
        matrix each time made a 20,000-project greedy pass take seconds (O(n^2)).
        """
        total = np.asarray(self.cost.sum(axis=1), dtype=np.float64)
        total.setflags(write=False)
        return total

    @property
    def stages(self) -> IntArray:
        """The stage array, never None after construction (typed for mypy)."""
        assert self.stage is not None
        return self.stage

    def blocked_by_stage(self) -> frozenset[int]:
        """Projects that need a stage later than the one unlocked (committed ones stay)."""
        if self.max_stage is None:
            return frozenset()
        late = np.flatnonzero(self.stages > self.max_stage)
        return frozenset(int(i) for i in late) - self.committed

    def below_hurdle(self) -> frozenset[int]:
        """Projects the ERR hurdle keeps out: a defined ERR below it, not forced in.

        A project without a single ERR (no monetised benefit, or several roots) is not
        gated: its value rests on the other criteria. A project the board must include
        (or has approved) stays in: the gate is for choosing, not for undoing decisions.
        """
        if self.err is None or self.hurdle is None:
            return frozenset()
        with np.errstate(invalid="ignore"):
            low = np.flatnonzero(np.isfinite(self.err) & (self.err < self.hurdle))
        return frozenset(int(i) for i in low) - self.must_include

    def blocked(self) -> frozenset[int]:
        """Every project no portfolio may hold: must-exclude, stage and hurdle."""
        return self.must_exclude | self.blocked_by_stage() | self.below_hurdle()

    def with_changes(self, **changes: object) -> PortfolioProblem:
        """A validated copy with some fields replaced (the problem itself is frozen)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def portfolio_value(self, selected: BoolArray) -> float:
        """Value of a selection, always recomputed in floats."""
        return float(self.value[selected].sum())

    def portfolio_cost(self, selected: BoolArray) -> FloatArray:
        """Cost of a selection per period."""
        return np.asarray(self.cost[selected].sum(axis=0), dtype=np.float64)


@dataclass(frozen=True, eq=False)
class LinearConstraint:
    """An extra row lower <= coef·x <= upper, e.g. a minimum equity for the frontier."""

    coef: FloatArray
    lower: float = -np.inf
    upper: float = np.inf
    name: str = "extra"


def build_problem(
    projects: Mapping[str, Mapping[str, object]],
    budget: Mapping[int, float],
    *,
    area_min_share: Mapping[str, float] | None = None,
    area_max_share: Mapping[str, float] | None = None,
    region_cap: Mapping[str, float] | None = None,
    max_stage: int | None = None,
    must_include: Iterable[str] = (),
    must_exclude: Iterable[str] = (),
) -> PortfolioProblem:
    """Build a problem from id-keyed project dicts so callers never juggle indices.

    Each project dict holds ``value`` and ``cost`` ({year: amount}) and optionally
    ``area``, ``regions``, ``stage``, ``equity``, ``depends_on`` and ``excludes``
    (lists of ids). Unknown ids raise `InvalidInput` naming the project and field.
    """
    ids = tuple(projects)
    periods = tuple(sorted(budget))
    index = {pid: i for i, pid in enumerate(ids)}
    rows = [projects[pid] for pid in ids]
    has_equity = any("equity" in p for p in rows)
    return PortfolioProblem(
        ids=ids,
        value=np.array([float(p["value"]) for p in rows]),  # type: ignore[arg-type]
        cost=np.array([[_cost(p, y) for y in periods] for p in rows]).reshape(len(ids), -1),
        periods=periods,
        budget=np.array([budget[y] for y in periods], dtype=np.float64),
        area=tuple(str(p.get("area", "")) for p in rows),
        area_min_share=dict(area_min_share or {}),
        area_max_share=dict(area_max_share or {}),
        regions=tuple(tuple(str(r) for r in _seq(p, "regions")) for p in rows),
        region_cap=dict(region_cap or {}),
        depends=_pairs(ids, rows, "depends_on", index),
        excludes=_pairs(ids, rows, "excludes", index),
        must_include=frozenset(_lookup(index, must_include, "must_include")),
        must_exclude=frozenset(_lookup(index, must_exclude, "must_exclude")),
        stage=np.array([int(p.get("stage", 0)) for p in rows], dtype=np.int64),  # type: ignore[call-overload]
        max_stage=max_stage,
        equity=np.array([float(p.get("equity", 0.0)) for p in rows]) if has_equity else None,  # type: ignore[arg-type]
    )


def _seq(project: Mapping[str, object], key: str) -> Iterable[object]:
    items = project.get(key, ())
    assert isinstance(items, Iterable)
    return items


def _cost(project: Mapping[str, object], year: int) -> float:
    costs = project.get("cost", {})
    assert isinstance(costs, Mapping)
    return float(costs.get(year, 0.0))


def _pairs(
    ids: Sequence[str],
    rows: Sequence[Mapping[str, object]],
    key: str,
    index: Mapping[str, int],
) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for i, (pid, row) in enumerate(zip(ids, rows, strict=True)):
        others = row.get(key, ())
        assert isinstance(others, Iterable)
        out.extend((i, j) for j in _lookup(index, others, f"{pid}.{key}"))
    if key == "excludes":  # symmetric: A excludes B is B excludes A, one row is enough
        out = sorted({(min(i, j), max(i, j)) for i, j in out})
    return tuple(out)


def _lookup(index: Mapping[str, int], names: Iterable[object], where: str) -> list[int]:
    from pfund.errors import InvalidInput, Problem

    unknown = [str(n) for n in names if str(n) not in index]
    if unknown:
        raise InvalidInput(
            "unknown project ids",
            [Problem(f"no project with id {u!r}", field=where) for u in unknown],
        )
    return [index[str(n)] for n in names]
