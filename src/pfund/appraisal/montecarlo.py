"""Monte Carlo appraisal: the distribution of every project's NPV, BCR and ERR test.

Each stream's variate is a uniform mapped through the inverse CDF of its three-point
estimate (PERT or triangular, see :mod:`pfund.appraisal.distributions`); the pipeline is
compiled once (:mod:`pfund.appraisal.pipeline`) and each block of draws is a handful of
array operations, with no Python loop over draws.

Correlation (``area_correlation = rho``) is a Gaussian copula with one factor per area
and side: a variate's normal score is ``sqrt(rho) Z_area,side + sqrt(1 - rho) e``. Costs
of one area overrun together (same contractors and prices) and benefits of one area fall
short together (same demand); costs and benefits get separate factors because nothing says
an overrun comes with higher benefits. Outcomes share their area's benefit factor.

P(ERR >= hurdle) is computed as P(NPV at the hurdle >= 0). For a *conventional* stream
(negative years first, then positive ones: one sign change) the NPV falls as the rate
rises and crosses zero once, at the ERR, so the two events are the same draw by draw.
:attr:`Simulation.conventional` flags projects where some draw could break that pattern
(a running cost that can exceed the benefit of a later year, say); for them the figure
is still the probability of earning at least the hurdle, but no longer an ERR statement.
A stream that can never be positive has no ERR and counts as failing; one that is never
negative counts as passing.

Random numbers come from ``np.random.SeedSequence(seed)`` spawned into three independent
generators (stream variates, area factors, outcomes), drawn in draw-major blocks: the
result depends only on the seed and the inputs, not on the block size.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_array
from scipy.special import ndtr

from pfund.appraisal.distributions import (
    Method,
    check_method,
    mode_fraction,
    quantile_function,
)
from pfund.appraisal.pipeline import BENEFIT, COST, BoolArray, Pipeline, compile_pipeline
from pfund.appraisal.schedule import HIGH, LIKELY, LOW, FloatArray
from pfund.domain import Project

__all__ = ["QUANTILES", "Simulation", "simulate"]  # the rest serves montecarlo_dask

QUANTILES = (0.05, 0.5, 0.95)
_BLOCK_VALUES = 1 << 20  # variates x draws per block: about 8 MB per array
_EMPTY = np.zeros(0)


@dataclass(frozen=True)
class Simulation:
    """Draws and summaries per project; ``npv`` is ``draws x projects``."""

    project_ids: tuple[str, ...]
    draws: int
    seed: int
    method: Method
    rate: float
    hurdle: float
    base_year: int
    area_correlation: float
    npv_by_project: npt.NDArray[Any]  # projects x draws, contiguous per project
    mean_npv: FloatArray
    p_npv_positive: FloatArray
    p_err_hurdle: FloatArray
    npv_quantiles: FloatArray  # len(QUANTILES) x projects
    bcr_quantiles: FloatArray
    conventional: BoolArray
    outcome_keys: tuple[tuple[str, str], ...]
    outcome_mean: FloatArray

    @property
    def npv(self) -> npt.NDArray[Any]:
        """NPV draws as ``draws x projects`` (a view, no copy)."""
        return self.npv_by_project.T

    def index(self, project_id: str) -> int:
        return self.project_ids.index(project_id)


@dataclass
class _Totals:
    """Running results filled block by block."""

    npv: npt.NDArray[Any]
    bcr: npt.NDArray[np.float32]
    positive: FloatArray
    hurdle: FloatArray
    outcomes: FloatArray


def simulate(
    projects: Sequence[Project] | Pipeline,
    *,
    draws: int,
    seed: int,
    rate: float,
    base_year: int,
    hurdle: float = 0.10,
    method: str = "pert",
    area_correlation: float = 0.0,
    dtype: type[np.floating[Any]] = np.float64,
    threads: int | None = None,
) -> Simulation:
    """Sample every project's costs, benefits and outcomes ``draws`` times.

    ``threads`` (default: the CPUs this process may use) share the blocks: each thread
    takes a run of consecutive blocks and starts its streams where the one-thread walk
    would stand (:func:`stream_states`), numpy releases the GIL in the heavy steps, and
    the per-block sums are added in block order, so every float is the same whatever the
    number of threads (the stored draws stay re-runnable).
    """
    model = prepare(projects, rate, hurdle, base_year, method, area_correlation, draws)
    totals = new_totals(model, draws, dtype)
    spans = blocks(model, draws)
    workers = max(1, min(threads or available_cpus(), len(spans)))
    if workers == 1:
        for part in run_into(totals, model, generators(seed), spans):
            add_sums(totals, part)
        return summarise(model, totals, draws=draws, seed=seed)
    runs = block_runs(spans, 2 * workers)
    states = stream_states(model, seed, [run[0] for run in runs])
    with ThreadPoolExecutor(workers, thread_name_prefix="montecarlo") as pool:
        futures = [
            pool.submit(run_into, totals, model, restore(state), run)
            for state, run in zip(states, runs, strict=True)
        ]
        for future in futures:  # in block order: outcome sums are floats
            for part in future.result():
                add_sums(totals, part)
        return summarise(model, totals, draws=draws, seed=seed, pool=pool)


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS and Windows
        return os.cpu_count() or 1


def run_into(
    totals: _Totals, model: Model, gens: list[np.random.Generator], spans: Sequence[slice]
) -> list[Part]:
    """Blocks one after another from ``gens``: draws written into ``totals`` in place
    (each run owns its columns), the per-block sums returned for adding in order."""
    return [
        compute_block(model, gens, at.stop - at.start, out=(totals.npv[:, at], totals.bcr[:, at]))
        for at in spans
    ]


def block_runs(spans: list[slice], tasks: int) -> list[list[slice]]:
    """Consecutive blocks in about ``tasks`` runs of near-equal length."""
    per = max(1, -(-len(spans) // max(1, tasks)))
    return [spans[i : i + per] for i in range(0, len(spans), per)]


State = list[dict[str, Any]]  # the three bit generators' states


def stream_states(model: Model, seed: int, starts: Sequence[slice]) -> list[State]:
    """The three streams' states at the start of each given block (in draw order).

    Without area correlation every variate is one uniform, one 64-bit step of its
    stream, so a position is reached with ``PCG64.advance`` (no drawing). With
    correlation the normal variates take a varying number of steps (ziggurat
    rejections), so the streams are walked once, drawing and discarding, and their
    states recorded; that walk is only the random numbers, a fraction of the work.
    """
    variates = model.variate_factor.size
    outcomes = model.outcome_factor.size if len(model.pipe.outcome_keys) else 0
    if model.rho == 0:
        states = []
        for at in starts:
            gens = generators(seed)
            _pcg64(gens[0]).advance(at.start * variates)
            _pcg64(gens[2]).advance(at.start * outcomes)
            states.append(_state(gens))
        return states
    wanted = {at.start for at in starts}
    found: dict[int, State] = {}
    gens = generators(seed)
    for at in blocks(model, starts[-1].start + 1 if starts else 0):
        if at.start in wanted:
            found[at.start] = _state(gens)
        n = at.stop - at.start
        gens[1].standard_normal((n, model.factors))
        gens[0].standard_normal((n, variates))
        if outcomes:
            gens[2].standard_normal((n, outcomes))
    return [found[at.start] for at in starts]


def restore(state: State) -> list[np.random.Generator]:
    """Generators standing where :func:`stream_states` found the streams."""
    gens = []
    for one in state:
        bit = np.random.PCG64()
        bit.state = one  # type: ignore[assignment]  # a state dict taken from a PCG64
        gens.append(np.random.Generator(bit))
    return gens


def _pcg64(gen: np.random.Generator) -> np.random.PCG64:
    """The stream's bit generator, which `generators` makes a PCG64 (it can jump ahead)."""
    bit = gen.bit_generator
    if not isinstance(bit, np.random.PCG64):
        raise TypeError(f"expected a PCG64 stream, got {type(bit).__name__}")
    return bit


def _state(gens: list[np.random.Generator]) -> State:
    return [dict(_pcg64(g).state) for g in gens]


def prepare(
    projects: Sequence[Project] | Pipeline,
    rate: float,
    hurdle: float,
    base_year: int,
    method: str,
    area_correlation: float,
    draws: int,
) -> Model:
    """Check the parameters and compile what every block needs."""
    kind = check_method(method)
    _check(draws, rate, hurdle, area_correlation)
    pipe = projects if isinstance(projects, Pipeline) else compile_pipeline(projects)
    return Model.build(pipe, rate, hurdle, base_year, kind, area_correlation)


def generators(seed: int) -> list[np.random.Generator]:
    """Stream variates, area factors and outcomes: three independent streams of one seed."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)]


def blocks(model: Model, draws: int) -> list[slice]:
    """The draw-major blocks, about ``_BLOCK_VALUES`` variates each.

    Why fixed by the model alone: outcome means are sums of per-block sums, so every path
    that must give the same floats (this process, a Dask cluster) splits the same way.
    """
    size = max(1, _BLOCK_VALUES // max(1, model.pipe.term_c.size))
    return [slice(start, min(draws, start + size)) for start in range(0, draws, size)]


def new_totals(model: Model, draws: int, dtype: type[np.floating[Any]]) -> _Totals:
    pipe = model.pipe
    return _Totals(
        npv=np.empty((pipe.size, draws), dtype=dtype),
        bcr=np.empty((pipe.size, draws), dtype=np.float32),
        positive=np.zeros(pipe.size),
        hurdle=np.zeros(pipe.size),
        outcomes=np.zeros(len(pipe.outcome_keys)),
    )


def add_part(totals: _Totals, at: slice, part: Part) -> None:
    """Put one block's results in place (blocks must come in order: outcome sums add up)."""
    totals.npv[:, at] = part.npv
    totals.bcr[:, at] = part.bcr
    add_sums(totals, part)


def add_sums(totals: _Totals, part: Part) -> None:
    """Add one block's counts and outcome sums (in block order: the sums are floats)."""
    totals.positive += part.positive
    totals.hurdle += part.hurdle
    totals.outcomes += part.outcomes


def summarise(
    model: Model, totals: _Totals, *, draws: int, seed: int, pool: Executor | None = None
) -> Simulation:
    """Means, probabilities and quantiles; ``pool`` shares the quantiles' row blocks."""
    pipe = model.pipe
    return Simulation(
        project_ids=pipe.project_ids,
        draws=draws,
        seed=seed,
        method=model.method,
        rate=model.rate,
        hurdle=model.hurdle,
        base_year=model.base_year,
        area_correlation=model.rho,
        npv_by_project=totals.npv,
        mean_npv=totals.npv.mean(axis=1, dtype=np.float64),
        p_npv_positive=totals.positive / draws,
        p_err_hurdle=totals.hurdle / draws,
        npv_quantiles=_row_quantiles(totals.npv, pool=pool),
        # the BCR draws are not kept, so their rows may be partitioned in place
        bcr_quantiles=_row_quantiles(totals.bcr, pool=pool, in_place=True),
        conventional=pipe.conventional,
        outcome_keys=pipe.outcome_keys,
        outcome_mean=totals.outcomes / draws,
    )


def _row_quantiles(
    draws: npt.NDArray[Any],
    rows: int = 2048,
    *,
    pool: Executor | None = None,
    in_place: bool = False,
) -> FloatArray:
    """`QUANTILES` of each project's draws, a block of projects at a time.

    The NPV draws are kept (the objective and robustness read them), so they cannot be
    partitioned in place, and one `np.quantile` over all of them copies the whole
    matrix: 800 MB at 50,000 projects x 2,000 draws. Quantiles are per row, so blocks
    give the same numbers with a copy of one block at a time (none with ``in_place``),
    and blocks can go to the threads of ``pool``.
    """
    out = np.empty((len(QUANTILES), draws.shape[0]), dtype=np.float64)
    step = rows if pool is None else max(64, min(rows, -(-draws.shape[0] // 8)))

    def one(start: int) -> None:
        block = slice(start, start + step)
        out[:, block] = np.quantile(draws[block], QUANTILES, axis=1, overwrite_input=in_place)

    starts = range(0, draws.shape[0], step)
    if pool is None:
        for start in starts:
            one(start)
    else:
        for done in [pool.submit(one, start) for start in starts]:
            done.result()
    return out


def _check(draws: int, rate: float, hurdle: float, rho: float) -> None:
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    if rate <= -1 or hurdle <= -1:
        raise ValueError(f"rates must be above -1, got rate={rate}, hurdle={hurdle}")
    if not 0 <= rho < 1:
        raise ValueError(f"area_correlation must be in [0, 1), got {rho}")


@dataclass(frozen=True)
class Model:
    """Discounted coefficients per term and everything a block needs."""

    pipe: Pipeline
    method: Method
    rho: float
    rate: float
    hurdle: float
    base_year: int
    base: FloatArray  # 3 x projects: PV of lows (cost, benefit, net at hurdle)
    weights: csr_array  # (3 x projects) x terms: PV of each term's range
    variate_factor: npt.NDArray[np.int64]
    outcome_factor: npt.NDArray[np.int64]
    factors: int
    term_quantile: Callable[[FloatArray], FloatArray]
    outcome_quantile: Callable[[FloatArray], FloatArray]

    @classmethod
    def build(
        cls, pipe: Pipeline, rate: float, hurdle: float, base_year: int, method: Method, rho: float
    ) -> Model:
        df, dfh = pipe.discount(rate, base_year), pipe.discount(hurdle, base_year)
        is_cost, is_ben = pipe.term_side == COST, pipe.term_side == BENEFIT
        sign = np.where(is_ben, 1.0, -1.0)
        low = np.stack([is_cost * (pipe.term_low @ df), is_ben * (pipe.term_low @ df)])
        rng_ = np.stack([is_cost * (pipe.term_range @ df), is_ben * (pipe.term_range @ df)])
        low_h, range_h = sign * (pipe.term_low @ dfh), sign * (pipe.term_range @ dfh)
        base = np.add.reduceat(np.vstack([low, low_h]), pipe.starts, axis=1)
        areas = {a: i for i, a in enumerate(sorted(set(pipe.areas)))}
        area_of = np.array([areas[a] for a in pipe.areas], dtype=np.int64)
        points = pipe.outcome_points
        return cls(
            pipe=pipe,
            method=method,
            rho=rho,
            rate=rate,
            hurdle=hurdle,
            base_year=base_year,
            base=base,
            weights=_weights(pipe, np.vstack([rng_, range_h])),
            variate_factor=pipe.variate_side * len(areas) + area_of[pipe.variate_owner],
            outcome_factor=BENEFIT * len(areas) + area_of[pipe.outcome_owner],
            factors=2 * len(areas),
            term_quantile=quantile_function(method, pipe.term_c),
            outcome_quantile=quantile_function(
                method, mode_fraction(points[:, LOW], points[:, LIKELY], points[:, HIGH])
            ),
        )


def _weights(pipe: Pipeline, coef: FloatArray) -> csr_array:
    """Sparse map from term quantiles to (cost, benefit, net at hurdle) PV per project."""
    terms = np.arange(pipe.term_c.size)
    rows = np.concatenate([k * pipe.size + pipe.term_owner for k in range(3)])
    cols = np.concatenate([terms] * 3)
    return csr_array((coef.ravel(), (rows, cols)), shape=(3 * pipe.size, terms.size))


@dataclass(frozen=True, eq=False)
class Part:
    """One block's results: NPV and BCR draws, counts of successes, outcome sums."""

    npv: npt.NDArray[Any]
    bcr: npt.NDArray[Any]
    positive: npt.NDArray[np.int64]
    hurdle: npt.NDArray[np.int64]
    outcomes: FloatArray


def compute_block(
    model: Model,
    gens: list[np.random.Generator],
    n: int,
    out: tuple[npt.NDArray[Any], npt.NDArray[Any]] | None = None,
) -> Part:
    """``n`` draws: uniforms, quantiles per term, sums per project.

    With ``out`` (views of the result's NPV and BCR columns) the draws are written there
    and the returned part carries only the counts and sums.
    """
    pipe = model.pipe
    factor = gens[1].standard_normal((n, model.factors)) if model.rho > 0 else None
    u = _uniforms(gens[0], n, model.variate_factor, factor, model.rho)
    q = model.term_quantile(np.ascontiguousarray(u[:, pipe.term_variate].T))
    del u
    sums = (model.weights @ q).reshape(3, pipe.size, n)
    del q
    sums += model.base[:, :, None]
    cost, benefit, net_h = sums
    npv, bcr = out if out is not None else (np.empty_like(cost), np.empty_like(cost))
    np.subtract(benefit, cost, out=npv)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(benefit, cost, out=bcr)
    outcomes = (
        _outcome_sum(model, gens[2], n, factor)
        if len(pipe.outcome_keys)
        else np.zeros(0, dtype=np.float64)
    )
    kept = out is None
    return Part(
        npv=npv if kept else _EMPTY,
        bcr=bcr if kept else _EMPTY,
        positive=(npv > 0).sum(axis=1),
        hurdle=(net_h >= 0).sum(axis=1),
        outcomes=outcomes,
    )


def _uniforms(
    gen: np.random.Generator,
    n: int,
    factor_of: npt.NDArray[np.int64],
    factor: FloatArray | None,
    rho: float,
) -> FloatArray:
    """``n x variates`` uniforms, through the one-factor Gaussian copula when rho > 0."""
    if factor is None:
        return gen.random((n, factor_of.size))
    noise = gen.standard_normal((n, factor_of.size))
    score = np.sqrt(rho) * factor[:, factor_of] + np.sqrt(1 - rho) * noise
    return np.asarray(ndtr(score), dtype=np.float64)


def _outcome_sum(
    model: Model, gen: np.random.Generator, n: int, factor: FloatArray | None
) -> FloatArray:
    points = model.pipe.outcome_points
    u = _uniforms(gen, n, model.outcome_factor, factor, model.rho)
    q = model.outcome_quantile(np.ascontiguousarray(u.T))
    values = points[:, LOW, None] + (points[:, HIGH] - points[:, LOW])[:, None] * q
    return np.asarray(values.sum(axis=1), dtype=np.float64)
