"""The board report: one self-contained HTML file a board member reads in ten minutes.

Everything in it comes from decision records (the portfolio run, its frontier and
robustness runs) and a re-appraisal with the recorded seed, so each number can be traced
to the run that produced it. Plots are inline SVG; no asset is fetched from anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel

from pfund import __version__
from pfund.domain import Project
from pfund.portfolio import PortfolioProblem
from pfund.reports import plots
from pfund.reports.funding import MoneyPages, build_money_pages
from pfund.services.analysis import (
    ExplanationLine,
    FrontierReport,
    RobustReport,
    explain,
    frontier,
    robustness,
)
from pfund.services.appraisal import AppraisalLine, PipelineAppraisal, report_of
from pfund.services.names import Name, area_names, name_of, short
from pfund.services.portfolio import PortfolioReport, report_of_record
from pfund.services.problem_json import problem_from_json
from pfund.services.records import get_answering_record
from pfund.services.runtime import Runtime


class ProjectRow(BaseModel):
    """A project of the run; NPV and P(NPV>0) are None for a project the pipeline no
    longer holds (the run recorded its value and cost, not its appraisal)."""

    id: str
    title: str
    area: str
    stage: int
    cost_m: float
    npv_m: float | None
    p_npv_positive: float | None
    value: float
    core_index: float | None
    robustness: str
    chosen: bool
    why: str


@dataclass(frozen=True)
class BoardReport:
    fund: str
    currency: str
    generated: str
    portfolio: PortfolioReport
    frontier: FrontierReport
    robust: RobustReport
    rows: list[ProjectRow]
    budget_total: float
    criteria: list[tuple[str, float]]
    draws: int
    seed: int
    discount_rate: float
    hurdle: float
    charts: dict[str, str]
    version: str
    money: MoneyPages
    area_titles: dict[str, str] = field(default_factory=dict)  # area names by code


def build_report(
    rt: Runtime,
    pa: PipelineAppraisal,
    *,
    run_id: str | None = None,
    robust_draws: int = 40,
    robust_weights: int = 40,
) -> BoardReport:
    """The report of the named run (default: the newest that holds a portfolio).

    Built from the run's record, whatever has changed since: the portfolio, frontier and
    explanations come from its recorded problem; the current appraisal only fills in each
    project's NPV and the value draws of the robustness analysis. Writing it stores
    nothing (no frontier, robustness or scenario record).
    """
    record = get_answering_record(rt, run_id)
    portfolio = report_of_record(record)
    front = frontier(rt, record_id=record.id, points=31, time_limit=2.0)
    robust = robustness(
        rt, pa, record_id=record.id, draws=robust_draws, weight_sets=robust_weights, time_limit=2.0
    )
    _, why = explain(rt, record_id=record.id, resolve=False)
    appraisal = report_of(pa)
    problem = problem_from_json(record.inputs["problem"])
    rows = _rows(problem, pa.inputs.projects, appraisal.lines, robust, why, portfolio)
    return BoardReport(
        fund=appraisal.fund,
        currency=appraisal.currency,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        portfolio=portfolio,
        frontier=front,
        robust=robust,
        rows=rows,
        budget_total=sum(y.budget for y in portfolio.years),
        criteria=list(zip(appraisal.criteria, appraisal.weights, strict=True)),
        draws=appraisal.draws,
        seed=appraisal.seed,
        discount_rate=appraisal.discount_rate,
        hurdle=appraisal.hurdle,
        charts=_charts(portfolio, front, robust, area_names(rt), {r.id: r.title for r in rows}),
        version=__version__,
        money=build_money_pages(rt, pa),
        area_titles={code: n.name for code, n in area_names(rt).items()},
    )


def _rows(
    problem: PortfolioProblem,
    projects: list[Project],
    lines: list[AppraisalLine],
    robust: RobustReport,
    why: list[ExplanationLine],
    portfolio: PortfolioReport,
) -> list[ProjectRow]:
    """One row per project of the run (not of today's pipeline), valued as the run was."""
    by_line = {line.id: line for line in lines}
    by_id = {p.id: p for p in projects}
    core = {line.project: line for line in robust.lines}
    reasons = {w.project: w.sentence for w in why}
    chosen = set(portfolio.selected)
    out = []
    for j, pid in enumerate(problem.ids):
        p, a, c = by_id.get(pid), by_line.get(pid), core.get(pid)
        out.append(
            ProjectRow(
                id=pid,
                title=p.title if p else "",
                area=problem.area[j] if problem.area else (p.area if p else ""),
                stage=int(problem.stage[j]) if problem.stage is not None else 0,
                cost_m=float(problem.cost[j].sum()) / 1e6,
                npv_m=a.expected_npv / 1e6 if a else None,
                p_npv_positive=a.p_npv_positive if a else None,
                value=float(problem.value[j]),
                core_index=c.core_index if c else None,
                robustness=c.robustness if c else "",
                chosen=pid in chosen,
                why=reasons.get(pid, ""),
            )
        )
    return sorted(out, key=lambda r: (not r.chosen, -r.value))


def _charts(
    portfolio: PortfolioReport,
    front: FrontierReport,
    robust: RobustReport,
    areas: dict[str, Name],
    titles: dict[str, str],
) -> dict[str, str]:
    """The report's charts, labelled with names (areas, project titles), not codes."""
    years = [y.year for y in portfolio.years]
    borderline = [line for line in robust.lines if 0 < line.core_index < 1][:30]
    return {
        "areas": plots.bar_chart(
            [name_of(areas, a.area) for a in portfolio.areas if a.cost > 0],
            [a.cost for a in portfolio.areas if a.cost > 0],
            xlabel="cost of chosen projects, USD m",
        ),
        "years": plots.years_chart(
            years,
            budget=[y.budget for y in portfolio.years],
            used=[y.used for y in portfolio.years],
            greedy=[y.greedy_used for y in portfolio.years],
        ),
        "frontier": plots.frontier_chart(
            [p.budget_total for p in front.budget],
            [_plotted(p.value) for p in front.budget],
            xlabel="total budget, USD m",
            ylabel="portfolio value",
            marker=(front.chosen_budget_total, front.chosen_value),
        ),
        "equity": plots.frontier_chart(
            [_plotted(p.equity) / 1e6 for p in front.equity],
            [_plotted(p.value) for p in front.equity],
            xlabel="spending in smaller regions (PV, USD m)",
            ylabel="portfolio value",
            marker=(front.chosen_equity / 1e6, front.chosen_value),
        ),
        "core": plots.core_index_chart(
            [short(titles.get(line.project) or line.project) for line in borderline],
            [line.core_index for line in borderline],
        ),
    }


def _plotted(value: float | None) -> float:
    """A point without a portfolio is a gap in the curve (NaN is not drawn)."""
    return float("nan") if value is None else value


def render(report: BoardReport) -> str:
    env = Environment(
        loader=PackageLoader("pfund.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["m"] = lambda v: "-" if v is None else f"{v:,.1f}"
    env.filters["pct"] = lambda v: "-" if v is None else f"{v:.0%}"
    return env.get_template("board.html.j2").render(r=report)


def write_report(report: BoardReport, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "index.html"
    path.write_text(render(report), encoding="utf-8")
    return path
