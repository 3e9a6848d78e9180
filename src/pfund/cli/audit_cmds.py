"""``pfund audit verify|head|seal|log``: is the record intact, and what happened."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import JsonOption, console, err_console, handled, print_json, runtime
from pfund.errors import InvalidInput, Problem
from pfund.services.audit import parse_head, published_head, seal, verify
from pfund.services.audit_checks import record_verification

app = typer.Typer(help="Verify and read the audit log.", no_args_is_help=True)


@app.command("verify")
def verify_cmd(
    ctx: typer.Context,
    head: Annotated[
        str | None,
        typer.Option(
            "--head",
            help="A head published earlier (SEQ:HASH, from the portal footer, the "
            "audit-head open dataset or `pfund audit head`), or a file holding one: "
            "check it is still in the chain.",
        ),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Check the keyed hash chain and every money, tranche, condition, screening and
    project row; exits 1 and names each event or row that was changed, removed or added."""
    with handled():
        try:
            earlier = parse_head(_head_text(head)) if head is not None else None
        except ValueError as err:
            raise InvalidInput(
                str(err), [Problem("give SEQ:HASH as published", field="--head")]
            ) from None
    with runtime(ctx) as rt:
        with rt.uow() as uow:
            report = verify(uow, earlier_head=earlier)
        record_verification(rt, report)  # for the metrics: when, and whether intact
    if as_json:
        print_json(report)
    elif report.intact:
        console.print(
            f"Audit log intact: {report.events} events, keyed hash chain verified; "
            f"{report.rows_checked} rows match the states the log recorded."
        )
        if report.earlier_head is not None:
            console.print(f"The published head {report.earlier_head} is in the chain.")
    else:
        err_console.print(f"[bold red]Audit log broken[/] ({report.events} events):")
        for b in report.breaks:
            err_console.print(f"  - event {b.seq}: {b.kind}: {b.detail}", markup=False)
        for r in report.row_breaks:
            err_console.print(f"  - {r.kind}: {r.detail}", markup=False)
    if not report.intact:
        raise typer.Exit(1)


def _head_text(head: str) -> str:
    """The head as given, or read from the file it names (as `pfund audit head FILE` wrote)."""
    if ":" not in head and Path(head).is_file():
        return Path(head).read_text(encoding="utf-8").strip()
    return head


@app.command("head")
def head_cmd(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="Also write SEQ:HASH to this file, to keep apart.")
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """The chain's head now (SEQ:HASH): keep it outside, check it later with --head."""
    with runtime(ctx) as rt, rt.uow() as uow:
        head = published_head(uow)
    text = f"{head.seq}:{head.hash}"
    if file is not None:
        file.write_text(text + "\n", encoding="utf-8")
    if as_json:
        print_json(head)
    else:
        console.print(text, highlight=False, soft_wrap=True)


@app.command("seal")
def seal_cmd(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Vouch with this installation's audit key for events written before the chain was
    keyed (once, after upgrading): checks the old chain, then records every row's state."""
    with runtime(ctx) as rt:
        report = seal(rt)
    if as_json:
        print_json(report)
        return
    console.print(
        f"Sealed {report.legacy_events} earlier events (head {report.legacy_head[:12]}...) and "
        f"the state of {report.rows} rows with the audit key: event {report.seq}, "
        f"head {report.seq}:{report.hash}."
    )


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
