"""``pfund appraise`` and ``pfund portfolio ...``: value the pipeline, choose, explain."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import (
    JsonOption,
    console,
    err_console,
    print_json,
    progress_bar,
    runtime,
    working,
)
from pfund.cli.job_cmds import QueueOption, queue_job
from pfund.reports.scale import ROBUST_DRAWS
from pfund.services.analysis import explain, frontier, robustness
from pfund.services.appraisal import (
    appraise_pipeline,
    current_appraisal,
    load_inputs,
    record_appraisal,
)
from pfund.services.learning import BiasRecord
from pfund.services.portfolio import PortfolioReport, rerun, run_portfolio

app = typer.Typer(help="Choose, explain and test the portfolio.", no_args_is_help=True)

PolicyOpt = Annotated[
    Path | None, typer.Option("--policy", help="Portfolio policy file (default: the fund's).")
]
BudgetOpt = Annotated[
    Path | None,
    typer.Option(
        "--budget-file", help="Budgets by year (CSV year,budget or YAML), replacing the policy's."
    ),
]
CriteriaOpt = Annotated[
    Path | None, typer.Option("--criteria", help="Criteria and weights file (default: the fund's).")
]
RunOpt = Annotated[
    str | None,
    typer.Option("--run", help="A portfolio run id (default: the newest that holds a portfolio)."),
]
BiasOpt = Annotated[
    str | None,
    typer.Option(
        "--optimism-bias",
        help="auto (Green Book prior until an area has 10 finished projects, then blended "
        "with the fund's history), green-book, history or off; default: the policy's (auto).",
    ),
]
RecordOpt = Annotated[
    bool,
    typer.Option(
        "--record", help="Store the result as a decision record of its own (else nothing)."
    ),
]
EachLimitOpt = Annotated[
    float,
    typer.Option(
        "--time-limit",
        min=0.1,
        max=600,
        help="Seconds the solver may take for each re-optimisation (as queued jobs allow).",
    ),
]
TotalTimeOpt = Annotated[
    float | None,
    typer.Option(
        "--total-time",
        min=0.0,
        help="Seconds for the whole batch of re-optimisations (default: --time-limit times "
        "their number); those it leaves no time for are not solved and are counted.",
    ),
]


def register(root: typer.Typer) -> None:
    root.command("appraise")(appraise_cmd)
    root.add_typer(app, name="portfolio")


def appraise_cmd(
    ctx: typer.Context,
    policy: PolicyOpt = None,
    criteria: CriteriaOpt = None,
    top: Annotated[int, typer.Option(help="Rows to print (all with --json).")] = 25,
    optimism_bias: BiasOpt = None,
    queue: bool = QueueOption,
    as_json: bool = JsonOption,
) -> None:
    """Cost-benefit, Monte Carlo and multi-criteria value of every active project."""
    if queue:
        values: dict[str, object] = {"optimism_bias": optimism_bias}
        queue_job(ctx, "appraisal", values, files=(policy, criteria), as_json=as_json)
        return
    with runtime(ctx) as rt:
        with working("Appraising the pipeline...", quiet=as_json):
            inputs = load_inputs(
                rt, policy_file=policy, criteria_file=criteria, optimism_bias=optimism_bias
            )
            pa = appraise_pipeline(inputs)
        report = record_appraisal(rt, inputs, pa)
    if as_json:
        print_json(report)
        return
    table = Table(
        "id",
        "area",
        "NPV (m)",
        "BCR",
        "ERR",
        "P(NPV>0)",
        f"P(ERR≥{report.hurdle:.0%})",
        "value",
        title=f"Appraisal {report.record_id}: {report.draws} draws, seed {report.seed}, "
        f"discount rate {report.discount_rate:.1%}",
    )
    for line in report.lines[:top]:
        err = f"{line.err:.1%}" if line.err is not None else line.err_status
        bcr = f"{line.bcr:.2f}" if line.bcr is not None else "-"
        table.add_row(
            line.id,
            line.area,
            f"{line.npv / 1e6:,.1f}",
            bcr,
            err,
            f"{line.p_npv_positive:.0%}",
            f"{line.p_err_hurdle:.0%}",
            f"{line.value:.3f}",
        )
    console.print(table)
    console.print(
        f"{len(report.lines)} projects; criteria {', '.join(report.criteria)} "
        f"weighted {', '.join(f'{w:.2f}' for w in report.weights)}."
    )
    console.print(bias_line(report.optimism_bias))


def bias_line(bias: BiasRecord | None) -> str:
    """One line on the optimism-bias uplift the appraisal used."""
    if bias is None:
        return "Optimism bias: off (costs and benefits as proposed)."
    parts = [
        f"{a.area} {a.cost_uplift - 1:+.0%} "
        + (
            f"(Green Book, {a.project_type})"
            if a.source == "green_book"
            else f"(history n={a.count})"
        )
        for a in bias.areas
    ]
    return f"Optimism bias ({bias.mode}, {bias.finished} finished projects): " + "; ".join(parts)


@app.command("optimize")
def optimize_cmd(
    ctx: typer.Context,
    policy: PolicyOpt = None,
    budget_file: BudgetOpt = None,
    criteria: CriteriaOpt = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Seconds for the solver.")
    ] = None,
    solver: Annotated[
        str | None,
        typer.Option(
            help="highs (default), highs-core (LP-guided core start), highs-hyper "
            "(cardinality hyperplanes) or cpsat."
        ),
    ] = None,
    optimism_bias: BiasOpt = None,
    queue: bool = QueueOption,
    as_json: bool = JsonOption,
) -> None:
    """Choose the portfolio with the most value within the budgets and rules; record it.
    It reads the stored appraisal of the same inputs (`pfund appraise`) if there is one,
    else appraises the pipeline first."""
    if queue:
        values: dict[str, object] = {
            "time_limit": time_limit,
            "solver": solver,
            "optimism_bias": optimism_bias,
        }
        queue_job(ctx, "portfolio", values, files=(policy, budget_file, criteria), as_json=as_json)
        return
    with runtime(ctx) as rt, working("Appraising and optimising...", quiet=as_json):
        inputs = load_inputs(
            rt,
            policy_file=policy,
            budget_file=budget_file,
            criteria_file=criteria,
            optimism_bias=optimism_bias,
        )
        # the stored appraisal of these inputs (`pfund appraise`), else a new one
        report, _ = run_portfolio(
            rt, current_appraisal(rt, inputs), solver=solver, time_limit=time_limit
        )
    if as_json:
        print_json(report)
    else:
        print_portfolio(report)
    if report.conflict or not report.selected:
        raise typer.Exit(1)


def print_portfolio(r: PortfolioReport) -> None:
    console.rule(f"[bold]Portfolio {r.record_id}[/]  {r.status}")
    if r.conflict:
        err_console.print(f"[bold red]No portfolio satisfies every rule:[/] {r.conflict}")
        return
    console.print(r.summary)
    years = Table("year", "budget (m)", "chosen (m)", "ranking (m)", title="Money by year")
    for y in r.years:
        years.add_row(str(y.year), f"{y.budget:,.1f}", f"{y.used:,.1f}", f"{y.greedy_used:,.1f}")
    console.print(years)
    areas = Table("area", "projects", "cost (m)", "share", title="Chosen projects by area")
    for a in r.areas:
        areas.add_row(a.area, str(a.projects), f"{a.cost:,.1f}", f"{a.share:.1%}")
    console.print(areas)
    console.print(f"{len(r.selected)} projects chosen: {', '.join(r.selected)}")
    for stated in r.conversions:
        console.print(f"Converted into the fund's currency: {stated}", highlight=False)
    console.print(
        f"Solver {r.solver}; inputs hash {r.inputs_hash[:16]}. "
        f"Reproduce with `pfund portfolio rerun {r.record_id}`."
    )


@app.command("rerun")
def rerun_cmd(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(help="The run to reproduce, e.g. OPT-0001.")],
    as_json: bool = JsonOption,
) -> None:
    """Solve a recorded run again from its stored inputs; exit 1 unless identical."""
    with runtime(ctx) as rt, working(f"Re-solving {run_id}...", quiet=as_json):
        report = rerun(rt, run_id)
    if as_json:
        print_json(report)
    elif report.reproduced:
        console.print(
            f"{run_id} reproduced exactly: the same {len(report.differences) or 'selection'} "
            f"and objective {report.objective_now}; inputs match their hash."
        )
    else:
        err_console.print(
            f"{run_id} NOT reproduced: inputs hash ok: {report.inputs_hash_matches}; "
            f"selection differs in {report.differences}; objective "
            f"{report.objective_recorded} then, {report.objective_now} now."
        )
    if not report.reproduced:
        raise typer.Exit(1)


@app.command("explain")
def explain_cmd(
    ctx: typer.Context,
    project: Annotated[list[str] | None, typer.Argument(help="Project ids (default: all).")] = None,
    run: RunOpt = None,
    as_json: bool = JsonOption,
) -> None:
    """Why each project is in or out, and the value lost if forced the other way."""
    with runtime(ctx) as rt, progress_bar("Explaining", quiet=as_json) as bar:
        run_id, lines = explain(rt, record_id=run, projects=project, progress=bar)
    if as_json:
        print_json({"run": run_id, "explanations": lines})
        return
    for line in lines:
        mark = "[green]IN [/]" if line.selected else "[red]OUT[/]"
        console.print(f"{mark} {line.sentence}")
        for b in line.binding:
            console.print(f"     - {b}", markup=False)


@app.command("frontier")
def frontier_cmd(
    ctx: typer.Context,
    run: RunOpt = None,
    points: Annotated[int, typer.Option(help="Points on the budget frontier (at least 30).")] = 31,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Also write the frontiers as a page of SVG plots (.html)."),
    ] = None,
    time_limit: EachLimitOpt = 5.0,
    total_time: TotalTimeOpt = None,
    record: RecordOpt = False,
    as_json: bool = JsonOption,
) -> None:
    """Value against total budget, and value against regional equity."""
    with runtime(ctx) as rt, progress_bar("Tracing the frontier", quiet=as_json) as bar:
        report = frontier(
            rt,
            record_id=run,
            points=points,
            time_limit=time_limit,
            progress=bar,
            record=record,
            total_time=total_time,
        )
    if plot is not None:
        from pfund.reports.plots import frontier_svg  # here: matplotlib takes a second

        plot.write_text(frontier_svg(report), encoding="utf-8")
    if as_json:
        print_json(report)
        return
    title = f"Budget frontier of {report.portfolio_run}" + (
        f" (recorded as {report.record_id})" if report.record_id else ""
    )
    table = Table("budget (m)", "value", "cost (m)", "status", title=title)
    for p in report.budget:
        if p.value is None or p.cost is None:
            table.add_row(f"{p.budget_total:,.0f}", p.answer, "", p.status)
        else:
            table.add_row(f"{p.budget_total:,.0f}", f"{p.value:.3f}", f"{p.cost:,.0f}", p.status)
    console.print(table)
    console.print(f"Value against regional equity: {len(report.equity)} non-dominated portfolios.")
    if report.partial:
        console.print(
            f"The batch's {report.total_time:g} s ran out: {report.unsolved} budget(s) not "
            "solved (the previous budget's portfolio stands in), the equity curve may be short."
        )


@app.command("robust")
def robust_cmd(
    ctx: typer.Context,
    run: RunOpt = None,
    draws: Annotated[
        int, typer.Option(help="Monte Carlo value draws to re-optimise for.")
    ] = ROBUST_DRAWS,
    weight_sets: Annotated[
        int, typer.Option(help="Weight vectors sampled within what is known.")
    ] = 100,
    policy: PolicyOpt = None,
    criteria: CriteriaOpt = None,
    time_limit: EachLimitOpt = 5.0,
    total_time: TotalTimeOpt = None,
    record: RecordOpt = False,
    as_json: bool = JsonOption,
) -> None:
    """Core index: how often each project is in an optimal portfolio as values vary."""
    with runtime(ctx) as rt:
        with working("Appraising...", quiet=as_json):
            # the stored appraisal of these inputs (`pfund appraise`), else a new one
            inputs = load_inputs(rt, policy_file=policy, criteria_file=criteria)
            pa = current_appraisal(rt, inputs, draws=draws)
        with progress_bar("Re-optimising", quiet=as_json) as bar:
            report = robustness(
                rt,
                pa,
                record_id=run,
                draws=draws,
                weight_sets=weight_sets,
                time_limit=time_limit,
                progress=bar,
                record=record,
                total_time=total_time,
            )
    if as_json:
        print_json(report)
        return
    table = Table(
        "project",
        "core index",
        "class",
        "chosen",
        title=f"Robustness of {report.portfolio_run}: {report.re_optimisations} re-optimisations"
        + (f" (recorded as {report.record_id})" if report.record_id else "")
        + (f", values of appraisal {report.appraisal_record}" if report.appraisal_record else ""),
    )
    for line in report.lines:
        table.add_row(
            line.project, f"{line.core_index:.2f}", line.robustness, "yes" if line.selected else ""
        )
    console.print(table)
    if report.partial:
        console.print(
            f"The batch's {report.total_time:g} s ran out: {report.unsolved} of "
            f"{report.re_optimisations} re-optimisations not solved; the indices rest on the rest."
        )
