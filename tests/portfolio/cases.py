"""Seeded small portfolio instances and a brute-force optimum to check solvers against."""

from __future__ import annotations

import itertools

import numpy as np

from pfund.portfolio import PortfolioProblem

AREAS = ("health", "energy", "education")
REGIONS = ("RU-MOW", "RU-SPE", "RU-TVE")


def random_problem(seed: int, n: int = 10) -> PortfolioProblem:
    """Integer data (so every solver is exact) with every kind of rule switched on."""
    rng = np.random.default_rng(seed)
    cost = rng.integers(0, 30, size=(n, 3)).astype(float)
    pairs = rng.choice(n, size=(4, 2), replace=False)
    return PortfolioProblem(
        ids=tuple(f"P{i:02d}" for i in range(n)),
        value=rng.integers(1, 100, size=n).astype(float),
        cost=cost,
        periods=(2027, 2028, 2029),
        budget=np.array([0.4, 0.35, np.inf]) * cost.sum(axis=0).clip(1),
        area=tuple(str(a) for a in rng.choice(AREAS, size=n)),
        area_min_share={"health": 0.15} if seed % 3 else {},
        area_max_share={"energy": 0.6},
        regions=tuple(
            tuple(rng.choice(REGIONS, size=rng.integers(1, 3), replace=False)) for _ in range(n)
        ),
        region_cap={"RU-MOW": float(cost.sum()) * 0.25},
        depends=((int(pairs[0, 0]), int(pairs[0, 1])), (int(pairs[1, 0]), int(pairs[1, 1]))),
        excludes=((int(pairs[2, 0]), int(pairs[2, 1])),),
        must_include=frozenset({int(pairs[3, 0])}) if seed % 4 == 0 else frozenset(),
        must_exclude=frozenset({int(pairs[3, 1])}) if seed % 5 == 0 else frozenset(),
        stage=rng.integers(0, 3, size=n),
        max_stage=1,
    )


def brute_force(p: PortfolioProblem) -> float | None:
    """Best value over all 2^n selections, checked rule by rule; None when none is valid."""
    best: float | None = None
    for bits in itertools.product((False, True), repeat=p.n):
        x = np.array(bits)
        if feasible(p, x):
            value = p.portfolio_value(x)
            best = value if best is None or value > best + 1e-9 else best
    return best


def feasible(p: PortfolioProblem, x: np.ndarray) -> bool:
    """Every rule of the problem statement, written independently of the solver model."""
    total, tol = p.total_cost, 1e-7
    if np.any(p.cost[x].sum(axis=0) > p.budget + tol):
        return False
    spent = total[x].sum()
    areas = np.array(p.area)
    for a, s in p.area_min_share.items():
        if total[x & (areas == a)].sum() < s * spent - tol:
            return False
    for a, s in p.area_max_share.items():
        if total[x & (areas == a)].sum() > s * spent + tol:
            return False
    for r, cap in p.region_cap.items():
        used = sum(total[i] / len(p.regions[i]) for i in np.flatnonzero(x) if r in p.regions[i])
        if used > cap + tol:
            return False
    if any(x[i] and not x[j] for i, j in p.depends) or any(x[i] and x[j] for i, j in p.excludes):
        return False
    if any(not x[i] for i in p.must_include) or any(x[i] for i in p.must_exclude):
        return False
    return not any(x[i] for i in p.blocked_by_stage())


def knapsack(values: list[float], weights: list[float], capacity: float) -> PortfolioProblem:
    """A one-period knapsack as a portfolio."""
    return PortfolioProblem(
        ids=tuple(f"K{i}" for i in range(len(values))),
        value=np.array(values, dtype=float),
        cost=np.array(weights, dtype=float).reshape(-1, 1),
        periods=(2028,),
        budget=np.array([capacity]),
    )
