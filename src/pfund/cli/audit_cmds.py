"""``pfund audit verify|log``: is the record intact, and what happened."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import JsonOption, console, err_console, print_json, runtime
from pfund.services.audit import verify

app = typer.Typer(help="Verify and read the audit log.", no_args_is_help=True)


@app.command("verify")
def verify_cmd(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Check the hash chain; exits 1 and names each event changed, removed or reordered."""
    with runtime(ctx) as rt, rt.uow() as uow:
        report = verify(uow)
    if as_json:
        print_json(report)
    elif report.intact:
        console.print(f"Audit log intact: {report.events} events, hash chain verified.")
    else:
        err_console.print(f"[bold red]Audit log broken[/] ({report.events} events):")
        for b in report.breaks:
            err_console.print(f"  - event {b.seq}: {b.kind}: {b.detail}", markup=False)
    if not report.intact:
        raise typer.Exit(1)


@app.command("log")
def log_cmd(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="Show the last N events.")] = 20,
    record: Annotated[str | None, typer.Option(help="Only events about this record id.")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Show who did what to which record, newest last."""
    with runtime(ctx) as rt, rt.uow() as uow:
        events = uow.audit.list(record_id=record)
    events = events[-limit:] if limit > 0 else events
    if as_json:
        print_json(events)
        return
    table = Table("seq", "at (UTC)", "actor", "action", "record", "hash")
    for e in events:
        table.add_row(
            str(e.seq),
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.action,
            f"{e.record_type} {e.record_id}",
            e.hash[:12],
        )
    console.print(table)
