"""The board report as a job: built by a worker, kept in the store, served by every API
worker (``/staff/jobs/{id}/files/index.html``, ``/api/v1/jobs/{id}/files/index.html``).

The report is rendered by this package, which the services may not import, so the kind
is registered here; the worker, the API and the CLI import this module (it is light: the
report's templates and the pages' catalog load only when a report is built).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pfund.domain.account import Permission
from pfund.domain.policy import OptimismBias
from pfund.services.job_kinds import JobKind, Progress, register, typed_with_job
from pfund.services.runtime import Runtime


class ReportParameters(BaseModel):
    """The CLI's ``pfund report`` options: which run, which language, which uplift."""

    model_config = ConfigDict(extra="forbid")

    run: str | None = Field(default=None, max_length=64)
    lang: Literal["en", "ru", "both"] = "both"
    optimism_bias: OptimismBias | None = None


def build_board(rt: Runtime, params: ReportParameters, progress: Progress, job_id: str) -> str:
    """Read the stored appraisal (or appraise), build the report of the run, render it
    and store each language's file."""
    from pfund.reports.board import CSV, FILES, build_report, projects_csv, render
    from pfund.services.appraisal import current_appraisal, load_inputs
    from pfund.services.job_files import store_results

    rt.require(Permission.READ_INTERNAL)
    pa = current_appraisal(rt, load_inputs(rt, optimism_bias=params.optimism_bias))
    progress(0.2)
    report = build_report(rt, pa, run_id=params.run)
    progress(0.8)
    langs = ("en", "ru") if params.lang == "both" else (params.lang,)
    built = {FILES[lang]: render(report, lang).encode() for lang in langs}
    if report.capped:
        built[CSV] = projects_csv(report).encode()
    progress(0.95)
    store_results(rt, job_id, built)
    return f"board report of {report.portfolio.record_id}: {', '.join(built)}"


KIND = "report"

register(
    KIND,
    JobKind(
        Permission.APPRAISE,  # as heavy as an appraisal; any staff member reads the result
        ReportParameters,
        typed_with_job(ReportParameters, build_board),
        with_job=True,
    ),
)
