"""``pfund companies import|pipeline|stages|move|match|lists``: the companies' return."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from pfund.cli.common import JsonOption, console, print_json, runtime
from pfund.domain.company_return import PIPELINE, ReturnStage, Tracker
from pfund.errors import InvalidInput, Problem
from pfund.services.company_returns import (
    company_lists,
    company_pipeline,
    import_company_list,
    match_returning,
    move_company,
    returns_by_phase,
)
from pfund.web.counts import counted

app = typer.Typer(
    help="The companies' return: tracker lists (Yale CELI, KSE Institute), each company's "
    "return pipeline, and the sanctions-relief phases that unlock the returns.",
    no_args_is_help=True,
)


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The tracker's export, as CSV.")],
    tracker: Annotated[
        Tracker,
        typer.Option(help="Whose layout: yale (Name, Grade/Category) or kse (Company, Status)."),
    ],
    source: Annotated[str, typer.Option(help="Who published the list (kept with it).")],
    as_of: Annotated[str, typer.Option("--as-of", help="The list's date (YYYY-MM-DD).")],
    url: Annotated[str, typer.Option(help="Where the list was published.")] = "",
    as_json: bool = JsonOption,
) -> None:
    """Record a tracker's list, all or nothing: an unknown grade or status is named by
    file, row and field, and nothing is stored."""
    with runtime(ctx) as rt:
        done = import_company_list(
            rt, file, tracker=tracker, source=source, url=url, as_of=_day(as_of, "as-of")
        )
    if as_json:
        print_json(done)
        return
    new = (
        f"; {counted(len(done.new_organisations), 'new_organisations')}"
        if done.new_organisations
        else ""
    )
    x = done.listing
    console.print(
        f"{x.file}: {counted(done.companies, 'companies')} from {x.source} "
        f"(as of {x.as_of}; sha256 {x.sha256[:16]}) recorded as {x.id}: "
        f"{done.in_pipeline} in the return pipeline, {done.operating} still operating{new}.",
        highlight=False,
    )


@app.command("pipeline")
def pipeline_cmd(
    ctx: typer.Context,
    stage: Annotated[ReturnStage | None, typer.Option(help="Only companies at this stage.")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Every company on an imported list: its tracker's word, its stage and since when,
    and what its next step waits for."""
    with runtime(ctx) as rt:
        lines = company_pipeline(rt, stage=stage)
    if as_json:
        print_json(lines)
        return
    table = Table("company", "name", "tracker", "stage", "since", "needs", "next", box=box.SIMPLE)
    for column in table.columns:
        column.no_wrap = column.header != "name"
    for line in lines:
        c = line.company
        word = f"{c.tracker.value} {c.grade or c.tracker_status}".strip()
        nxt = "-" if line.next is None else line.next.value
        if line.blocked:
            nxt += " (waits for its phase)"
        table.add_row(
            c.organisation_id,
            line.name,
            word,
            c.stage.value,
            str(c.since() or "-"),
            f"stage {c.needs_stage}",
            nxt,
        )
    console.print(table)


@app.command("stages")
def stages_cmd(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Each sanctions-relief phase, whether it is open, and the returns it unlocks."""
    with runtime(ctx) as rt:
        phases = returns_by_phase(rt)
    if as_json:
        print_json(phases)
        return
    for p in phases:
        state = "open" if p.open else "not open"
        counts = ", ".join(f"{p.by_stage[s.value]} {s.value.replace('_', ' ')}" for s in PIPELINE)
        console.print(
            f"Phase {p.phase} ({p.condition}, {state}; stage {p.stage} {p.stage_name}): "
            f"unlocks {p.total} returns: {counts}.",
            highlight=False,
        )


@app.command("move")
def move_cmd(
    ctx: typer.Context,
    org_id: Annotated[str, typer.Argument(help="The company's organisation id.")],
    stage: Annotated[
        ReturnStage,
        typer.Argument(
            help="The next stage (in_contact, conditions_agreed, returning, returned), or an "
            "earlier one of the pipeline when the return fell back (with --reason)."
        ),
    ],
    on: Annotated[str | None, typer.Option(help="The day (YYYY-MM-DD; default today).")] = None,
    reason: Annotated[
        str, typer.Option(help="Why the return fell back (needed for a move back).")
    ] = "",
    as_json: bool = JsonOption,
) -> None:
    """Move a company one stage on its way back (returning waits for its relief phase),
    or back to an earlier stage when talks broke down, with the reason."""
    day = _day(on, "on") if on else date.today()
    with runtime(ctx) as rt:
        moved = move_company(rt, org_id, stage, on=day, reason=reason)
    if as_json:
        print_json(moved)
        return
    console.print(
        f"{moved.organisation_id} is {moved.stage.value} from {moved.since()}.", highlight=False
    )


@app.command("lists")
def lists_cmd(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """The imported tracker lists, with source, address, date and sha256."""
    with runtime(ctx) as rt:
        found = company_lists(rt)
    if as_json:
        print_json(found)
        return
    table = Table("list", "tracker", "source", "as of", "rows", "sha256", box=box.SIMPLE)
    for x in found:
        table.add_row(x.id, x.tracker.value, x.source, str(x.as_of), str(x.rows), x.sha256[:16])
    console.print(table)


@app.command("match")
def match_cmd(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="Projects per company.")] = 3,
    as_json: bool = JsonOption,
) -> None:
    """Projects ranked for each company that is returning or has returned (the matcher)."""
    with runtime(ctx) as rt:
        found = match_returning(rt, on=date.today(), limit=limit)
    if as_json:
        print_json(found)
        return
    if not found:
        console.print("No company is returning or has returned yet.")
    for org_id, matches in found.items():
        best = ", ".join(f"{m.project} ({m.score:.2f})" for m in matches) or "no eligible project"
        console.print(f"{org_id}: {best}", highlight=False)


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "bad date", [Problem(f"'{text}' is not YYYY-MM-DD", field=field)]
        ) from None
