"""Appraisal engine: cost-benefit analysis, Monte Carlo uncertainty and multi-criteria value.

Pure functions over domain objects and numpy arrays: no store, no clock, no network;
random draws take a seed.
"""

from pfund.appraisal.cba import (
    Appraisal,
    appraise,
    benefit_cost_ratio,
    cost_per_unit,
    discount_factors,
    npv,
    payback_period,
    present_value,
)
from pfund.appraisal.criteria import (
    CriteriaSet,
    Criterion,
    ValueFunction,
    load_criteria,
    parse_criteria,
)
from pfund.appraisal.err import ErrResult, err, is_conventional
from pfund.appraisal.mcda import (
    CriteriaMatrix,
    criteria_matrix,
    fix_scales,
    pipeline_values,
    project_values,
    resolve_value_mode,
)
from pfund.appraisal.montecarlo import Simulation, simulate
from pfund.appraisal.pipeline import Pipeline, compile_pipeline
from pfund.appraisal.weights import (
    ExactWeights,
    IntervalWeights,
    RankedWeights,
    Weights,
    rank_order_centroid,
)

__all__ = [
    "Appraisal",
    "CriteriaMatrix",
    "CriteriaSet",
    "Criterion",
    "ErrResult",
    "ExactWeights",
    "IntervalWeights",
    "Pipeline",
    "RankedWeights",
    "Simulation",
    "ValueFunction",
    "Weights",
    "appraise",
    "benefit_cost_ratio",
    "compile_pipeline",
    "cost_per_unit",
    "criteria_matrix",
    "discount_factors",
    "err",
    "fix_scales",
    "is_conventional",
    "load_criteria",
    "npv",
    "parse_criteria",
    "payback_period",
    "pipeline_values",
    "present_value",
    "project_values",
    "rank_order_centroid",
    "resolve_value_mode",
    "simulate",
]
