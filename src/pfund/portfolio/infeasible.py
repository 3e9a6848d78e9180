"""Why no portfolio exists: a small set of rules that cannot all hold together.

A deletion filter over constraint groups: start from every group, drop a whole kind at
once when the rest stays infeasible, then try dropping each remaining group in turn and
keep it out whenever the problem stays infeasible without it. What is left is a
conflict in which every group matters (irreducible, when every check finished within
its time limit). Each group is worded for a person, with the numbers that clash.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pfund.portfolio.model import Group, GroupKind
from pfund.portfolio.problem import LinearConstraint, PortfolioProblem
from pfund.portfolio.solution import Status
from pfund.portfolio.solvers import Solver, get_solver

__all__ = ["Conflict", "all_groups", "find_conflict", "restrict"]


@dataclass(frozen=True)
class Conflict:
    """Groups that cannot all hold, one sentence each, and a paragraph joining them."""

    groups: tuple[Group, ...]
    sentences: tuple[str, ...]
    explanation: str
    irreducible: bool


def all_groups(
    problem: PortfolioProblem, extra: list[LinearConstraint] | None = None
) -> list[Group]:
    """Every relaxable rule of a problem, in a stable order."""
    p = problem
    g = [Group(GroupKind.MUST_INCLUDE, i) for i in sorted(p.must_include)]
    g += [Group(GroupKind.BUDGET, t) for t in range(len(p.periods)) if np.isfinite(p.budget[t])]
    g += [Group(GroupKind.AREA_MIN, a) for a in sorted(p.area_min_share)]
    g += [Group(GroupKind.AREA_MAX, a) for a in sorted(p.area_max_share)]
    g += [Group(GroupKind.REGION_CAP, r) for r in sorted(p.region_cap)]
    g += [Group(GroupKind.DEPENDS, pair) for pair in p.depends]
    g += [Group(GroupKind.EXCLUDES, pair) for pair in p.excludes]
    g += [Group(GroupKind.MUST_EXCLUDE, i) for i in sorted(p.must_exclude)]
    g += [Group(GroupKind.STAGE)] if p.blocked_by_stage() else []
    g += [Group(GroupKind.EARMARK, k) for k in range(len(p.spend_caps))]
    return g + [Group(GroupKind.EXTRA, k) for k in range(len(extra or []))]


def restrict(
    problem: PortfolioProblem, keep: set[Group], extra: list[LinearConstraint] | None = None
) -> tuple[PortfolioProblem, list[LinearConstraint]]:
    """The problem with every group outside `keep` relaxed (and a zero objective)."""
    p = problem

    def has(kind: GroupKind, key: object = None) -> bool:
        return Group(kind, key) in keep  # type: ignore[arg-type]

    budget = np.array([b if has(GroupKind.BUDGET, t) else np.inf for t, b in enumerate(p.budget)])
    relaxed = p.with_changes(
        value=np.zeros(p.n),
        budget=budget,
        area_min_share={a: s for a, s in p.area_min_share.items() if has(GroupKind.AREA_MIN, a)},
        area_max_share={a: s for a, s in p.area_max_share.items() if has(GroupKind.AREA_MAX, a)},
        region_cap={r: c for r, c in p.region_cap.items() if has(GroupKind.REGION_CAP, r)},
        depends=tuple(d for d in p.depends if has(GroupKind.DEPENDS, d)),
        excludes=tuple(e for e in p.excludes if has(GroupKind.EXCLUDES, e)),
        must_include=frozenset(i for i in p.must_include if has(GroupKind.MUST_INCLUDE, i)),
        committed=frozenset(i for i in p.committed if has(GroupKind.MUST_INCLUDE, i)),
        must_exclude=frozenset(i for i in p.must_exclude if has(GroupKind.MUST_EXCLUDE, i)),
        max_stage=p.max_stage if has(GroupKind.STAGE) else None,
        spend_caps=tuple(c for k, c in enumerate(p.spend_caps) if has(GroupKind.EARMARK, k)),
    )
    return relaxed, [c for k, c in enumerate(extra or []) if has(GroupKind.EXTRA, k)]


def find_conflict(
    problem: PortfolioProblem,
    *,
    solver: Solver | None = None,
    extra: list[LinearConstraint] | None = None,
    time_limit: float = 5.0,
    total_time: float = 60.0,
    clock: Callable[[], float] = time.perf_counter,
) -> Conflict:
    """Shrink the rule set to a conflict; each check is bounded, and so is the whole.

    A check never gets more than what is left of `total_time`, so the search ends by its
    deadline rather than up to one check's limit after it.
    """
    solver = solver or get_solver()
    deadline = clock() + total_time
    finished = True

    def infeasible(keep: set[Group]) -> bool:
        nonlocal finished
        left = deadline - clock()
        if left <= 0:
            finished = False
            return False
        relaxed, rest = restrict(problem, keep, extra)
        limit = min(time_limit, left)
        status = solver.solve(relaxed, time_limit=limit, threads=1, extra=rest).status
        finished = finished and status in (Status.INFEASIBLE, Status.OPTIMAL, Status.FEASIBLE)
        return status is Status.INFEASIBLE

    active = _filter(all_groups(problem, extra), infeasible)
    sentences = tuple(describe(problem, g, active, extra) for g in active)
    text = "No portfolio satisfies all of these rules at once: " + "; ".join(sentences) + "."
    return Conflict(tuple(active), sentences, text, finished)


def _filter(groups: list[Group], infeasible: object) -> list[Group]:
    check = infeasible  # a callable; typed loosely to keep the closure above simple
    active = list(groups)
    for kind in GroupKind:
        trial = [g for g in active if g.kind is not kind]
        if len(trial) < len(active) and check(set(trial)):  # type: ignore[operator]
            active = trial
    for g in list(active):
        trial = [h for h in active if h != g]
        if check(set(trial)):  # type: ignore[operator]
            active = trial
    return active


def describe(
    problem: PortfolioProblem,
    group: Group,
    conflict: list[Group],
    extra: list[LinearConstraint] | None = None,
) -> str:
    """One rule of a conflict in words, with the amounts that clash."""
    p, key = problem, group.key
    forced = _forced(conflict)
    if group.kind is GroupKind.BUDGET:
        assert isinstance(key, int)
        text = f"the budget for {p.periods[key]} ({money(float(p.budget[key]))})"
        if forced:
            need = float(p.cost[forced, key].sum())
            return (
                f"{text} cannot cover the must-include projects {_names(p, forced)} ({money(need)})"
            )
        return text
    if group.kind is GroupKind.REGION_CAP:
        assert isinstance(key, str)
        text = f"the cap on region {key} ({money(p.region_cap[key])})"
        inside = [i for i in forced if key in p.regions[i]]
        if inside:
            need = sum(float(p.total_cost[i]) / len(p.regions[i]) for i in inside)
            return (
                f"{text} cannot hold the must-include projects {_names(p, inside)} ({money(need)})"
            )
        return text
    return _simple(p, group, extra)


def _simple(p: PortfolioProblem, group: Group, extra: list[LinearConstraint] | None) -> str:
    key = group.key
    if group.kind is GroupKind.AREA_MIN:
        return f"area {key} must receive at least {p.area_min_share[str(key)]:.0%} of the cost"
    if group.kind is GroupKind.AREA_MAX:
        return f"area {key} may receive at most {p.area_max_share[str(key)]:.0%} of the cost"
    if group.kind is GroupKind.MUST_INCLUDE:
        return f"{p.ids[group.index]} must be included"
    if group.kind is GroupKind.MUST_EXCLUDE:
        return f"{p.ids[group.index]} must be left out"
    if group.kind is GroupKind.DEPENDS:
        i, j = group.pair
        return f"{p.ids[i]} can only go ahead together with {p.ids[j]}"
    if group.kind is GroupKind.EXCLUDES:
        i, j = group.pair
        return f"{p.ids[i]} and {p.ids[j]} are alternatives (not both)"
    if group.kind is GroupKind.STAGE:
        blocked = sorted(p.blocked_by_stage() & (p.must_include | _linked(p)))
        names = _names(p, blocked) or "several"
        return f"projects needing a stage after {p.max_stage} are out ({names})"
    if group.kind is GroupKind.EARMARK:
        name = p.spend_caps[group.index].name
        return f"the budget less the money earmarked by {name}, which funds only what it allows"
    name = extra[group.index].name if extra else "extra"
    return f"the extra constraint {name!r}"


def _forced(conflict: list[Group]) -> list[int]:
    """Must-include projects in the conflict plus the prerequisites they drag in."""
    forced = {g.index for g in conflict if g.kind is GroupKind.MUST_INCLUDE}
    links = [g.pair for g in conflict if g.kind is GroupKind.DEPENDS]
    grew = True
    while grew:
        new = {j for i, j in links if i in forced} - forced
        forced |= new
        grew = bool(new)
    return sorted(forced)


def _linked(p: PortfolioProblem) -> set[int]:
    return {j for _, j in p.depends} | {i for pair in p.excludes for i in pair}


def _names(p: PortfolioProblem, idx: list[int]) -> str:
    names = [p.ids[i] for i in idx]
    return (
        names[0]
        if len(names) == 1
        else ", ".join(names[:-1]) + " and " + names[-1]
        if names
        else ""
    )


def money(amount: float) -> str:
    """Amounts as people read them: 14 m, 2.5 bn, 950,000."""
    if not np.isfinite(amount):
        return "unlimited"
    for size, unit in ((1e9, "bn"), (1e6, "m")):
        if abs(amount) >= size:
            return f"{amount / size:,.4g} {unit}"
    return f"{amount:,.6g}"
