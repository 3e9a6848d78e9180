"""What each kind of job does: kind → the permission it needs, its parameters, its work.

A job's work is a function of the runtime (acting as whoever queued the job), its
checked parameters and a ``progress`` callback; it returns the id of the record it
made (a decision record; for ``screening`` the number of new hits, which the screening
queue lists; for ``probe`` the steps it waited). The work calls ``progress`` at
its natural steps; that call is where a cancellation or a lost lease stops it, so a
kind that never calls it cannot be cancelled once running.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pfund.domain.account import Permission
from pfund.domain.policy import OptimismBias
from pfund.errors import InvalidInput, Problem
from pfund.services.runtime import Runtime

# Reports how far the work is (0 to 1); raises to stop the work when it must stop.
Progress = Callable[[float], None]


class NoParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AppraisalParameters(BaseModel):
    """The optimism-bias mode overrides the policy's, as ``--optimism-bias`` does."""

    model_config = ConfigDict(extra="forbid")

    optimism_bias: OptimismBias | None = None


class PortfolioParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    optimism_bias: OptimismBias | None = None
    time_limit: float | None = Field(default=None, gt=0, le=600)
    solver: str | None = Field(default=None, pattern="^(highs|highs-core|highs-hyper|cpsat)$")


class FrontierParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record_id: str | None = Field(default=None, max_length=64)
    points: int = Field(default=31, ge=3, le=201)
    time_limit: float = Field(default=5.0, gt=0, le=600)


class RobustParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record_id: str | None = Field(default=None, max_length=64)
    draws: int = Field(default=100, ge=0, le=10_000)
    weight_sets: int = Field(default=100, ge=0, le=10_000)
    time_limit: float = Field(default=5.0, gt=0, le=600)


class ProbeParameters(BaseModel):
    """A job that only waits: checks the workers end to end (queue, lease, cancel)."""

    model_config = ConfigDict(extra="forbid")

    steps: int = Field(default=1, ge=1, le=10_000)
    step_seconds: float = Field(default=0.0, ge=0, le=60)


@dataclass(frozen=True)
class JobKind:
    """One kind of job: who may start it, what it takes, what it does."""

    permission: Permission
    parameters: type[BaseModel]
    work: Callable[[Runtime, Any, Progress], str]

    def check(self, values: dict[str, Any] | None) -> dict[str, Any]:
        """The parameters as the work will read them, or InvalidInput naming each one wrong."""
        try:
            return self.parameters.model_validate(values or {}).model_dump()
        except ValidationError as err:
            problems = [
                Problem(str(e["msg"]), field=".".join(map(str, e["loc"]))) for e in err.errors()
            ]
            raise InvalidInput("the job's parameters are not valid", problems) from None


def _appraise(rt: Runtime, params: AppraisalParameters, progress: Progress) -> str:
    from pfund.services.appraisal import appraise_pipeline, load_inputs, record_appraisal

    inputs = load_inputs(rt, optimism_bias=params.optimism_bias)
    progress(0.2)
    pipeline = appraise_pipeline(inputs)
    progress(0.9)
    return record_appraisal(rt, inputs, pipeline).record_id or ""


def _optimise(rt: Runtime, params: PortfolioParameters, progress: Progress) -> str:
    from pfund.services.appraisal import appraise_pipeline, load_inputs
    from pfund.services.portfolio import run_portfolio

    pipeline = appraise_pipeline(load_inputs(rt, optimism_bias=params.optimism_bias))
    progress(0.5)
    report, _ = run_portfolio(rt, pipeline, solver=params.solver, time_limit=params.time_limit)
    return report.record_id


def _steps(progress: Progress) -> Callable[[int, int], None]:
    """The analysis engines' ``(done, total)`` callback, as a job's progress."""
    return lambda done, total: progress(done / total if total else 1.0)


def _frontier(rt: Runtime, params: FrontierParameters, progress: Progress) -> str:
    from pfund.services.analysis import frontier

    report = frontier(
        rt,
        record_id=params.record_id,
        points=params.points,
        time_limit=params.time_limit,
        progress=_steps(progress),
        record=True,
    )
    return report.record_id


def _robust(rt: Runtime, params: RobustParameters, progress: Progress) -> str:
    from pfund.services.analysis import robustness
    from pfund.services.appraisal import appraise_pipeline, load_inputs

    pipeline = appraise_pipeline(load_inputs(rt))
    report = robustness(
        rt,
        pipeline,
        record_id=params.record_id,
        draws=params.draws,
        weight_sets=params.weight_sets,
        time_limit=params.time_limit,
        progress=_steps(progress),
        record=True,
    )
    return report.record_id


def _screen(rt: Runtime, _params: NoParameters, progress: Progress) -> str:
    from pfund.services.screening import screen_all

    progress(0.0)
    return str(len(screen_all(rt).new_hits))  # how many new hits await a decision


def _probe(_rt: Runtime, params: ProbeParameters, progress: Progress) -> str:
    for step in range(params.steps):
        time.sleep(params.step_seconds)
        progress((step + 1) / params.steps)
    return f"{params.steps} steps"


def _typed(
    model: type[BaseModel], work: Callable[[Runtime, Any, Progress], str]
) -> Callable[[Runtime, Any, Progress], str]:
    """The work, given its parameters as their model rather than a dict."""
    return lambda rt, values, progress: work(rt, model.model_validate(values), progress)


KINDS: dict[str, JobKind] = {
    "appraisal": JobKind(
        Permission.APPRAISE, AppraisalParameters, _typed(AppraisalParameters, _appraise)
    ),
    "portfolio": JobKind(
        Permission.OPTIMISE, PortfolioParameters, _typed(PortfolioParameters, _optimise)
    ),
    "frontier": JobKind(
        Permission.OPTIMISE, FrontierParameters, _typed(FrontierParameters, _frontier)
    ),
    "robust": JobKind(Permission.OPTIMISE, RobustParameters, _typed(RobustParameters, _robust)),
    "screening": JobKind(Permission.SCREEN, NoParameters, _typed(NoParameters, _screen)),
    "probe": JobKind(Permission.MANAGE_STORE, ProbeParameters, _typed(ProbeParameters, _probe)),
}


def kind_of(name: str) -> JobKind:
    """The kind named, or InvalidInput listing the kinds there are."""
    found = KINDS.get(name)
    if found is None:
        raise InvalidInput(
            f"no job kind '{name}'",
            [Problem(f"choose one of: {', '.join(sorted(KINDS))}", field="kind")],
        )
    return found
