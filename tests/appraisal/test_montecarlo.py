"""Monte Carlo: distributions, reproducibility, correlation and the ERR test."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from pfund.appraisal import compile_pipeline, simulate
from pfund.appraisal import montecarlo as mc
from pfund.appraisal.distributions import pert_quantile, quantile_function
from pfund.domain import Project
from tests.appraisal.helpers import make_project


def _one_cost(low: float, likely: float, high: float, pid: str = "P-1") -> Project:
    return make_project(pid, costs={2026: {"capital": [low, likely, high]}})


@pytest.mark.parametrize(
    ("method", "mean"), [("pert", (10 + 4 * 20 + 60) / 6), ("triangular", (10 + 20 + 60) / 3)]
)
def test_sample_mean_matches_the_distribution_mean(method: str, mean: float) -> None:
    """PERT mean (low + 4 likely + high) / 6 (Vose 2008); triangular (low + likely + high) / 3."""
    sim = simulate(
        [_one_cost(10, 20, 60)], draws=40_000, seed=3, rate=0.05, base_year=2026, method=method
    )
    draws = -sim.npv[:, 0]
    assert abs(draws.mean() - mean) < 4 * draws.std() / np.sqrt(draws.size)
    assert draws.min() >= 10 and draws.max() <= 60


def test_pert_table_is_close_to_the_exact_inverse() -> None:
    rng = np.random.default_rng(0)
    c, u = rng.random(300), rng.random((300, 2_000))
    fast, exact = quantile_function("pert", c)(u), pert_quantile(c[:, None], u)
    assert np.abs(fast - exact).mean() < 1e-4
    assert abs(float((fast - exact).mean())) < 1e-5


def test_same_seed_same_draws_and_other_seed_other_draws() -> None:
    projects = [_one_cost(10, 20, 60, "A"), _one_cost(5, 6, 9, "B")]
    kw: dict[str, Any] = {"draws": 500, "rate": 0.05, "base_year": 2026}
    first, again = simulate(projects, seed=1, **kw), simulate(projects, seed=1, **kw)
    other = simulate(projects, seed=2, **kw)
    np.testing.assert_array_equal(first.npv, again.npv)
    assert not np.array_equal(first.npv, other.npv)


def test_results_do_not_depend_on_the_block_size(monkeypatch: pytest.MonkeyPatch) -> None:
    projects = [_one_cost(10, 20, 60, "A"), _one_cost(5, 6, 9, "B")]
    kw: dict[str, Any] = {
        "draws": 300,
        "seed": 4,
        "rate": 0.05,
        "base_year": 2026,
        "area_correlation": 0.5,
    }
    whole = simulate(projects, **kw)
    monkeypatch.setattr(mc, "_BLOCK_VALUES", 7)
    np.testing.assert_array_equal(whole.npv, simulate(projects, **kw).npv)


def test_a_stream_moves_together_across_years() -> None:
    """One variate per stream: two equal-shaped years are perfectly correlated."""
    project = make_project(costs={2026: {"capital": [10, 20, 60]}, 2027: {"capital": [10, 20, 60]}})
    pipe = compile_pipeline([project])
    assert pipe.term_c.size == 1 and pipe.variate_owner.size == 1


def test_area_correlation_raises_the_variance_of_an_area_total() -> None:
    projects = [_one_cost(10, 20, 60, f"T-{i}") for i in range(8)]
    kw: dict[str, Any] = {"draws": 4_000, "seed": 5, "rate": 0.05, "base_year": 2026}
    independent = simulate(projects, **kw).npv.sum(axis=1).var()
    correlated = simulate(projects, area_correlation=0.7, **kw).npv.sum(axis=1).var()
    assert correlated > 3 * independent


def test_err_probability_is_the_probability_of_npv_at_the_hurdle_being_non_negative() -> None:
    good = make_project(
        "G",
        benefits={"b": {"per_year": 40, "from": 2027, "years": 10}},
        costs={2026: {"capital": 100}},
    )
    poor = make_project(
        "P",
        benefits={"b": {"per_year": 12, "from": 2027, "years": 10}},
        costs={2026: {"capital": 100}},
    )
    sim = simulate([good, poor], draws=50, seed=1, rate=0.05, base_year=2026, hurdle=0.10)
    assert sim.p_err_hurdle.tolist() == [1.0, 0.0]
    assert sim.conventional.all()
    assert sim.p_npv_positive[0] == 1.0


def test_summaries_have_one_column_per_project() -> None:
    projects = [_one_cost(10, 20, 60, "A"), _one_cost(5, 6, 9, "B")]
    sim = simulate(projects, draws=200, seed=1, rate=0.05, base_year=2026, dtype=np.float32)
    assert sim.npv.shape == (200, 2) and sim.npv.dtype == np.float32
    assert sim.npv_quantiles.shape == (3, 2) and sim.bcr_quantiles.shape == (3, 2)
    assert np.all(np.diff(sim.npv_quantiles, axis=0) >= 0)
    assert sim.index("B") == 1


def test_bad_arguments_name_the_valid_choices() -> None:
    with pytest.raises(ValueError, match="pert, triangular"):
        simulate([_one_cost(1, 2, 3)], draws=10, seed=1, rate=0.05, base_year=2026, method="beta")
    with pytest.raises(ValueError, match="area_correlation"):
        simulate(
            [_one_cost(1, 2, 3)], draws=10, seed=1, rate=0.05, base_year=2026, area_correlation=1.0
        )


def test_a_project_costing_nothing_is_simulated_as_zero() -> None:
    free = make_project("Z", costs={2026: {"capital": 0}})
    sim = simulate([free, _one_cost(1, 2, 3)], draws=20, seed=1, rate=0.05, base_year=2026)
    assert not sim.npv[:, 0].any()
