"""Checks a `PortfolioProblem` on construction and reports every problem at once.

A bad problem must fail where it is built, with the field named, not deep inside a
solver as a shape error or a silently infeasible model.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from pfund.errors import InvalidInput, Problem

if TYPE_CHECKING:
    from pfund.portfolio.problem import PortfolioProblem

__all__ = ["check_problem"]


def check_problem(p: PortfolioProblem) -> None:
    """Raise `InvalidInput` listing each field that is wrong and what would be right."""
    problems = [
        Problem(reason, field=name)
        for name, reason in (
            *_shapes(p),
            *_numbers(p),
            *_shares(p),
            *_regions(p),
            *_links(p),
        )
    ]
    if problems:
        raise InvalidInput("invalid portfolio problem", problems)


def _shapes(p: PortfolioProblem) -> Iterator[tuple[str, str]]:
    n, t = len(p.ids), len(p.periods)
    if len(set(p.ids)) != n:
        yield "ids", "project ids must be unique"
    if len(set(p.periods)) != t:
        yield "periods", "periods must be unique"
    expected = {
        "value": (p.value.shape, (n,)),
        "cost": (p.cost.shape, (n, t)),
        "budget": (p.budget.shape, (t,)),
        "stage": (p.stages.shape, (n,)),
    }
    if p.equity is not None:
        expected["equity"] = (p.equity.shape, (n,))
    if p.err is not None:
        expected["err"] = (p.err.shape, (n,))
    for name, (got, want) in expected.items():
        if got != want:
            yield name, f"shape {got} but {want} expected (n={n} projects, T={t} periods)"
    for name, seq in (("area", p.area), ("regions", p.regions)):
        if len(seq) != n:
            yield name, f"{len(seq)} entries but one per project ({n}) expected"


def _numbers(p: PortfolioProblem) -> Iterator[tuple[str, str]]:
    arrays = {"value": p.value, "cost": p.cost, "equity": p.equity}
    for name, arr in arrays.items():
        if arr is not None and not np.all(np.isfinite(arr)):
            yield name, "must be finite numbers (no NaN or infinity)"
    if np.any(p.cost < 0):
        yield "cost", "costs must be non-negative"
    if np.any(np.isnan(p.budget)) or np.any(p.budget < 0):
        yield "budget", "budgets must be non-negative (use inf for unlimited)"


def _shares(p: PortfolioProblem) -> Iterator[tuple[str, str]]:
    known = set(p.area)
    for name, shares in (
        ("area_min_share", p.area_min_share),
        ("area_max_share", p.area_max_share),
    ):
        for area, share in shares.items():
            if not 0.0 <= share <= 1.0:
                yield name, f"share of {area!r} is {share}; it must lie in 0..1"
            if name == "area_min_share" and share > 0 and area not in known:
                msg = f"no project has area {area!r}, so only an empty portfolio meets it"
                yield name, f"{msg}; known areas: {sorted(known)}"
    for area, low in p.area_min_share.items():
        if low > p.area_max_share.get(area, 1.0):
            yield "area_min_share", f"minimum share of {area!r} exceeds its maximum share"


def _regions(p: PortfolioProblem) -> Iterator[tuple[str, str]]:
    for region, cap in p.region_cap.items():
        if not cap >= 0:
            yield "region_cap", f"cap of {region!r} is {cap}; it must be non-negative"


def _links(p: PortfolioProblem) -> Iterator[tuple[str, str]]:
    n = len(p.ids)
    for name, pairs in (("depends", p.depends), ("excludes", p.excludes)):
        for i, j in pairs:
            if not (_in_range(i, n) and _in_range(j, n)) or i == j:
                yield name, f"pair ({i}, {j}) must name two different projects in 0..{n - 1}"
    for name, idx in (
        ("must_include", p.must_include),
        ("must_exclude", p.must_exclude),
        ("committed", p.committed),
    ):
        bad = [i for i in idx if not _in_range(i, n)]
        if bad:
            yield name, f"indices {sorted(bad)} are outside 0..{n - 1}"
    both = p.must_include & p.must_exclude
    if both:
        yield "must_include", f"projects {_names(p, both)} are also in must_exclude"


def _in_range(i: int, n: int) -> bool:
    return isinstance(i, int | np.integer) and 0 <= i < n


def _names(p: PortfolioProblem, idx: Iterable[int]) -> list[str]:
    return [p.ids[i] for i in sorted(idx)]
