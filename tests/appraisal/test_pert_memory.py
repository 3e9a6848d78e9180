"""The PERT table's low-memory path gives the very same draws (issue #18, appraisal memory).

Above a size the per-shape quantile table is not built; quantiles are interpolated per
call from the shared table with the same float operations. Stored draws must not move.
"""

from __future__ import annotations

import numpy as np
import pytest

from pfund.appraisal import distributions, simulate
from pfund.appraisal import montecarlo as mc
from pfund.appraisal.distributions import PertTable
from pfund.io.dataset import load_dataset
from pfund.sample.synthetic import generate_projects


def test_interpolating_per_call_gives_bit_identical_quantiles() -> None:
    rng = np.random.default_rng(5)
    c = rng.uniform(0.0, 1.0, 2000)
    c[:50], c[50:60], c[60:70] = 0.5, 0.0, 1.0
    u = rng.uniform(0.0, 1.0, (2000, 300))
    u[:, 0], u[:, 1], u[:, 2] = 0.0, 1.0, np.nextafter(1.0, 0.0)
    table = PertTable(c, max_bytes=1 << 40)(u.copy())
    per_call = PertTable(c, max_bytes=0)(u.copy())
    assert np.array_equal(table, per_call)


def test_simulation_is_identical_whichever_path_the_table_takes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = load_dataset()
    projects = generate_projects(
        40, seed=3, areas=[a.code for a in data.areas], regions=[r.code for r in data.regions]
    )
    kw = {"draws": 300, "seed": 11, "rate": 0.06, "base_year": 2026, "area_correlation": 0.3}
    monkeypatch.setattr(distributions, "_TABLE_BYTES", 1 << 40)
    table = simulate(projects, **kw)  # type: ignore[arg-type]
    monkeypatch.setattr(distributions, "_TABLE_BYTES", 0)
    per_call = simulate(projects, **kw)  # type: ignore[arg-type]
    assert np.array_equal(table.npv_by_project, per_call.npv_by_project)
    assert np.array_equal(table.bcr_quantiles, per_call.bcr_quantiles)
    assert np.array_equal(table.outcome_mean, per_call.outcome_mean)
    assert np.array_equal(table.p_err_hurdle, per_call.p_err_hurdle)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_npv_quantiles_by_block_equal_one_quantile_over_all_rows(dtype: type) -> None:
    npv: np.ndarray = np.random.default_rng(2).normal(0.0, 1e6, (50, 301)).astype(dtype)
    whole = np.quantile(npv, mc.QUANTILES, axis=1).astype(np.float64)
    assert np.array_equal(mc._row_quantiles(npv, rows=7), whole)
    assert np.array_equal(mc._row_quantiles(npv), whole)
