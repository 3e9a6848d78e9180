"""Earmarked money as constraints on the portfolio: spending caps, one per set of earmarks.

Each year's budget ``B_t`` is split into an unearmarked pool and one pool per earmark
``k`` (``E_kt``: the earmarked money for year t, in the fund's currency); a project may
draw on the unearmarked pool and on every earmarked pool whose earmark allows it (its
area and stage). Money being divisible, such a split exists for a set of chosen
projects exactly when, for every set ``K`` of earmarks (Hall's condition for a
transport problem),

    spending in year t on the projects that no earmark of K allows
        <= B_t - sum over k in K of E_kt                  (at least 0)

which for ``K`` empty is the budget itself. So earmarked money can only fund what its
earmark allows, and it need not be spent. With ``m`` earmarks there are ``2^m - 1``
such rows per year, few for a fund's handful of earmarked agreements; more than
``MAX_EARMARKS`` are refused rather than silently approximated.

At another budget (the budget frontier scales every year's budget by a factor ``f``)
the caps follow the money: the frontier asks what ``f`` times the fund's money would
buy with the same mix of money, so every pool, unearmarked and earmarked alike, is
scaled by ``f``. As each cap is ``max(B_t - E_Kt, 0)``, scaling ``B_t`` and every
``E_kt`` by ``f`` scales each cap by ``f`` (``scaled_caps``); an unbounded year's cap
stays unbounded. (Keeping the donors' earmarks fixed instead would need the pools, which
a recorded run does not hold, and would leave no consistent split where ``f B_t`` falls
below the earmarked money.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from pfund.errors import InvalidInput, Problem

__all__ = ["MAX_EARMARKS", "EarmarkPool", "SpendCap", "scaled_caps", "spend_caps"]

MAX_EARMARKS = 12


@dataclass(frozen=True)
class EarmarkPool:
    """One earmark's money per year (fund currency) and which projects it may fund."""

    name: str
    amounts: Mapping[int, float]
    allows: Callable[[str, int], bool]  # (area, stage) -> may this money fund it


@dataclass(frozen=True, eq=False)
class SpendCap:
    """Spending of ``members`` in each period at most ``cap[t]``: one row per period."""

    name: str
    members: tuple[int, ...]
    cap: tuple[float, ...]


def scaled_caps(caps: Sequence[SpendCap], factor: float) -> tuple[SpendCap, ...]:
    """The caps of a budget ``factor`` times as large, every pool scaled alike (see the
    module): each finite cap times ``factor``."""
    if factor < 0:
        raise ValueError("a budget factor is at least 0")
    return tuple(
        SpendCap(c.name, c.members, tuple(x * factor if np.isfinite(x) else x for x in c.cap))
        for c in caps
    )


def spend_caps(
    *,
    areas: Sequence[str],
    stages: Sequence[int],
    periods: Sequence[int],
    budget: Sequence[float],
    pools: Sequence[EarmarkPool],
) -> tuple[SpendCap, ...]:
    """The caps Hall's condition asks for (see the module), redundant ones left out."""
    if len(pools) > MAX_EARMARKS:
        reason = f"{len(pools)} earmarked pools; at most {MAX_EARMARKS} are solved exactly"
        raise InvalidInput("too many earmarks", [Problem(reason, field="earmarks")])
    allowed = [
        np.array([pool.allows(a, int(s)) for a, s in zip(areas, stages, strict=True)], bool)
        for pool in pools
    ]
    caps: dict[tuple[int, ...], list[float]] = {}
    names: dict[tuple[int, ...], str] = {}
    for size in range(1, len(pools) + 1):
        for group in combinations(range(len(pools)), size):
            earmarked = [sum(pools[k].amounts.get(y, 0.0) for k in group) for y in periods]
            if not any(e > 0 for e in earmarked):
                continue
            reach = np.zeros(len(areas), bool)
            for k in group:
                reach |= allowed[k]
            members = tuple(int(i) for i in np.flatnonzero(~reach))
            cap = [max(b - e, 0.0) for b, e in zip(budget, earmarked, strict=True)]
            known = caps.get(members)
            if known is not None:
                cap = [min(c, k) for c, k in zip(cap, known, strict=True)]
            caps[members] = cap
            names.setdefault(members, " + ".join(pools[k].name for k in group))
    return tuple(SpendCap(names[m], m, tuple(c)) for m, c in caps.items())
