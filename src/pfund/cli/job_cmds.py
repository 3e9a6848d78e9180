"""``pfund worker`` and ``pfund jobs list|show|cancel|files|prune``: the queue of long work.

``pfund worker`` runs queued jobs from the store until SIGTERM or Ctrl-C (the jobs it
is running go on to their end first); any number may run, on any machine that reaches
the database. ``--once`` works through the jobs waiting now, then exits. Every worker
also removes the files of jobs that ended over ``job_file_days`` days ago, hourly.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import (
    JsonOption,
    console,
    handled,
    print_json,
    runtime,
    settings_of,
)
from pfund.domain.jobs import Job, JobState
from pfund.errors import InvalidInput, Problem
from pfund.reports import jobs as report_jobs
from pfund.services import job_files, jobs
from pfund.services.job_worker import Worker
from pfund.web.counts import COUNTS, counted, plural

REPORT_KIND = report_jobs.KIND  # importing it registers the board report's job kind

app = typer.Typer(
    help="Read and cancel queued and running jobs; remove ended jobs' files.", no_args_is_help=True
)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
QueueOption = typer.Option(
    False,
    "--queue",
    help="Queue the work for 'pfund worker' processes and print the job's id, "
    "instead of running it here.",
)


def queue_job(
    ctx: typer.Context,
    kind: str,
    values: dict[str, object],
    *,
    files: tuple[Path | None, ...] = (),
    as_json: bool = False,
) -> None:
    """Queue ``kind`` for the workers; a file option is refused, as a worker on another
    machine could not read it (the store's own policy and criteria are used)."""
    with handled():
        if any(f is not None for f in files):
            raise InvalidInput(
                "--queue runs the work on a worker, which cannot read files of this machine",
                [Problem("leave out the file options, or run without --queue")],
            )
    settings = settings_of(ctx)
    given = {k: v for k, v in values.items() if v is not None}
    with runtime(ctx) as rt:
        job = jobs.enqueue(rt, kind, given, max_attempts=settings.job_max_attempts)
    _queued(job, as_json)


def queue_import_file(
    ctx: typer.Context,
    kind: str,
    file: Path,
    *,
    allow_cost_changes: bool = False,
    as_json: bool = False,
) -> None:
    """Store ``file`` in the database and queue its import: a worker on any machine
    imports it all or nothing."""
    settings = settings_of(ctx)
    with handled():
        if not file.is_file():
            raise InvalidInput(f"cannot read '{file}'", [Problem("no such file", file=str(file))])
    with runtime(ctx) as rt:
        job = job_files.queue_import(
            rt,
            kind,
            file.name,
            file.read_bytes(),
            allow_cost_changes=allow_cost_changes,
            max_attempts=settings.job_max_attempts,
        )
    _queued(job, as_json)


def _queued(job: Job, as_json: bool) -> None:
    if as_json:
        print_json(job)
    else:
        console.print(
            f"Queued job {job.id} ({job.kind}); follow it with `pfund jobs show {job.id}`.",
            highlight=False,
        )


def worker_cmd(
    ctx: typer.Context,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=64, help="Jobs run at once.")
    ] = 1,
    once: Annotated[
        bool, typer.Option("--once", help="Run the jobs waiting now, then exit.")
    ] = False,
) -> None:
    """Run queued jobs (appraisals, portfolio runs, frontiers...) from the store."""
    settings = settings_of(ctx)
    with runtime(ctx) as rt:
        worker = Worker(
            rt,
            lease_seconds=settings.job_lease_seconds,
            poll_seconds=settings.job_poll_seconds,
            concurrency=concurrency,
            prune_days=settings.job_file_days,
        )
        before = {s: signal.signal(s, lambda *_: worker.stop()) for s in STOP_SIGNALS}
        console.print(f"Worker {worker.name} waiting for jobs.", highlight=False)
        try:
            ran = worker.run(drain=once)
        finally:  # a caller in the same process (a test, the tour) gets its own back
            for sig, handler in before.items():
                signal.signal(sig, handler)
    console.print(
        f"Worker {worker.name} stopped after {plural(ran, 'job', 'jobs')}.", highlight=False
    )


def _row(job: Job) -> tuple[str, ...]:
    return (
        job.id,
        job.kind,
        job.state.value,
        f"{job.progress:.0%}",
        f"{job.attempts}/{job.max_attempts}",
        job.actor,
        job.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        _result(job),
    )


def _result(job: Job) -> str:
    """A job's result or error in words. An import stores "N kind", the kind being the
    name of a count (``web.counts.COUNTS``) that the job's page words in the reader's
    language; here it is worded in English, in the singular for one."""
    if job.kind == "import" and job.result:
        number, _, kind = job.result.partition(" ")
        if number.isdigit() and kind in COUNTS:
            return counted(int(number), kind)
    return job.result or job.error or ""


@app.command("start")
def start_cmd(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Argument(
            help="appraisal, portfolio, frontier, robust, screening, report or probe "
            "(an import: `pfund import KIND FILE --queue`)."
        ),
    ],
    parameters: Annotated[
        list[str] | None,
        typer.Option("--set", help="A parameter as NAME=VALUE (JSON value or text); repeat."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Queue a job for the workers (``pfund worker``) and print its id."""
    values = dict(_parameter(p) for p in parameters or [])
    queue_job(ctx, kind, values, as_json=as_json)


def _parameter(text: str) -> tuple[str, object]:
    name, _, value = text.partition("=")
    try:
        return name.strip(), json.loads(value)
    except json.JSONDecodeError:
        return name.strip(), value


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    state: Annotated[JobState | None, typer.Option(help="Only jobs in this state.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Show the last N jobs.")] = 50,
    as_json: bool = JsonOption,
) -> None:
    """The latest jobs, newest first."""
    with runtime(ctx) as rt:
        found = jobs.list_jobs(rt, state=state, limit=limit)
    if as_json:
        print_json(found)
        return
    table = Table("id", "kind", "state", "progress", "attempts", "by", "queued (UTC)", "result")
    for job in found:
        table.add_row(*_row(job))
    console.print(table)


@app.command("show")
def show_cmd(ctx: typer.Context, job_id: str, as_json: bool = JsonOption) -> None:
    """One job: its state, progress, worker, result or error."""
    with runtime(ctx) as rt:
        job = jobs.get_job(rt, job_id)
    if as_json:
        print_json(job)
        return
    for name, value in job.model_dump().items():
        console.print(f"{name}: {value}", highlight=False, markup=False)


@app.command("cancel")
def cancel_cmd(ctx: typer.Context, job_id: str, as_json: bool = JsonOption) -> None:
    """Cancel a queued job, or ask a running one to stop at its next step."""
    with runtime(ctx) as rt:
        job = jobs.cancel(rt, job_id)
    if as_json:
        print_json(job)
    elif job.state is JobState.CANCELLED:
        console.print(f"Job {job.id} cancelled.", highlight=False)
    else:
        console.print(f"Job {job.id} will stop at its next step.", highlight=False)


@app.command("files")
def files_cmd(
    ctx: typer.Context,
    job_id: str,
    directory: Annotated[
        Path | None,
        typer.Argument(help="Folder to write the job's files into (default: only list them)."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """The files a job built (a board report), listed or written into a folder."""
    with runtime(ctx) as rt:
        jobs.get_job(rt, job_id)
        found = job_files.results_of(rt, job_id)
        written = []
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            for file in found:
                _, content = job_files.result_file(rt, job_id, file.name)
                (directory / file.name).write_bytes(content)
                written.append(str(directory / file.name))
    if as_json:
        print_json({"files": found, "written": written})
        return
    for file in found:
        console.print(f"{file.name}  {file.size:,} bytes  {file.media_type}", highlight=False)
    if written:
        console.print(f"Wrote {', '.join(written)}.", highlight=False)
    elif not found:
        console.print(f"Job {job_id} has built no files (yet).", highlight=False)


@app.command("prune")
def prune_cmd(
    ctx: typer.Context,
    older_than: Annotated[
        int | None,
        typer.Option(
            "--older-than",
            min=0,
            metavar="DAYS",
            help="Remove the files of jobs that ended more than DAYS days ago "
            "(default: the job_file_days setting, PFUND_JOB_FILE_DAYS).",
        ),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Remove the files of ended jobs (built reports, uploads never imported); the jobs
    stay. 'pfund worker' does this every hour by itself."""
    days = settings_of(ctx).job_file_days if older_than is None else older_than
    with runtime(ctx) as rt:
        pruned = job_files.prune(rt, older_than_days=days)
    if as_json:
        print_json(pruned)
        return
    console.print(
        f"Removed {pruned.files} files ({pruned.bytes:,} bytes) of {pruned.jobs} jobs "
        f"that ended before {pruned.before:%Y-%m-%d %H:%M} UTC.",
        highlight=False,
    )
