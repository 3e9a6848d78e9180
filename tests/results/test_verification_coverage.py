"""The issue's statistical test of the verification factor's interval: over 1,000
simulated audits with a fixed seed it covers the population's true factor at least 94% of
the time, on four population shapes, three of them with 5% invented units (reported,
recount 0). Vectorised: every audit of a shape goes through :func:`split_ratio` in one
call, the function :func:`verification_factor` computes each stored factor with."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from pfund.results.sampling import Unit, draw
from pfund.results.verification import combined_ratio, split_ratio, verification_factor

AUDITS, UNITS, SAMPLE = 1000, 600, 240
SHAPES = ("gamma", "gamma+invented", "lognormal+invented", "pareto+invented")


def population(shape: str, rng: np.random.Generator) -> tuple[Any, Any]:
    """600 reported sizes (Gamma(2, 50), LogNormal(4, 1) or 10 (1 + Lomax(1.5))), each
    recount a Beta(18, 2) share of its report; '+invented': 30 units (5%) recounted 0."""
    if shape.startswith("gamma"):
        x = rng.gamma(2.0, 50.0, UNITS)
    elif shape.startswith("lognormal"):
        x = rng.lognormal(4.0, 1.0, UNITS)
    else:
        x = 10.0 * (1.0 + rng.pareto(1.5, UNITS))
    y = x * rng.beta(18, 2, UNITS)
    if shape.endswith("+invented"):
        y[rng.permutation(UNITS)[: UNITS // 20]] = 0.0
    return x, y


def audits(shape: str, *, strata: int, seed: int = 2026) -> tuple[dict[str, Any], float]:
    """1,000 draws of 240 of the same 600 units, proportionally from equal strata (unit
    ``i`` in stratum ``i % strata``), laid out for the vectorised estimators."""
    rng = np.random.default_rng(seed)
    x, y = population(shape, rng)
    per, take = UNITS // strata, SAMPLE // strata
    rows = np.concatenate(
        [
            np.arange(h, UNITS, strata)[rng.random((AUDITS, per)).argsort(axis=1)[:, :take]]
            for h in range(strata)
        ],
        axis=1,
    )
    report = np.repeat(np.arange(AUDITS), SAMPLE)
    layout = {
        "report": report,
        "stratum": report * strata + np.tile(np.repeat(np.arange(strata), take), AUDITS),
        "reported": x[rows].ravel(),
        "recounted": y[rows].ravel(),
        "stratum_population": np.full(AUDITS * strata, per),
        "stratum_report": np.repeat(np.arange(AUDITS), strata),
        "reports": AUDITS,
    }
    return layout, float(y.sum() / x.sum())


def covered(result: Any, true: float) -> float:
    return float(np.mean((result.lower <= true) & (true <= result.upper)))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("strata", [1, 3])
def test_the_interval_covers_the_true_factor_in_94_percent_of_1000_audits(
    shape: str, strata: int
) -> None:
    layout, true = audits(shape, strata=strata)
    assert covered(split_ratio(**layout), true) >= 0.94


@pytest.mark.parametrize("shape", ["lognormal+invented", "pareto+invented"])
def test_the_ratio_alone_undercovers_when_units_are_invented(shape: str) -> None:
    """The method before the split, on the same audits: the test above can fail."""
    layout, true = audits(shape, strata=1)
    assert covered(combined_ratio(**layout), true) < 0.9


def test_the_split_interval_is_the_one_a_stored_verification_gets() -> None:
    """One audit through draw() and verification_factor() gives split_ratio's figures."""
    rng = np.random.default_rng(0)
    x, y = population("lognormal+invented", rng)
    units = [
        Unit(id=f"site-{i:03d}", stratum=f"r{i % 3}", reported=float(x[i])) for i in range(600)
    ]
    sample = draw(units, 60, seed=9)
    index = {u.id: i for i, u in enumerate(units)}
    found = {u: float(y[index[u]]) for u in sample.unit_ids}
    result = verification_factor(units, sample, found)
    rows = np.array([index[u] for u in sample.unit_ids])
    arrays = split_ratio(
        report=np.zeros(rows.size, dtype=np.int64),
        stratum=rows % 3,
        reported=x[rows],
        recounted=y[rows],
        stratum_population=np.full(3, 200),
        stratum_report=np.zeros(3, dtype=np.int64),
        reports=1,
    )
    assert result.invented_units == int(np.sum(y[rows] == 0)) > 0
    assert (result.lower, result.factor, result.upper) == pytest.approx(
        (arrays.lower[0], arrays.factor[0], arrays.upper[0])
    )
    assert result.invented_lower <= result.invented_share <= result.invented_upper
    assert result.factor == pytest.approx((1 - result.invented_share) * result.found_ratio)
