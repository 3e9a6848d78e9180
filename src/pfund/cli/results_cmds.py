"""``pfund results import|show|link|report|late|outturn|expost``: indicators, partners'
reports, late ones, finished projects' outturns and their ex-post appraisal."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import JsonOption, console, print_json, runtime, working
from pfund.errors import InvalidInput, Problem
from pfund.services.results import (
    ProjectResults,
    import_indicators,
    import_reports,
    issue_report_link,
    late_reports,
    project_results,
)

app = typer.Typer(
    help="Results: indicators per project, partners' reports, late reports, outturns, ex post.",
    no_args_is_help=True,
)
FileArg = Annotated[Path, typer.Argument(help="A .csv, .json or .yaml file.")]


@app.command("import")
def import_cmd(ctx: typer.Context, file: FileArg, as_json: bool = JsonOption) -> None:
    """Import indicators (each project named gets exactly the file's); all or nothing."""
    with runtime(ctx) as rt, working("Checking and importing indicators...", quiet=as_json):
        result = import_indicators(rt, file)
    if as_json:
        print_json(result)
        return
    console.print(
        f"Imported {result.imported} indicators for {len(result.projects)} projects "
        f"from {result.file}: {', '.join(result.projects)}."
    )


@app.command("show")
def show(
    ctx: typer.Context,
    project_id: Annotated[str, typer.Argument(help="The project's id.")],
    as_json: bool = JsonOption,
) -> None:
    """A project's indicators: unit, baseline, target and achieved value per period."""
    with runtime(ctx) as rt:
        results = project_results(rt, project_id)
    if as_json:
        print_json(results)
        return
    _print(results)


def _print(results: ProjectResults) -> None:
    if not results.indicators:
        console.print(f"{results.project} has no indicators yet (`pfund results import`).")
        return
    for view in results.indicators:
        i = view.indicator
        console.rule(f"[bold]{i.code}[/]  {i.name}")
        console.print(i.name_ru, markup=False)
        outcome = f"; measures predicted outcome {i.outcome}" if i.outcome else ""
        console.print(
            f"unit {i.unit}; baseline {i.baseline} on {i.baseline_date}; "
            f"regions {', '.join(i.regions) or '-'}{outcome}",
            markup=False,
        )
        if i.means_of_verification:
            console.print(f"verified by: {i.means_of_verification}", markup=False)
        table = Table("period", "target", "achieved", "report")
        for p in view.periods:
            achieved = "-" if p.achieved is None else f"{p.achieved:,}"
            table.add_row(p.period, f"{p.target:,}", achieved, p.report or "-")
        console.print(table)
    console.print(f"{len(results.indicators)} indicators.")


@app.command("link")
def link(
    ctx: typer.Context,
    project_id: Annotated[str, typer.Argument(help="The project's id.")],
    period: Annotated[str, typer.Argument(help="The period: 2030, 2030-H1 or 2030-Q3.")],
    due: Annotated[
        str | None, typer.Option(help="Due date (YYYY-MM-DD); default: period end + 45 days.")
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Issue the partner's report link for a project and period (shown once; a new link
    replaces the old one)."""
    with runtime(ctx) as rt:
        issued = issue_report_link(rt, project_id, period, due_on=_day(due, "due") if due else None)
    path = f"/report?t={issued.token}"
    if as_json:
        print_json({**issued.__dict__, "path": path})
        return
    console.print(
        f"Report {issued.report_id} due {issued.due_on}: send the partner the portal's "
        f"address followed by {path} (shown only now).",
        markup=False,
    )


@app.command("report")
def report(ctx: typer.Context, file: FileArg, as_json: bool = JsonOption) -> None:
    """Import partners' reports from CSV (project,period,indicator,value,unit[,region,note])."""
    with runtime(ctx) as rt, working("Checking and importing reports...", quiet=as_json):
        ids = import_reports(rt, file)
    if as_json:
        print_json({"file": file.name, "reports": ids})
        return
    console.print(f"Imported {len(ids)} reports from {file.name}: {', '.join(ids)}.")


@app.command("late")
def late(
    ctx: typer.Context,
    on: Annotated[str | None, typer.Option(help="As of this date (default: today).")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Reports past due and not in: requested and not sent, or never requested."""
    with runtime(ctx) as rt:
        found = late_reports(rt, today=_day(on, "on") if on else None)
    if as_json:
        print_json(found)
        return
    table = Table("project", "period", "due", "days late", "link issued")
    for item in found:
        table.add_row(
            item.project,
            item.period,
            str(item.due_on),
            str(item.days_late),
            item.report or "no",
        )
    console.print(table)
    console.print(f"{len(found)} late or missing reports.")


def _day(value: str, option: str) -> date:
    """A YYYY-MM-DD option as a date; anything else is refused naming the option."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            "bad date", [Problem(f"'{value}' is not a date as YYYY-MM-DD", field=option)]
        ) from None


def _register_learning() -> None:
    """``results outturn`` and ``results expost`` live in their own module."""
    from pfund.cli.learning_cmds import register

    register(app)


_register_learning()
