"""What each kind of job does: kind → the permission it needs, its parameters, its work.

A job's work is a function of the runtime (acting as whoever queued the job), its
checked parameters and a ``progress`` callback; it returns the id of the record it
made (a decision record; for ``screening`` the number of new hits, which the screening
queue lists; for ``probe`` the steps it waited). The work calls ``progress`` at
its natural steps; that call is where a cancellation or a lost lease stops it, so a
kind that never calls it cannot be cancelled once running.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

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


# A batch's time budget (``--total-time``): at most a day; none, the solves' limits added up.
TotalTime = Field(default=None, ge=0, le=86_400)


class FrontierParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record_id: str | None = Field(default=None, max_length=64)
    points: int = Field(default=31, ge=3, le=201)
    time_limit: float = Field(default=5.0, gt=0, le=600)
    total_time: float | None = TotalTime


class RobustParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record_id: str | None = Field(default=None, max_length=64)
    draws: int = Field(default=100, ge=0, le=10_000)
    weight_sets: int = Field(default=100, ge=0, le=10_000)
    time_limit: float = Field(default=5.0, gt=0, le=600)
    total_time: float | None = TotalTime


class ImportParameters(BaseModel):
    """What to import the job's upload as (the upload itself is stored with the job)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["projects", "organisations", "people", "indicators"]
    allow_cost_changes: bool = False


class ProbeParameters(BaseModel):
    """A job that only waits: checks the workers end to end (queue, lease, cancel)."""

    model_config = ConfigDict(extra="forbid")

    steps: int = Field(default=1, ge=1, le=10_000)
    step_seconds: float = Field(default=0.0, ge=0, le=60)


@dataclass(frozen=True)
class JobKind:
    """One kind of job: who may start it, what it takes, what it does.

    A kind that keeps files with its job (an import reads its upload, a report stores
    what it built) is given the job's id as a fourth argument (``with_job``)."""

    permission: Permission
    parameters: type[BaseModel]
    work: Callable[..., str]
    with_job: bool = False

    def run(self, rt: Runtime, job_id: str, values: dict[str, Any], progress: Progress) -> str:
        if self.with_job:
            return self.work(rt, values, progress, job_id)
        return self.work(rt, values, progress)

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


def batch_result(
    record_id: str, *, partial: bool, unsolved: int, of: int, stand_in: int = 0
) -> str:
    """A frontier or robustness job's result: the record's id, then, when the batch's
    time ran out, its labels (``FRN-0003 partial unsolved=2/31 stand_in=2``), so the
    job says so wherever it is read; the record holds the same labels point by point.
    (A frontier is partial with no budget point unsolved when its equity curve was cut.)"""
    if not partial:
        return record_id
    labels = f"{record_id} partial unsolved={unsolved}/{of}"
    return f"{labels} stand_in={stand_in}" if stand_in else labels


def _frontier(rt: Runtime, params: FrontierParameters, progress: Progress) -> str:
    from pfund.services.analysis import frontier

    report = frontier(
        rt,
        record_id=params.record_id,
        points=params.points,
        time_limit=params.time_limit,
        progress=_steps(progress),
        record=True,
        total_time=params.total_time,
    )
    return batch_result(
        report.record_id,
        partial=report.partial,
        unsolved=report.unsolved,
        of=len(report.budget),
        stand_in=sum(p.stand_in for p in report.budget),
    )


def _robust(rt: Runtime, params: RobustParameters, progress: Progress) -> str:
    from pfund.services.analysis import robustness
    from pfund.services.appraisal import current_appraisal, load_inputs

    pipeline = current_appraisal(rt, load_inputs(rt), draws=params.draws)
    report = robustness(
        rt,
        pipeline,
        record_id=params.record_id,
        draws=params.draws,
        weight_sets=params.weight_sets,
        time_limit=params.time_limit,
        progress=_steps(progress),
        record=True,
        total_time=params.total_time,
    )
    return batch_result(
        report.record_id,
        partial=report.partial,
        unsolved=report.unsolved,
        of=report.re_optimisations,
    )


def _screen(rt: Runtime, _params: NoParameters, progress: Progress) -> str:
    from pfund.services.screening import screen_all

    progress(0.0)
    return str(len(screen_all(rt).new_hits))  # how many new hits await a decision


def _import(rt: Runtime, params: ImportParameters, progress: Progress, job_id: str) -> str:
    """Import the job's upload all or nothing (one unit of work, as the CLI's import);
    the upload is removed once imported or refused. Progress is reported only before
    the import writes: a cancellation after its commit would misreport what was done."""
    from pfund.errors import PfundError
    from pfund.services.job_files import drop_upload, upload_of

    upload, content = upload_of(rt, job_id)
    progress(0.1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / upload.name
        path.write_bytes(content)
        progress(0.2)
        try:
            summary = _import_file(rt, params, path)
        except PfundError:
            drop_upload(rt, job_id)  # bad input stays bad: another attempt would fail too
            raise
    drop_upload(rt, job_id)
    return summary


def _import_file(rt: Runtime, params: ImportParameters, path: Path) -> str:
    from pfund.services import imports
    from pfund.services.results import import_indicators

    if params.kind == "indicators":
        framework = import_indicators(rt, path)
        return f"{framework.imported} indicators"
    if params.kind == "projects":
        result = imports.import_projects(rt, path, allow_cost_changes=params.allow_cost_changes)
    elif params.kind == "organisations":
        result = imports.import_organisations(rt, path)
    else:
        result = imports.import_people(rt, path)
    return f"{result.imported} {result.kind}"  # the job's page words it in the reader's language


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


def typed_with_job(
    model: type[BaseModel], work: Callable[[Runtime, Any, Progress, str], str]
) -> Callable[[Runtime, Any, Progress, str], str]:
    """As :func:`_typed`, for work that is also given its job's id."""
    return lambda rt, values, progress, job: work(rt, model.model_validate(values), progress, job)


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
    "import": JobKind(
        Permission.IMPORT, ImportParameters, typed_with_job(ImportParameters, _import), True
    ),
    "screening": JobKind(Permission.SCREEN, NoParameters, _typed(NoParameters, _screen)),
    "probe": JobKind(Permission.MANAGE_STORE, ProbeParameters, _typed(ProbeParameters, _probe)),
}


def register(name: str, kind: JobKind) -> None:
    """Add a kind whose work lives above the services (the board report is built by
    :mod:`pfund.reports`, which the services may not import)."""
    KINDS[name] = kind


def kind_of(name: str) -> JobKind:
    """The kind named, or InvalidInput listing the kinds there are."""
    found = KINDS.get(name)
    if found is None:
        raise InvalidInput(
            f"no job kind '{name}'",
            [Problem(f"choose one of: {', '.join(sorted(KINDS))}", field="kind")],
        )
    return found
