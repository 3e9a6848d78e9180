"""``pfund grievances list|show|triage|decide|hold|lift|stats``: the integrity officer's work.

The same service functions as the staff pages and the API. ``show`` prints the
reporter's name and contact of a report that gave them (the command line acts with
every permission) and records that reading in the audit log, as the pages do.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import JsonOption, console, money, print_json, runtime
from pfund.domain.grievance import DECISIONS, TRIAGE, GrievanceStatus
from pfund.services import grievances
from pfund.services.grievance_stats import stats

app = typer.Typer(
    help="Grievances: triage, decide, hold and lift money, public statistics.",
    no_args_is_help=True,
)
IdArg = Annotated[str, typer.Argument(help="The grievance's id (GRV-...).")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (the reporter reads it).")]


def _words(value: str) -> str:
    return value.replace("_", " ")


@app.command("list")
def list_cmd(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Every grievance: open first, retaliation first among them, then by deadline."""
    with runtime(ctx) as rt:
        found = grievances.queue(rt)
    if as_json:
        print_json(found)
        return
    table = Table("id", "category", "against", "status", "received", "acknowledge by", "holds")
    for g in found:
        due = g.acknowledge_by.isoformat() + (" (overdue)" if g.overdue else "")
        table.add_row(
            g.id,
            _words(g.category.value),
            f"{g.subject_kind.value} {g.subject_id}".strip() or "-",
            _words(g.status.value),
            g.received_at.date().isoformat(),
            due,
            "yes" if g.holding else "-",
        )
    console.print(table)


@app.command("show")
def show(ctx: typer.Context, grievance_id: IdArg, as_json: bool = JsonOption) -> None:
    """A grievance, its history and files; the reporter's identity (audited)."""
    with runtime(ctx) as rt:
        d = grievances.detail(rt, grievance_id)
    if as_json:
        print_json(d)
        return
    g = d.grievance
    console.print(f"[bold]{g.id}[/]  {_words(g.category.value)}; {_words(g.status.value)}")
    against = f"{g.subject_kind.value} {g.subject_id}".strip() or "nothing named"
    console.print(f"Against: {against}; money held: {'yes' if g.holding else 'no'}")
    if d.held_tranches:
        console.print(f"Tranches held: {', '.join(d.held_tranches)}")
    console.print(f"Received {g.received_at:%Y-%m-%d}; acknowledge by {g.acknowledge_by}")
    if d.reporter:
        line = f"Reporter: {d.reporter.name or '-'} <{d.reporter.contact or '-'}> (audited)"
        console.print(line, highlight=False, markup=False)
    else:
        console.print("Reporter: anonymous")
    console.print(g.description, highlight=False, markup=False)
    for f in d.files:
        console.print(f"File {f.position}: {f.media_type}, {f.size} bytes, {f.sha256[:16]}")
    for e in d.events:
        status = f" {_words(e.status)}" if e.status else ""
        reason = f": {e.reason}" if e.reason else ""
        console.print(
            f"  {e.at:%Y-%m-%d} {e.kind}{status} by {e.actor}{reason}",
            highlight=False,
            markup=False,
        )


def _moved(found: grievances.Moved, as_json: bool) -> None:
    if as_json:
        print_json(found)
        return
    held = "; its money is held" if found.holding else ""
    console.print(f"{found.id}: {_words(found.status.value)}{held}")


@app.command("triage")
def triage(
    ctx: typer.Context,
    grievance_id: IdArg,
    to: Annotated[GrievanceStatus, typer.Option("--to", help="acknowledged or under_review.")],
    reason: ReasonOpt,
    as_json: bool = JsonOption,
) -> None:
    """Acknowledge a grievance, or put it under review."""
    if to not in TRIAGE:
        raise typer.BadParameter("triage moves to acknowledged or under_review", param_hint="--to")
    with runtime(ctx) as rt:
        _moved(grievances.triage(rt, grievance_id, to, reason), as_json)


@app.command("decide")
def decide(
    ctx: typer.Context,
    grievance_id: IdArg,
    to: Annotated[
        GrievanceStatus,
        typer.Option("--to", help="substantiated, not_substantiated, referred or closed."),
    ],
    reason: ReasonOpt,
    as_json: bool = JsonOption,
) -> None:
    """Decide a grievance under review (substantiated holds its money), or close it."""
    if to not in DECISIONS:
        raise typer.BadParameter(
            "decide moves to substantiated, not_substantiated, referred or closed",
            param_hint="--to",
        )
    with runtime(ctx) as rt:
        _moved(grievances.decide(rt, grievance_id, to, reason), as_json)


@app.command("hold")
def hold(
    ctx: typer.Context, grievance_id: IdArg, reason: ReasonOpt, as_json: bool = JsonOption
) -> None:
    """Hold the money of the grievance's project or counterparty (by the fund's policy)."""
    with runtime(ctx) as rt:
        _moved(grievances.hold(rt, grievance_id, reason), as_json)


@app.command("lift")
def lift(
    ctx: typer.Context, grievance_id: IdArg, reason: ReasonOpt, as_json: bool = JsonOption
) -> None:
    """Lift a grievance's hold: an audited decision that frees the money."""
    with runtime(ctx) as rt:
        _moved(grievances.lift(rt, grievance_id, reason), as_json)


@app.command("stats")
def stats_cmd(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """The public statistics by quarter (small counts shown as fewer than N)."""
    with runtime(ctx) as rt:
        found = stats(rt)
    if as_json:
        print_json(found)
        return
    below = found.suppress_below

    def cell(n: int | None) -> str:
        return f"<{below}" if n is None else str(n)

    table = Table(
        "quarter",
        "received",
        "retaliation",
        "days to ack.",
        "days to decide",
        "substantiated",
        "money held",
    )
    for q in found.quarters:
        share = "-" if q.share_substantiated is None else f"{q.share_substantiated:.0%}"
        table.add_row(
            q.quarter,
            cell(q.received),
            cell(q.by_category.get("retaliation")),
            "-" if q.days_to_acknowledge is None else str(q.days_to_acknowledge),
            "-" if q.days_to_decide is None else str(q.days_to_decide),
            share,
            money(q.money_held, q.currency),
        )
    console.print(table)
