"""Multi-criteria value of projects, additive over a portfolio.

A project's value is ``v(x) = sum_c w_c (v_c(x_c) - v_c(0))``: the weighted value of
its levels *minus the value of not doing it* (level 0 on every criterion). Subtracting
the baseline makes the value of a portfolio the sum of its projects' values, and a
project that contributes nothing worth nothing; without it, a min-max scale silently
gives every project the value of the worst level for free, which favours many small
projects (Liesiö and Punkka, "Baseline value specification and sensitivity analysis in
multiattribute project portfolio selection", EJOR 237(3), 2014).

For the sum to mean anything, each level must be an absolute contribution that adds up
over projects: expected NPV in USD, people reached, governance-weighted dollars. A ratio
(ERR, BCR, cost per person) does not add up: a USD 1 million project with a 30% ERR
would count as much as a USD 1 billion one. Ratios therefore serve as gates (an ERR
hurdle) and in reports, not as criteria here.

Levels by source (``source`` in criteria.yaml):
- ``expected_npv``: expected NPV, USD (from the Monte Carlo mean or an appraisal).
- ``outcomes``: sum of the PERT means ``(low + 4 likely + high) / 6`` of the outcomes
  whose names start with ``prefix`` (e.g. ``people_``).
- ``score``: ``scores[score] / max_score x PV of cost``: a reviewer's 0..10 score of how
  much the work strengthens, say, democratic governance, times the money that does it.
  Absent a score, ``default_by_area`` (else ``default``) stands in.
- ``regional_equity``: PV of cost x share of the project's regions whose population is
  below the median of the fund's regions (cost split equally between listed regions; a
  project listing no region is taken as nationwide, all regions).
- ``risk``: PV of cost x a failure probability by risk rating (expected money lost).

A pipeline is valued either wholly by criteria or wholly by ``Project.value_score``
(appraised elsewhere, used as is): two scales are never mixed. ``value_mode: auto``
picks ``score`` when every project has one, ``criteria`` when none has, and refuses a
mix, naming the projects without a score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from pfund.appraisal.cba import Appraisal
from pfund.appraisal.criteria import CriteriaSet, Criterion, ValueFunction, ValueMode
from pfund.appraisal.schedule import FloatArray
from pfund.domain import Project, Region
from pfund.errors import InvalidInput, Problem

__all__ = [
    "CriteriaMatrix",
    "criteria_matrix",
    "pipeline_values",
    "project_values",
    "resolve_value_mode",
]


@dataclass(frozen=True)
class CriteriaMatrix:
    """Levels of ``n`` projects on ``m`` criteria, with the names of both axes."""

    project_ids: tuple[str, ...]
    criteria: tuple[str, ...]
    levels: FloatArray  # n x m


@dataclass(frozen=True)
class _Context:
    projects: Sequence[Project]
    npv: FloatArray
    pv_costs: FloatArray
    population: Mapping[str, int]


def criteria_matrix(
    projects: Sequence[Project],
    criteria: CriteriaSet,
    *,
    appraisals: Mapping[str, Appraisal],
    regions: Sequence[Region],
    npv: Mapping[str, float] | None = None,
) -> CriteriaMatrix:
    """Levels of every project on every criterion.

    ``appraisals`` give the PV of costs (and the NPV unless ``npv`` is given, e.g. the
    Monte Carlo means of :class:`pfund.appraisal.montecarlo.Simulation`).
    """
    missing = [p.id for p in projects if p.id not in appraisals]
    if missing:
        raise ValueError(f"no appraisal for projects {missing[:5]}")
    npv_of = npv if npv is not None else {k: a.npv for k, a in appraisals.items()}
    context = _Context(
        projects=projects,
        npv=np.array([npv_of[p.id] for p in projects], dtype=np.float64),
        pv_costs=np.array([appraisals[p.id].pv_costs for p in projects], dtype=np.float64),
        population={r.code: r.population for r in regions if r.population is not None},
    )
    columns = [_LEVELS[c.source](c, context) for c in criteria.criteria]
    levels = np.column_stack(columns) if columns else np.zeros((len(projects), 0))
    return CriteriaMatrix(tuple(p.id for p in projects), criteria.names, levels)


def _npv(_: Criterion, ctx: _Context) -> FloatArray:
    return ctx.npv


def _outcomes(c: Criterion, ctx: _Context) -> FloatArray:
    prefix = str(c.options.get("prefix", ""))
    return np.array(
        [
            sum(
                (o.value.low + 4 * o.value.likely + o.value.high) / 6
                for name, o in p.outcomes.items()
                if name.startswith(prefix)
            )
            for p in ctx.projects
        ],
        dtype=np.float64,
    )


def _score(c: Criterion, ctx: _Context) -> FloatArray:
    key, top = str(c.options.get("score", c.name)), float(c.options.get("max_score", 10))
    by_area: Mapping[str, float] = c.options.get("default_by_area", {})
    default = float(c.options.get("default", 0))
    raw = [p.scores.get(key, by_area.get(p.area, default)) for p in ctx.projects]
    return np.array(raw, dtype=np.float64) / top * ctx.pv_costs


def _equity(_: Criterion, ctx: _Context) -> FloatArray:
    if not ctx.population:
        raise ValueError("regional_equity needs regions with a population")
    median = float(np.median(list(ctx.population.values())))
    small = {code for code, people in ctx.population.items() if people < median}
    every = list(ctx.population)
    shares = [
        sum(r in small for r in (p.regions or every)) / len(p.regions or every)
        for p in ctx.projects
    ]
    return np.array(shares, dtype=np.float64) * ctx.pv_costs


_FAILURE = {"low": 0.05, "medium": 0.15, "high": 0.3, "very_high": 0.5}


def _risk(c: Criterion, ctx: _Context) -> FloatArray:
    chance: Mapping[str, float] = {**_FAILURE, **c.options.get("failure_probability", {})}
    return np.array([chance[p.risk.value] for p in ctx.projects]) * ctx.pv_costs


_LEVELS: dict[str, Callable[[Criterion, _Context], FloatArray]] = {
    "expected_npv": _npv,
    "outcomes": _outcomes,
    "score": _score,
    "regional_equity": _equity,
    "risk": _risk,
}


def project_values(
    matrix: CriteriaMatrix, criteria: CriteriaSet, weights: npt.ArrayLike
) -> FloatArray:
    """Additive value of each project: ``n`` values, or ``k x n`` for ``k`` weight rows.

    Each criterion's value function is resolved against the matrix (worst and best
    levels of the pipeline, 0 included) and its value at level 0 subtracted.
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.shape[-1] != len(criteria.criteria):
        raise ValueError(f"need {len(criteria.criteria)} weights ({', '.join(criteria.names)})")
    gains = np.column_stack(
        [_gain(c.value_function, c, matrix.levels[:, j]) for j, c in enumerate(criteria.criteria)]
    )
    return np.asarray(gains @ w.T, dtype=np.float64).T


def _gain(vf: ValueFunction, c: Criterion, levels: FloatArray) -> FloatArray:
    resolved = vf.resolve(levels, c.direction)
    return resolved(levels) - resolved(np.zeros(1))


def resolve_value_mode(projects: Sequence[Project], mode: ValueMode) -> ValueMode:
    """``criteria`` or ``score`` for this pipeline; InvalidInput for a mix under auto/score."""
    without = [p.id for p in projects if p.value_score is None]
    if mode == "criteria" or (mode == "auto" and len(without) == len(projects)):
        return "criteria"
    if not without:
        return "score"
    reason = (
        f"{len(without)} projects have no value_score (e.g. {', '.join(without[:5])}); "
        "give every project a value_score or none (value_mode: criteria ignores them)"
    )
    raise InvalidInput(
        "cannot mix given and computed values", [Problem(reason, None, None, "value_score")]
    )


def pipeline_values(
    projects: Sequence[Project],
    matrix: CriteriaMatrix,
    criteria: CriteriaSet,
    weights: npt.ArrayLike | None = None,
) -> FloatArray:
    """Each project's value under the set's value mode; point weights unless given."""
    if resolve_value_mode(projects, criteria.value_mode) == "score":
        return np.array([p.value_score for p in projects], dtype=np.float64)
    w = criteria.point.point() if weights is None else weights
    return project_values(matrix, criteria, w)


def fix_scales(criteria: CriteriaSet, matrix: CriteriaMatrix) -> CriteriaSet:
    """The set with every value function pinned to this matrix's worst and best levels.

    Values computed later for other Monte Carlo draws or other weights then stay on the
    one scale the board saw, instead of each draw rescaling its own pipeline.
    """
    pinned = tuple(
        replace(c, value_function=c.value_function.resolve(matrix.levels[:, j], c.direction))
        for j, c in enumerate(criteria.criteria)
    )
    return replace(criteria, criteria=pinned)
