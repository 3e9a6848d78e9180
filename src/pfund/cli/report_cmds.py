"""``pfund report DIR``: write the board report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pfund.cli.common import JsonOption, console, print_json, runtime, working
from pfund.reports.board import build_report, write_report
from pfund.services.appraisal import appraise_pipeline, load_inputs


def register(app: typer.Typer) -> None:
    app.command("report")(report_cmd)


def report_cmd(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Folder to write index.html into.")],
    run: Annotated[
        str | None, typer.Option("--run", help="Portfolio run (default: newest).")
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Write the self-contained HTML board report of a portfolio run."""
    with runtime(ctx) as rt, working("Building the board report...", quiet=as_json):
        pa = appraise_pipeline(load_inputs(rt))
        path = write_report(build_report(rt, pa, run_id=run), directory)
    if as_json:
        print_json({"report": str(path)})
    else:
        console.print(f"Wrote the board report to {path}.")
