"""Why each project is in or out of a chosen portfolio, in structured form and words.

A project is out because a rule forbids it (stage, must-exclude), because its chosen
alternative excludes it, because a prerequisite is missing, or because it is dominated:
adding it would break a budget year, an area share or a region cap (found from the
chosen portfolio's slack) and what it returns per dollar is compared with the weakest
chosen project. The value at stake is measured by re-solving with the project forced in
(or, for a chosen project, forced out), each re-solve bounded by a time limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from pfund.portfolio.infeasible import money
from pfund.portfolio.model import Group, GroupKind, Row, rows_of
from pfund.portfolio.problem import BoolArray, PortfolioProblem
from pfund.portfolio.solution import Solution
from pfund.portfolio.solvers import Solver, get_solver

__all__ = ["Binding", "Explanation", "Reason", "explain_all", "explain_project"]

PER = 1e6  # ratios are read per million of cost: per dollar they are unreadably small


class Reason(StrEnum):
    """The main reason a project is in or out."""

    MUST_INCLUDE = "must_include"
    CHOSEN = "chosen"
    STAGE = "stage"
    HURDLE = "hurdle"
    MUST_EXCLUDE = "must_exclude"
    EXCLUDED_ALTERNATIVE = "excluded_alternative"
    MISSING_PREREQUISITE = "missing_prerequisite"
    DOMINATED = "dominated"
    NO_VALUE = "no_value"


@dataclass(frozen=True)
class Binding:
    """A rule the project would break if added to the chosen portfolio as it stands."""

    group: Group
    room: float
    needed: float
    sentence: str


@dataclass(frozen=True)
class Explanation:
    """One project's verdict, the rules and projects behind it and the value at stake.

    `value_lost` is how much portfolio value forcing the decision the other way costs
    (None when not re-solved or when the rules forbid it).
    """

    project: str
    index: int
    selected: bool
    reason: Reason
    related: tuple[str, ...]
    binding: tuple[Binding, ...]
    value_per_cost: float
    marginal_value_per_cost: float
    value_lost: float | None
    sentence: str


def explain_all(
    problem: PortfolioProblem,
    solution: Solution,
    *,
    solver: Solver | None = None,
    time_limit: float = 2.0,
    resolve: bool = True,
    only: Iterable[int | str] | None = None,
    total_time: float | None = None,
    clock: Callable[[], float] = time.perf_counter,
    rows: list[Row] | None = None,
) -> list[Explanation]:
    """Explain every project (or those in `only`); re-solves are bounded per project.

    With `total_time` the re-solves also share one deadline (each gets at most what is
    left): at 50,000 projects one 2 s re-solve each would take more than a day. Projects
    reached after the deadline are explained without `value_lost`. `rows` are the
    problem's own (``rows_of(problem)``) when a caller explains one project at a time.
    """
    solver = solver or get_solver()
    rows = rows_of(problem) if rows is None else rows  # a caller's, built once for many calls
    targets = range(problem.n) if only is None else (_index(problem, k) for k in only)
    deadline = None if total_time is None else clock() + total_time
    out = []
    for i in targets:
        limit = time_limit if resolve else None
        if limit is not None and deadline is not None:
            left = deadline - clock()
            limit = min(limit, left) if left > 0 else None
        out.append(_explain(problem, solution, i, solver, rows, limit))
    return out


def explain_project(
    problem: PortfolioProblem,
    solution: Solution,
    project: int | str,
    *,
    solver: Solver | None = None,
    time_limit: float = 5.0,
    resolve: bool = True,
) -> Explanation:
    """Explain one project, by index or id."""
    return explain_all(
        problem, solution, solver=solver, time_limit=time_limit, resolve=resolve, only=[project]
    )[0]


def _index(problem: PortfolioProblem, key: int | str) -> int:
    return problem.ids.index(key) if isinstance(key, str) else int(key)


def _explain(
    p: PortfolioProblem, sol: Solution, i: int, solver: Solver, rows: list[Row], limit: float | None
) -> Explanation:
    x = sol.selected
    ratio, marginal = _ratio(p, i), _marginal(p, x)
    reason, related = _reason(p, x, i)
    binding = _binding(p, x, i, rows) if reason is Reason.DOMINATED else ()
    lost = _value_lost(p, sol, i, reason, solver, limit)
    text = _sentence(p, i, reason, related, binding, ratio, marginal, lost)
    return Explanation(
        p.ids[i], i, bool(x[i]), reason, related, binding, ratio, marginal, lost, text
    )


def _reason(p: PortfolioProblem, x: BoolArray, i: int) -> tuple[Reason, tuple[str, ...]]:
    if x[i]:
        users = tuple(p.ids[a] for a, b in p.depends if b == i and x[a])
        return (Reason.MUST_INCLUDE if i in p.must_include else Reason.CHOSEN), users
    if i in p.blocked_by_stage():
        return Reason.STAGE, ()
    if i in p.must_exclude:
        return Reason.MUST_EXCLUDE, ()
    if i in p.below_hurdle():
        return Reason.HURDLE, ()
    rivals = tuple(
        p.ids[b if a == i else a] for a, b in p.excludes if i in (a, b) and x[b if a == i else a]
    )
    if rivals:
        return Reason.EXCLUDED_ALTERNATIVE, rivals
    missing = tuple(p.ids[b] for a, b in p.depends if a == i and not x[b])
    if missing:
        return Reason.MISSING_PREREQUISITE, missing
    return (Reason.DOMINATED if p.value[i] > 0 else Reason.NO_VALUE), ()


def _binding(p: PortfolioProblem, x: BoolArray, i: int, rows: list[Row]) -> tuple[Binding, ...]:
    """Rows that adding project i to the portfolio as it stands would break."""
    with_i = x.copy()
    with_i[i] = True
    out = []
    for row in rows:
        if row.group.kind in (GroupKind.DEPENDS, GroupKind.EXCLUDES):
            continue
        after, now = row.activity(with_i), row.activity(x)
        tol = 1e-9 * max(1.0, abs(row.upper) if np.isfinite(row.upper) else 1.0)
        if after > row.upper + tol:
            out.append(
                Binding(row.group, row.upper - now, after - now, _bind_text(p, row, now, after))
            )
        elif after < row.lower - tol:
            out.append(
                Binding(row.group, now - row.lower, now - after, _bind_text(p, row, now, after))
            )
    return tuple(out)


def _bind_text(p: PortfolioProblem, row: Row, now: float, after: float) -> str:
    g = row.group
    if g.kind is GroupKind.BUDGET:
        year = p.periods[int(g.key)]  # type: ignore[arg-type]
        return (
            f"the {year} budget has {money(row.upper - now)} left and it needs {money(after - now)}"
        )
    if g.kind is GroupKind.REGION_CAP:
        left, need = money(row.upper - now), money(after - now)
        return f"region {g.key} has {left} left under its cap and it needs {need}"
    if g.kind is GroupKind.AREA_MAX:
        return f"area {g.key} would exceed its maximum share of {p.area_max_share[str(g.key)]:.0%}"
    if g.kind is GroupKind.AREA_MIN:
        return (
            f"area {g.key} would fall below its minimum share of {p.area_min_share[str(g.key)]:.0%}"
        )
    return f"constraint {g.kind.value} {g.key} would be broken"


def _ratio(p: PortfolioProblem, i: int) -> float:
    cost = float(p.total_cost[i])
    return float(p.value[i]) / cost if cost > 0 else float("inf")


def _marginal(p: PortfolioProblem, x: BoolArray) -> float:
    """Value per dollar of the weakest freely chosen project: the price of admission."""
    free = [i for i in np.flatnonzero(x) if i not in p.must_include and p.total_cost[i] > 0]
    return min((_ratio(p, int(i)) for i in free), default=float("nan"))


def _value_lost(
    p: PortfolioProblem, sol: Solution, i: int, reason: Reason, solver: Solver, limit: float | None
) -> float | None:
    if limit is None or reason in (
        Reason.STAGE,
        Reason.HURDLE,
        Reason.MUST_EXCLUDE,
        Reason.MUST_INCLUDE,
    ):
        return None
    if sol.selected[i]:
        forced = p.with_changes(must_exclude=p.must_exclude | {i})
    else:
        forced = p.with_changes(must_include=p.must_include | {i})
    other = solver.solve(forced, time_limit=limit, threads=1)
    if not other.has_portfolio:
        return None
    return max(sol.objective - other.objective, 0.0)


def _pct(p: PortfolioProblem, i: int, what: str) -> str:
    """The project's ERR or the hurdle as a percentage, for the hurdle sentence."""
    value = p.hurdle if what == "hurdle" else (None if p.err is None else float(p.err[i]))
    return "n/a" if value is None else f"{value:.1%}"


def _sentence(
    p: PortfolioProblem,
    i: int,
    reason: Reason,
    related: tuple[str, ...],
    binding: tuple[Binding, ...],
    ratio: float,
    marginal: float,
    lost: float | None,
) -> str:
    name, others = p.ids[i], ", ".join(related)
    cost = f"; forcing it in would cost {money(lost)} of value" if lost is not None else ""
    texts = {
        Reason.MUST_INCLUDE: f"{name} is in because it must be included",
        Reason.CHOSEN: f"{name} is in: it returns {ratio * PER:.3g} value per million of cost"
        + (f" and {others} need it" if others else "")
        + (f"; leaving it out would lose {money(lost)} of value" if lost is not None else ""),
        Reason.STAGE: f"{name} is out: it needs stage {p.stages[i]} "
        f"and only stage {p.max_stage} is unlocked",
        Reason.HURDLE: f"{name} is out: its economic rate of return, {_pct(p, i, 'err')}, "
        f"is below the hurdle of {_pct(p, i, 'hurdle')} that a project must clear",
        Reason.MUST_EXCLUDE: f"{name} is out because it must be excluded",
        Reason.EXCLUDED_ALTERNATIVE: f"{name} is out because its alternative {others} "
        f"was chosen{cost}",
        Reason.MISSING_PREREQUISITE: f"{name} is out because its prerequisite {others} "
        f"is not in{cost}",
        Reason.NO_VALUE: f"{name} is out because it adds no value",
        Reason.DOMINATED: f"{name} is out: it returns {ratio * PER:.3g} value per million of "
        f"cost against {marginal * PER:.3g} for the weakest chosen project"
        + (f", and {'; '.join(b.sentence for b in binding)}" if binding else "")
        + cost,
    }
    return texts[reason] + "."
