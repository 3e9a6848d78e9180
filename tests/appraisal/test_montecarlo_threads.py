"""The Monte Carlo shared between threads gives the one-thread floats, and those floats are
the ones stored decision records were computed with (issue #18: old records re-run).

The digests were taken from the one-thread code before threads were added (same seed,
pipeline and block size); a change of the random stream, of the block walk or of the order
in which outcome sums are added changes them. A numpy release that changed PCG64 or
``np.quantile`` would change them too, and old records with it: that is what they guard.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pytest

from pfund.appraisal import montecarlo as mc
from pfund.appraisal.montecarlo import Simulation, simulate
from pfund.io.dataset import load_dataset
from pfund.sample.synthetic import generate_projects

SUMMARIES = (
    "npv_by_project",
    "p_npv_positive",
    "p_err_hurdle",
    "npv_quantiles",
    "bcr_quantiles",
    "outcome_mean",
)
STORED = {
    0.0: "c0415c01989a6b42a211b03618fcd7c8cea6ef04bd7f8f2bd03ed2e39e866696",
    0.4: "9c9dbe8a7f7dd862758b9aed1086d202ae18b295d6a724c3d3fdbe637caf05b4",
}


@pytest.fixture(scope="module")
def pipeline() -> list[Any]:
    data = load_dataset()
    return generate_projects(
        40, seed=3, areas=[a.code for a in data.areas], regions=[r.code for r in data.regions]
    )


def digest(sim: Simulation) -> str:
    h = hashlib.sha256()
    for name in SUMMARIES:
        h.update(np.ascontiguousarray(getattr(sim, name)).tobytes())
    return h.hexdigest()


@pytest.mark.parametrize("rho", sorted(STORED))
@pytest.mark.parametrize("threads", [1, 2, 5])
def test_every_thread_count_gives_the_draws_stored_before_threads(
    pipeline: list[Any], monkeypatch: pytest.MonkeyPatch, rho: float, threads: int
) -> None:
    monkeypatch.setattr(mc, "_BLOCK_VALUES", 1 << 12)  # about 37 blocks of 40 draws
    sim = simulate(
        pipeline,
        draws=1500,
        seed=9,
        rate=0.06,
        base_year=2026,
        area_correlation=rho,
        threads=threads,
    )
    assert len(sim.outcome_keys) > 0  # the outcome sums' order is covered
    assert digest(sim) == STORED[rho]


def test_blocks_are_shared_in_runs_that_start_where_the_one_thread_walk_stands(
    pipeline: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mc, "_BLOCK_VALUES", 1 << 12)
    model = mc.prepare(pipeline, 0.06, 0.1, 2026, "pert", 0.0, 1500)
    spans = mc.blocks(model, 1500)
    runs = mc.block_runs(spans, 4)
    assert [at for run in runs for at in run] == spans and len(runs) == 4
    gens = mc.generators(9)
    for run, state in zip(runs, mc.stream_states(model, 9, [r[0] for r in runs]), strict=True):
        walked = [dict(g.bit_generator.state) for g in gens]
        assert walked == state
        for at in run:  # walk on as one thread would
            n = at.stop - at.start
            gens[0].random((n, model.variate_factor.size))
            gens[2].random((n, model.outcome_factor.size))
