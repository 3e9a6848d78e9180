"""The board report's section on learning from results: which optimism-bias prior each
area's appraisals used (the Green Book's, or the fund's own history with its size) and
how much the uplift moved the portfolio.

The "before" figures are the same pipeline appraised without the uplift (same seed and
draws) and solved again under the same policy; the "after" figures are the run's. Both
come from the same inputs the report states, so a reader can trace each number.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from pfund.portfolio import DEFAULT_SOLVER, optimise
from pfund.results.expost import Movement, portfolio_movement
from pfund.services.appraisal import PipelineAppraisal, appraise_pipeline, parameters_of
from pfund.services.learning import MIN_COUNT, AreaBias, BiasRecord, HistoryArea
from pfund.services.portfolio import PortfolioReport, portfolio_problem
from pfund.web.labels import N_

MILLION = 1e6
SOLVE_SECONDS = 2.0  # the re-solve without uplift, as the frontier's points

# The Green Book's project types in the reader's words (catalog: learn.po).
TYPE_WORDS = {
    "standard_buildings": N_("standard buildings"),
    "non_standard_buildings": N_("non-standard buildings"),
    "standard_civil_engineering": N_("standard civil engineering"),
    "non_standard_civil_engineering": N_("non-standard civil engineering"),
    "equipment_development": N_("equipment and development"),
    "outsourcing": N_("outsourcing"),
}

# The policy's modes in the reader's words.
MODE_WORDS = {
    "auto": N_("automatic choice"),
    "green-book": N_("the Green Book alone"),
    "history": N_("the fund's history alone"),
}


@dataclass(frozen=True)
class AreaLine:
    """One area: where its uplift came from and what it did to the likely cost."""

    bias: AreaBias
    movement: Movement | None  # None: the area has no project in today's pipeline


@dataclass(frozen=True)
class LearningSection:
    """The section's figures (money in millions of the fund's currency)."""

    bias: BiasRecord | None
    areas: list[AreaLine] = field(default_factory=list)
    pipeline_npv_before_m: float = 0.0
    pipeline_npv_after_m: float = 0.0
    chosen_npv_before_m: float | None = None  # the portfolio chosen without the uplift
    chosen_npv_after_m: float = 0.0  # the run's portfolio, valued with the uplift
    dropped: list[str] = field(default_factory=list)  # chosen without the uplift, not with it
    added: list[str] = field(default_factory=list)  # chosen with the uplift, not without it
    # the fund's finished projects by area, shown whatever the mode (so also when off)
    history: list[HistoryArea] = field(default_factory=list)
    min_count: int = MIN_COUNT


def build_learning(
    pa: PipelineAppraisal,
    portfolio: PortfolioReport,
    run_bias: object = None,
    history: list[HistoryArea] | None = None,
) -> LearningSection:
    """The section for the run ``portfolio`` and the current appraisal ``pa``.

    "After" is the run's own choice when the run recorded the same uplift as ``pa``
    (``run_bias``, its record's ``optimism_bias`` parameter); otherwise the choice is
    solved again from ``pa``, so before and after differ only by the uplift. ``history``:
    the fund's finished projects by area, listed whatever the mode."""
    cal = pa.inputs.calibration
    if cal is None:
        return LearningSection(bias=None, history=history or [])
    moved = {m.area: m for m in portfolio_movement(pa.inputs.projects, cal.areas)}
    before = appraise_pipeline(dataclasses.replace(pa.inputs, calibration=None, uplifted=None))
    chosen_before = _solve(before)
    npv_after = dict(zip(pa.simulation.project_ids, pa.simulation.mean_npv.tolist(), strict=True))
    npv_before = dict(
        zip(before.simulation.project_ids, before.simulation.mean_npv.tolist(), strict=True)
    )
    same = run_bias == parameters_of(pa.inputs)["optimism_bias"]
    after = set(portfolio.selected if same else (_solve(pa) or []))
    return LearningSection(
        bias=cal.record,
        areas=[AreaLine(a, moved.get(a.area)) for a in cal.record.areas if a.area in moved],
        pipeline_npv_before_m=sum(npv_before.values()) / MILLION,
        pipeline_npv_after_m=sum(npv_after.values()) / MILLION,
        chosen_npv_before_m=None
        if chosen_before is None
        else sum(npv_before.get(i, 0.0) for i in chosen_before) / MILLION,
        chosen_npv_after_m=sum(npv_after.get(i, 0.0) for i in after) / MILLION,
        dropped=sorted(set(chosen_before or []) - after),
        added=sorted(after - set(chosen_before or [])) if chosen_before is not None else [],
        history=history or [],
    )


def _solve(pa: PipelineAppraisal) -> list[str] | None:
    """The portfolio the optimiser chooses from ``pa`` (None when it finds none)."""
    problem = portfolio_problem(pa)
    result = optimise(problem, solver=DEFAULT_SOLVER, time_limit=SOLVE_SECONDS, threads=1)
    if not result.solution.has_portfolio:
        return None
    return [problem.ids[i] for i in np.flatnonzero(result.solution.selected)]
