"""Expected money under a scenario: what tranches pay out and what contributors pay in.

Both are expectations over the scenario's stage probabilities, computed year by year;
amounts in are `Decimal` (money), expected payments out are floats (an estimate).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from pfund.conditions.scenarios import Scenario, p_reached
from pfund.domain import Tranche, TrancheStatus
from pfund.errors import InvalidInput, Problem

__all__ = ["expected_disbursements", "expected_envelope", "expected_share"]

Arrays = tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike]
CENT = Decimal("0.01")
CANCELLED = TrancheStatus.CANCELLED


def expected_disbursements(
    tranches: Iterable[Tranche] | Arrays, scenario: Scenario
) -> dict[int, float]:
    """Expected payments by year: each tranche's amount times P(its stage reached by its
    year). Give tranches, or three equal-length arrays (year, amount, stage).

    A disbursed tranche counts in full (it was paid); a cancelled one not at all. Its
    own project-level conditions are not modelled: this is the political ceiling.
    """
    out: dict[int, float] = {}
    for year, amount, stage in _rows(tranches):
        share = p_reached(scenario, stage, year)
        out[year] = out.get(year, 0.0) + amount * share
    return dict(sorted(out.items()))


def _rows(tranches: Iterable[Tranche] | Arrays) -> list[tuple[int, float, int]]:
    if isinstance(tranches, tuple) and len(tranches) == 3 and not _is_tranche(tranches[0]):
        years, amounts, stages = (np.asarray(a).reshape(-1) for a in tranches)
        if not len(years) == len(amounts) == len(stages):
            reason = "year, amount and stage arrays must have the same length"
            raise InvalidInput("invalid tranche arrays", [Problem(reason, field="tranches")])
        return [(int(y), float(a), int(s)) for y, a, s in zip(years, amounts, stages, strict=True)]
    rows = [t for t in tranches if isinstance(t, Tranche)]
    return [(t.year, float(t.amount), _stage(t)) for t in rows if t.status is not CANCELLED]


def _is_tranche(item: object) -> bool:
    return isinstance(item, Tranche)


def _stage(t: Tranche) -> int:
    """A disbursed tranche happened, so it counts as if gated by stage 0 (always)."""
    return 0 if t.status is TrancheStatus.DISBURSED else t.stage


def expected_share(
    scenario: Scenario, year: int, share_by_stage: Mapping[int, float] | None = None
) -> float:
    """The expected share of the envelope paid in `year`.

    Rule: the share paid is that of the highest stage reached by the year, where a stage
    not listed pays the share of the nearest listed stage below it (0 below the first).
    By default only `scenario.contributions_from_stage` is listed, with share 1:
    contributors pay their full contribution once that stage (a holding ceasefire,
    unless the scenario says otherwise) is reached, and nothing before. With stages
    nested, P(highest reached = k) = P(k) - P(k + 1).
    """
    shares = dict(share_by_stage or {scenario.contributions_from_stage: 1.0})
    _check_shares(shares)
    top = max([*shares, *scenario.reach, 0])
    expected = 0.0
    for k in range(top + 1):
        exactly = p_reached(scenario, k, year) - p_reached(scenario, k + 1, year)
        expected += _step(shares, k) * exactly
    return min(1.0, max(0.0, expected))


def _step(shares: Mapping[int, float], stage: int) -> float:
    below = [k for k in shares if k <= stage]
    return shares[max(below)] if below else 0.0


def _check_shares(shares: Mapping[int, float]) -> None:
    bad = [
        Problem(f"share {v} of stage {k} must lie in 0..1", field="share_by_stage")
        for k, v in shares.items()
        if not 0.0 <= v <= 1.0
    ]
    if bad:
        raise InvalidInput("invalid shares by stage", bad)


def expected_envelope(
    envelope: Mapping[int, Decimal],
    scenario: Scenario,
    *,
    share_by_stage: Mapping[int, float] | None = None,
) -> dict[int, Decimal]:
    """The budget envelope each year times its expected share (see `expected_share`),
    to the cent."""
    return {
        year: (
            Decimal(amount) * Decimal(repr(expected_share(scenario, year, share_by_stage)))
        ).quantize(CENT)
        for year, amount in sorted(envelope.items())
    }
