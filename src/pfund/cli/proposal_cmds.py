"""``pfund proposals list|show|ask|return|reject|accept|publish|unpublish``: intake.

The same service functions as the staff pages and the API. ``show`` prints the
proposer's contact (the command line acts with every permission) and records that
reading in the audit log, as the pages do.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import JsonOption, console, money, print_json, runtime
from pfund.services import proposals

app = typer.Typer(
    help="Proposals from the public form: read, question, decide.", no_args_is_help=True
)
ReasonOpt = Annotated[str, typer.Option("--reason", help="What the proposer will read.")]


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="Only this status (submitted, returned, rejected, ...).")
    ] = None,
    page: Annotated[int, typer.Option(min=1, help="Page of 50, newest first.")] = 1,
    as_json: bool = JsonOption,
) -> None:
    """Proposals, newest first, with their status and when they arrived."""
    with runtime(ctx) as rt:
        found = proposals.list_proposals(rt, status=status, page=page)
    if as_json:
        print_json(found)
        return
    table = Table("id", "title", "status", "received")
    for p in found.items:
        received = p.received_at.date().isoformat() if p.received_at else "-"
        table.add_row(p.id, p.title, p.status.value.replace("_", " "), received)
    console.print(table)
    console.print(f"{found.total} proposals; page {found.page} of {found.pages}.")


@app.command("show")
def show(
    ctx: typer.Context,
    project_id: Annotated[str, typer.Argument(help="The proposal's id (WEB-...).")],
    as_json: bool = JsonOption,
) -> None:
    """Everything the proposer sent, the contact (audited), screening, reviews, history."""
    with runtime(ctx) as rt:
        d = proposals.detail(rt, project_id)
    if as_json:
        print_json(d)
        return
    p = d.project
    console.print(f"[bold]{p.title}[/]  {p.id}", highlight=False)
    if p.title_ru:
        console.print(p.title_ru, highlight=False)
    console.print(
        f"Status: {p.status.value.replace('_', ' ')}; "
        f"{'published' if d.published else 'not published'}"
    )
    console.print(f"Area: {d.area.name}; regions: {', '.join(r.name for r in d.regions) or '-'}")
    console.print(f"Likely cost: {money(p.likely_cost(), p.currency)} over {len(p.costs)} years")
    if d.people_reached is not None:
        console.print(f"People reached: {d.people_reached:,.0f}")
    console.print(p.description, highlight=False, markup=False)
    for c in d.contacts or []:
        org = f", {c.organisation}" if c.organisation else ""
        console.print(f"Contact: {c.name} <{c.email}>{org}", highlight=False, markup=False)
    if d.screened:
        hits = "; ".join(f"hit {h.hit} {h.status} ({h.score:.0%})" for h in d.hits)
        console.print(f"Screening: {hits or 'no hits'}")
    else:
        console.print("Screening: not yet (the proposer is screened when it is taken in)")
    for r in d.reviews:
        scores = ", ".join(f"{k} {v:g}" for k, v in r.scores.items())
        console.print(f"Review by {r.reviewer}: {r.state}{'; ' + scores if scores else ''}")
    for m in d.messages:
        console.print(f"{m.at.date().isoformat()} {m.kind.value}: {m.body}", markup=False)
    for e in d.history:
        console.print(f"{e.at.date().isoformat()} {e.action} by {e.actor}", markup=False)


def _done(moved: proposals.Moved | proposals.Submitted, as_json: bool) -> None:
    if as_json:
        print_json(moved)
        return
    published = getattr(moved, "published", False)
    state = "published" if published else "not published"
    console.print(f"{moved.project_id}: {str(moved.status).replace('_', ' ')}, {state}")


@app.command("ask")
def ask(
    ctx: typer.Context,
    project_id: str,
    question: Annotated[str, typer.Option("--question", help="The question to the proposer.")],
    as_json: bool = JsonOption,
) -> None:
    """Ask the proposer a question (they read and answer it with their code)."""
    with runtime(ctx) as rt:
        _done(proposals.ask(rt, project_id, question), as_json)


@app.command("return")
def return_cmd(
    ctx: typer.Context, project_id: str, reason: ReasonOpt, as_json: bool = JsonOption
) -> None:
    """Return it to the proposer for changes."""
    with runtime(ctx) as rt:
        _done(proposals.return_(rt, project_id, reason), as_json)


@app.command("reject")
def reject(
    ctx: typer.Context, project_id: str, reason: ReasonOpt, as_json: bool = JsonOption
) -> None:
    """Reject it, with the reason the proposer will read."""
    with runtime(ctx) as rt:
        _done(proposals.reject(rt, project_id, reason), as_json)


@app.command("accept")
def accept(ctx: typer.Context, project_id: str, as_json: bool = JsonOption) -> None:
    """Take it into the pipeline (it stays unpublished; see ``publish``)."""
    with runtime(ctx) as rt:
        _done(proposals.accept(rt, project_id), as_json)


@app.command("publish")
def publish(ctx: typer.Context, project_id: str, as_json: bool = JsonOption) -> None:
    """Show a project on the portal, the public API and the open data."""
    with runtime(ctx) as rt:
        _done(proposals.publish(rt, project_id), as_json)


@app.command("unpublish")
def unpublish(ctx: typer.Context, project_id: str, as_json: bool = JsonOption) -> None:
    """Take a project off the portal again."""
    with runtime(ctx) as rt:
        _done(proposals.unpublish(rt, project_id), as_json)
