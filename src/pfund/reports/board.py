"""The board report: one self-contained HTML file a board member reads in ten minutes,
in English (``index.html``) and in Russian (``index.ru.html``) for the joint committee.

Everything in it comes from decision records (the portfolio run, its frontier and
robustness runs) and the stored appraisal of the current inputs (or, with none, a
re-appraisal with the policy's seed), so each number can be traced to the run that
produced it. Plots are inline SVG; no asset is fetched from anywhere.
``build_report`` gathers the figures once, in no language (names carry their ``_ru``
twins); ``render`` writes them in one language, charts included, so the two files can
differ only in words and notation.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from math import isfinite
from pathlib import Path

import numpy as np
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel

from pfund import __version__
from pfund.domain import Project
from pfund.io.dataset import load_dataset
from pfund.portfolio import PortfolioProblem
from pfund.reports import plots
from pfund.reports.funding import (
    MoneyPages,
    build_money_pages,
    money_charts,
    scenario_name,
    verifier_words,
)
from pfund.reports.language import Words
from pfund.reports.learning import MODE_WORDS, TYPE_WORDS, LearningSection, build_learning
from pfund.reports.scale import (
    EXPLAIN_EACH,
    SOLVE_SECONDS,
    ReportScale,
    explained,
    report_scale,
)
from pfund.reports.why import Reason, sentence
from pfund.services.analysis import (
    ExplanationLine,
    FrontierReport,
    RobustReport,
    explain,
    frontier,
    robustness,
)
from pfund.services.appraisal import (
    AppraisalLine,
    PipelineAppraisal,
    appraise_pipeline,
    draw_picks,
    report_of,
)
from pfund.services.committee_decide import PublicDecision, public_decisions
from pfund.services.learning import history_by_area
from pfund.services.names import Name, area_names, short
from pfund.services.portfolio import PortfolioReport, report_of_record
from pfund.services.problem_json import problem_from_json
from pfund.services.records import get_answering_record
from pfund.services.runtime import Runtime
from pfund.web.i18n import LANGUAGES, translations

PER_MILLION = 1e6  # the engine reads value per million of cost
FILES = {"en": "index.html", "ru": "index.ru.html"}  # English keeps the report's old name
CSV = "projects.csv"  # every project of a run too large to explain in full (``capped``)
CSV_COLUMNS = (
    "id", "title", "title_ru", "area", "stage", "cost_m", "npv_m", "p_npv_positive",
    "value", "value_per_million", "core_index", "robustness", "chosen", "explained",
)  # fmt: skip


class ProjectRow(BaseModel):
    """A project of the run; NPV and P(NPV>0) are None for a project the pipeline no
    longer holds (the run recorded its value and cost, not its appraisal)."""

    id: str
    title: str
    title_ru: str = ""
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
    reason: Reason = Reason(code="")


@dataclass(frozen=True)
class BoardReport:
    """The figures of the report, in no language: ``render`` writes them in one."""

    fund: Name
    currency: str
    generated: datetime
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
    version: str
    money: MoneyPages
    areas: dict[str, Name] = field(default_factory=dict)  # area names by code
    max_stage: int = 0  # the highest stage the run's rules had unlocked
    marginal: float = float("nan")  # value per million of the weakest chosen project
    learning: LearningSection | None = None  # optimism bias: prior used, how it moved
    # The joint committee's decisions on this run, with the cost of any departure.
    committee: list[PublicDecision] = field(default_factory=list)
    # Each project currency the run converted into the fund's: base, rate and its day.
    conversions: list[dict[str, str]] = field(default_factory=list)
    # Each project financed by a loan or backed by a guarantee: its face value and what
    # the run's budget counted (the grant-equivalent, the expected cost), in millions.
    instruments: list[dict[str, str]] = field(default_factory=list)
    # What the report worked out for a run of this size (pfund.reports.scale): the
    # appendix explains ``rows`` (all the run's projects, or those nearest the line).
    scale: ReportScale | None = None
    explained: frozenset[str] | None = None  # the projects explained; None: every one
    # The stored appraisal (its decision record) the figures were read from; None: the
    # pipeline was appraised again for the report (no stored appraisal of its inputs).
    appraisal_record: str | None = None

    @property
    def capped(self) -> bool:
        """Whether the appendix explains fewer projects than the run holds."""
        return self.explained is not None and len(self.explained) < len(self.rows)

    @property
    def appendix(self) -> list[ProjectRow]:
        """The rows the appendix shows: the explained projects, chosen first."""
        if self.explained is None:
            return self.rows
        return [row for row in self.rows if row.id in self.explained]

    @property
    def explained_chosen(self) -> int:
        return sum(1 for row in self.appendix if row.chosen)


def build_report(
    rt: Runtime,
    pa: PipelineAppraisal,
    *,
    run_id: str | None = None,
    explain_each: int = EXPLAIN_EACH,
    robust_draws: int | None = None,
    robust_weights: int | None = None,
) -> BoardReport:
    """The report of the named run (default: the newest that holds a portfolio).

    Built from the run's record, whatever has changed since: the portfolio, frontier and
    explanations come from its recorded problem; the current appraisal ``pa`` (read from
    its record by ``current_appraisal``, or a new one) only fills in each project's
    NPV and the value draws of the robustness analysis. Writing it stores
    nothing (no frontier, robustness or scenario record).

    How much it works out follows the run's size (``pfund.reports.scale``): a small
    run's report explains every project with 40 + 40 re-optimisations and 31 budgets; a
    large one explains the ``explain_each`` chosen and rejected projects nearest the
    line, with fewer re-optimisations and budgets, and says so. ``robust_draws`` and
    ``robust_weights`` override the scale's (tests keep them small).
    """
    record = get_answering_record(rt, run_id)
    portfolio = report_of_record(record)
    problem = problem_from_json(record.inputs["problem"])
    scale = report_scale(problem.n, explain_each)
    scale = replace(
        scale,
        robust_draws=scale.robust_draws if robust_draws is None else robust_draws,
        robust_weights=scale.robust_weights if robust_weights is None else robust_weights,
    )
    if pa.value_mode != "score" and not pa.serves(
        draw_picks(pa.simulation.draws, scale.robust_draws)
    ):  # a stored appraisal kept other draws than these: appraise again, and say so
        pa = appraise_pipeline(pa.inputs)
    front = frontier(
        rt,
        record_id=record.id,
        points=scale.frontier_points,
        equity_points=scale.equity_points,
        time_limit=SOLVE_SECONDS,
    )
    robust = robustness(
        rt,
        pa,
        record_id=record.id,
        draws=scale.robust_draws,
        weight_sets=scale.robust_weights,
        time_limit=SOLVE_SECONDS,
    )
    chosen = set(portfolio.selected)
    selected = np.array([pid in chosen for pid in problem.ids], dtype=bool)
    shown = [problem.ids[i] for i in explained(problem, selected, scale.explain_each)]
    _, why = explain(rt, record_id=record.id, projects=shown, resolve=False)
    appraisal = report_of(pa)
    rows = _rows(problem, pa.inputs.projects, appraisal.lines, robust, why, portfolio)
    return BoardReport(
        fund=_fund_name(rt, appraisal.fund),
        currency=appraisal.currency,
        generated=datetime.now(UTC).replace(second=0, microsecond=0),
        portfolio=portfolio,
        frontier=front,
        robust=robust,
        rows=rows,
        budget_total=sum(y.budget for y in portfolio.years),
        criteria=list(zip(appraisal.criteria, appraisal.weights, strict=True)),
        draws=appraisal.draws,
        seed=appraisal.seed,
        discount_rate=appraisal.discount_rate,
        hurdle=problem.hurdle if problem.hurdle is not None else appraisal.hurdle,
        version=__version__,
        money=build_money_pages(rt, pa, time_limit=scale.scenario_seconds),
        areas=area_names(rt),
        max_stage=problem.max_stage if problem.max_stage is not None else 0,
        marginal=_marginal(why),
        learning=build_learning(
            pa, portfolio, record.parameters.get("optimism_bias"), history_by_area(rt)
        ),
        committee=[d for d in public_decisions(rt) if d.run_id == record.id],
        conversions=[
            {"base": base, "rate": str(c["rate"]), "day": str(c["date"])}
            for base, c in sorted(record.parameters.get("conversions", {}).items())
        ],
        instruments=[
            {
                "project": pid,
                "kind": str(i["kind"]),
                "face": f"{float(i['face']) / 1e6:,.2f}",
                "cost": f"{float(i['cost_to_fund']) / 1e6:,.2f}",
            }
            for pid, i in sorted(record.parameters.get("instruments", {}).items())
        ],
        scale=scale,
        explained=frozenset(shown),
        appraisal_record=pa.record_id,
    )


def _fund_name(rt: Runtime, english: str) -> Name:
    """The fund's name in both languages (the data set's ``name_ru`` beside the name)."""
    definition = load_dataset(rt.dataset).fund
    return Name(code=definition.code, name=english, name_ru=definition.name_ru)


def _marginal(why: list[ExplanationLine]) -> float:
    """Value per million of cost of the weakest freely chosen project, the figure a
    dominated project's sentence compares itself with."""
    free = [w.value_per_cost for w in why if w.reason == "chosen" and isfinite(w.value_per_cost)]
    return min(free, default=float("nan")) * PER_MILLION


def _rows(
    problem: PortfolioProblem,
    projects: list[Project],
    lines: list[AppraisalLine],
    robust: RobustReport,
    why: list[ExplanationLine],
    portfolio: PortfolioReport,
) -> list[ProjectRow]:
    """One row per project of the run (not of today's pipeline), valued as the run was;
    a project ``why`` does not explain has no sentence (the appendix leaves it out)."""
    by_line = {line.id: line for line in lines}
    by_id = {p.id: p for p in projects}
    core = {line.project: line for line in robust.lines}
    reasons = {w.project: w for w in why}
    chosen = set(portfolio.selected)
    out = []
    for j, pid in enumerate(problem.ids):
        p, a, c, w = by_id.get(pid), by_line.get(pid), core.get(pid), reasons.get(pid)
        stage = int(problem.stage[j]) if problem.stage is not None else 0
        out.append(
            ProjectRow(
                id=pid,
                title=p.title if p else "",
                title_ru=p.title_ru if p else "",
                area=problem.area[j] if problem.area else (p.area if p else ""),
                stage=stage,
                cost_m=float(problem.cost[j].sum()) / 1e6,
                npv_m=a.expected_npv / 1e6 if a else None,
                p_npv_positive=a.p_npv_positive if a else None,
                value=float(problem.value[j]),
                core_index=c.core_index if c else None,
                robustness=c.robustness if c else "",
                chosen=pid in chosen,
                why=w.sentence if w else "",
                reason=_reason(w, stage, None if problem.err is None else float(problem.err[j])),
            )
        )
    return sorted(out, key=lambda r: (not r.chosen, -r.value))


def _reason(line: ExplanationLine | None, stage: int, err: float | None) -> Reason:
    if line is None:
        return Reason(code="")
    return Reason(
        code=line.reason,
        related=line.related,
        per_million=line.value_per_cost * PER_MILLION,
        value_lost=line.value_lost,
        stage=stage,
        err=err,
        binding=line.binding,
    )


def _charts(r: BoardReport, w: Words) -> dict[str, str]:
    """The report's charts in the reader's language, labelled with names (areas,
    project titles), not codes."""
    p, front = r.portfolio, r.frontier
    unit = w.gettext("%(currency)s m", currency=r.currency)
    titles = {row.id: w.twin(row, "title") for row in r.rows}
    borderline = [line for line in r.robust.lines if 0 < line.core_index < 1][:30]
    curve = (
        w.gettext("best portfolio"),
        w.gettext("benefit-per-dollar ranking"),
        w.gettext("chosen"),
    )
    value = w.gettext("portfolio value")
    return {
        "areas": plots.bar_chart(
            [w.area(a.area) for a in p.areas if a.cost > 0],
            [a.cost for a in p.areas if a.cost > 0],
            xlabel=w.gettext("cost of chosen projects, %(unit)s", unit=unit),
            numbers=w.tick,
        ),
        "years": plots.years_chart(
            [y.year for y in p.years],
            budget=[y.budget for y in p.years],
            used=[y.used for y in p.years],
            greedy=[y.greedy_used for y in p.years],
            labels=(w.gettext("chosen portfolio"), curve[1], w.gettext("budget")),
            ylabel=unit,
            numbers=w.tick,
        ),
        "frontier": plots.frontier_chart(
            [x.budget_total for x in front.budget],
            [_plotted(x.value) for x in front.budget],
            xlabel=w.gettext("total budget, %(unit)s", unit=unit),
            ylabel=value,
            marker=(front.chosen_budget_total, front.chosen_value),
            labels=curve,
            numbers=w.tick,
        ),
        "equity": plots.frontier_chart(
            [_plotted(x.equity) / 1e6 for x in front.equity],
            [_plotted(x.value) for x in front.equity],
            xlabel=w.gettext("spending in smaller regions (PV, %(unit)s)", unit=unit),
            ylabel=value,
            marker=(front.chosen_equity / 1e6, front.chosen_value),
            labels=curve,
            numbers=w.tick,
        ),
        "core": plots.core_index_chart(
            [short(titles.get(line.project) or line.project) for line in borderline],
            [line.core_index for line in borderline],
            xlabel=w.gettext("share of optimal portfolios containing the project"),
            numbers=w.tick,
        ),
    }


def _plotted(value: float | None) -> float:
    """A point without a portfolio is a gap in the curve (NaN is not drawn)."""
    return float("nan") if value is None else value


@cache
def _environment(lang: str) -> Environment:
    """The report's templates with the catalog of ``lang`` installed, as the web's."""
    env = Environment(
        loader=PackageLoader("pfund.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def render(report: BoardReport, lang: str = "en") -> str:
    """The report in ``lang``: the same figures, in the reader's words and notation."""
    w = Words(lang, currency=report.currency, areas=report.areas)
    conditions = {c.code: w.twin(c, "title") for c in report.money.conditions.conditions}
    return (
        _environment(lang)
        .get_template("board.html.j2")
        .render(
            r=report,
            w=w,
            lang=lang,
            files=FILES,
            charts=_charts(report, w),
            csv_file=CSV,
            money_charts=money_charts(report.money, w),
            scenario=lambda code: scenario_name(report.money, code, w),
            verifier=lambda text: verifier_words(report.money, text, lang),
            condition=lambda code: conditions.get(code) or w.word(code),
            why=lambda row: _why(report, row, w),
            type_words=lambda kind: w.gettext(TYPE_WORDS.get(kind) or kind),
            mode_words=lambda mode: w.gettext(MODE_WORDS.get(mode) or mode),
        )
    )


def _why(report: BoardReport, row: ProjectRow, w: Words) -> str:
    """The engine's sentence for an English reader; the same sentence from the catalog
    for any other."""
    if w.lang == "en" or not row.reason.code:
        return row.why
    return sentence(
        w,
        row.id,
        row.reason,
        max_stage=report.max_stage,
        hurdle=report.hurdle,
        marginal=report.marginal,
    )


def projects_csv(report: BoardReport) -> str:
    """Every project of the run, one line each, as the appendix would show it without
    the sentence (``explained`` says whether the report explains it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    shown = report.explained
    for row in report.rows:
        per_million = row.value / row.cost_m if row.cost_m > 0 else ""
        writer.writerow(
            [
                *(row.id, row.title, row.title_ru, row.area, row.stage, row.cost_m),
                *(_blank(row.npv_m), _blank(row.p_npv_positive), row.value, per_million),
                *(_blank(row.core_index), row.robustness, int(row.chosen)),
                int(shown is None or row.id in shown),
            ]
        )
    return out.getvalue()


def _blank(x: float | None) -> float | str:
    return "" if x is None else x


def written(report: BoardReport, langs: Sequence[str]) -> list[str]:
    """The names of the files the report writes: each language's, and the CSV of every
    project when the appendix explains only those nearest the line."""
    return [FILES[lang] for lang in langs] + ([CSV] if report.capped else [])


def write_report(report: BoardReport, directory: Path, langs: Sequence[str] = LANGUAGES) -> Path:
    """Write the report in each of ``langs`` (``index.html`` in English, ``index.ru.html``
    in Russian, each linking to the other), and ``projects.csv`` when the appendix is
    capped; the path of the first is returned."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for lang in langs:
        path = directory / FILES[lang]
        path.write_text(render(report, lang), encoding="utf-8")
        paths.append(path)
    if report.capped:
        (directory / CSV).write_text(projects_csv(report), encoding="utf-8")
    return paths[0]
