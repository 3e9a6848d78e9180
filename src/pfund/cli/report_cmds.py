"""``pfund report DIR``: write the board report."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pfund.cli.common import JsonOption, console, handled, print_json, runtime, working
from pfund.cli.job_cmds import REPORT_KIND, QueueOption, queue_job
from pfund.errors import InvalidInput, Problem
from pfund.reports.scale import EXPLAIN_EACH
from pfund.services.appraisal import PipelineAppraisal, current_appraisal, load_inputs
from pfund.services.runtime import Runtime


class Lang(StrEnum):
    """Which files to write: the English report, the Russian one, or both."""

    EN = "en"
    RU = "ru"
    BOTH = "both"


def register(app: typer.Typer) -> None:
    app.command("report")(report_cmd)


def report_cmd(
    ctx: typer.Context,
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="Folder to write index.html (English) and index.ru.html into "
            "(with --queue, none: the files stay with the job)."
        ),
    ] = None,
    run: Annotated[
        str | None, typer.Option("--run", help="Portfolio run (default: newest).")
    ] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the report.")] = Lang.BOTH,
    optimism_bias: Annotated[
        str | None,
        typer.Option(
            "--optimism-bias",
            help="auto, green-book, history or off for the re-appraisal (default: the policy's).",
        ),
    ] = None,
    explain: Annotated[
        int,
        typer.Option(
            "--explain",
            min=1,
            help="Above twice this many projects, explain this many chosen and this many "
            "rejected projects nearest the line (the rest go to projects.csv).",
        ),
    ] = EXPLAIN_EACH,
    as_json: bool = JsonOption,
    queue: bool = QueueOption,
) -> None:
    """Write the self-contained HTML board report of a portfolio run, in English and
    Russian (each file links to the other). It reads the stored appraisal of the
    current inputs (`pfund appraise`) and says which; with none it appraises again.
    With --queue a worker builds it and the store keeps it: `pfund jobs files JOB DIR`,
    or the job's staff page, gives it."""
    if queue:
        values: dict[str, object] = {"run": run, "lang": lang.value, "optimism_bias": optimism_bias}
        queue_job(ctx, REPORT_KIND, values, files=(directory,), as_json=as_json)
        return
    with handled():
        if directory is None:
            raise InvalidInput(
                "the report needs a folder", [Problem("give DIRECTORY, or use --queue")]
            )
    langs = ("en", "ru") if lang is Lang.BOTH else (lang.value,)
    with runtime(ctx) as rt, working("Building the board report...", quiet=as_json):
        pa = current_appraisal(rt, load_inputs(rt, optimism_bias=optimism_bias))
        files = [str(path) for path in write_board(rt, pa, run, directory, langs, explain)]
    if as_json:
        print_json({"report": files[0], "files": files})
    else:
        console.print(f"Wrote the board report to {', '.join(files)}.")


def write_board(
    rt: Runtime,
    pa: PipelineAppraisal,
    run: str | None,
    directory: Path,
    langs: tuple[str, ...] = ("en", "ru"),
    explain_each: int = EXPLAIN_EACH,
) -> list[Path]:
    """Build the board report of ``run`` and write it in each of ``langs``.

    The report's words come from the pages' catalog (``pfund.web``, which loads FastAPI),
    so the report is imported here, when one is written, as ``serve`` imports the app:
    every other command starts as fast as before.
    """
    from pfund.reports.board import build_report, write_report, written

    report = build_report(rt, pa, run_id=run, explain_each=explain_each)
    write_report(report, directory, langs)
    return [directory / name for name in written(report, langs)]
