"""``pfund screen``: load watchlists, screen names and every counterparty, review hits.

``pfund screen NAME...`` and ``pfund screen FILE`` screen names as the issue asks; a
first word that is a sub-command (``all``, ``review``...) is the sub-command, so such a
name is screened with ``pfund screen name NAME``, and ``pfund screen file FILE`` reads a
file whatever its name. Only ``review`` shows counterparties' names: compliance needs
them; every other output names hits by id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from pfund.cli.common import JsonOption, console, err_console, handled, print_json, runtime, working
from pfund.errors import InvalidInput, Problem
from pfund.services.hit_review import QueueItem, decide, review_queue
from pfund.services.screening import HitRef, load_watchlist, screen_all, watchlists
from pfund.services.screening_names import NameResult, read_names, screen_names
from pfund.web.counts import counted, plural


class NameOrFileGroup(TyperGroup):
    """Sub-commands, and otherwise ``name`` or ``file`` by whether the word is a file."""

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        first = args[0] if args else ""
        if first and not first.startswith("-") and self.get_command(ctx, first) is None:
            target = "file" if Path(first).is_file() else "name"
            return target, self.get_command(ctx, target), args
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=NameOrFileGroup,
    help="Screen counterparties against watchlists and review the hits. "
    "'pfund screen NAME...' or 'pfund screen FILE' screens names (read-only).",
    no_args_is_help=True,
)

KindOption = typer.Option("any", "--kind", help="any, person, organisation or company.")


@app.command("load")
def load_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="FollowTheMoney JSON lines (OpenSanctions).")],
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Load the good lines; report the bad ones.")
    ] = False,
    watchlist: Annotated[
        str | None, typer.Option(help="Watchlist id (default: the file name up to its dot).")
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Load or update a watchlist; what changed is screened against every counterparty."""
    with runtime(ctx) as rt, working("Loading and screening", quiet=as_json):
        report = load_watchlist(rt, file, skip_bad=skip_bad, watchlist_id=watchlist)
    if as_json:
        print_json(report)
        return
    console.print(
        f"Watchlist {report.watchlist}: {counted(report.entities, 'entities')} "
        f"({report.added} added, {report.changed} changed, {report.removed} removed, "
        f"{report.unchanged} unchanged)."
    )
    for line in report.skipped_lines:
        err_console.print(f"skipped: {line}", markup=False, highlight=False)
    for line in report.warnings:
        err_console.print(f"warning: {line}", markup=False, highlight=False)
    print_hit_refs(report.new_hits, "New hits")
    print_hit_refs(report.removed_with_open_hits, "Removed entities whose hits are still open")


@app.command("lists")
def lists_cmd(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """The loaded watchlists: source, when loaded, content hash, entities, open hits."""
    with runtime(ctx) as rt:
        found = watchlists(rt)
    if as_json:
        print_json(found)
        return
    table = Table("watchlist", "loaded at", "entities", "open hits", "content hash", "source")
    for w in found:
        table.add_row(
            w.id,
            w.loaded_at.isoformat(timespec="seconds"),
            str(w.entities),
            str(w.open_hits),
            w.content_hash[:12],
            w.source,
        )
    console.print(table)


@app.command("all")
def all_cmd(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Screen every stored organisation and person against every watchlist."""
    with runtime(ctx) as rt, working("Screening", quiet=as_json):
        report = screen_all(rt)
    if as_json:
        print_json(report)
        return
    console.print(
        f"Screened {counted(report.organisations, 'organisations')} and "
        f"{counted(report.people, 'people')} against "
        f"{plural(report.entities, 'listed entity', 'listed entities')}: "
        f"{plural(report.hits, 'hit', 'hits')}, {len(report.new_hits)} new."
    )
    print_hit_refs(report.new_hits, "New hits")


@app.command("name")
def name_cmd(
    ctx: typer.Context,
    names: Annotated[list[str], typer.Argument(help="One or more names to screen.")],
    kind: str = KindOption,
    as_json: bool = JsonOption,
) -> None:
    """Screen names against the stored watchlists (read-only: nothing is stored)."""
    with runtime(ctx) as rt:
        results = screen_names(rt, names, kind=kind)
    _print_names(results, as_json)


@app.command("file")
def file_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .txt (a name a line) or .csv (a name column).")],
    kind: str = KindOption,
    as_json: bool = JsonOption,
) -> None:
    """Screen every name of a file against the stored watchlists (read-only)."""
    with runtime(ctx) as rt:
        results = screen_names(rt, read_names(file), kind=kind)
    _print_names(results, as_json)


@app.command("review")
def review_cmd(
    ctx: typer.Context,
    confirm: Annotated[int | None, typer.Option(help="Confirm this hit (a true match).")] = None,
    dismiss: Annotated[int | None, typer.Option(help="Dismiss this hit (not a match).")] = None,
    reason: Annotated[str, typer.Option(help="Why: required with --confirm/--dismiss.")] = "",
    everything: Annotated[
        bool, typer.Option("--all", help="List decided hits too, not only open ones.")
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """The review queue (compliance only: shows protected names); or decide one hit."""
    with handled():
        if confirm is not None and dismiss is not None:
            raise InvalidInput(
                "choose one decision", [Problem("give --confirm or --dismiss, not both")]
            )
        if reason and confirm is None and dismiss is None:
            raise InvalidInput(
                "a reason needs a decision", [Problem("give --confirm HIT or --dismiss HIT")]
            )
    with runtime(ctx) as rt:
        if confirm is None and dismiss is None:
            _print_queue(review_queue(rt, everything=everything), as_json)
            return
        hit, decision = (confirm, "confirm") if confirm is not None else (dismiss, "dismiss")
        assert hit is not None
        item = decide(rt, hit, decision, reason)
    if as_json:
        print_json(item)
        return
    console.print(f"Hit {item.hit} is now {item.status.value}.")


def print_hit_refs(refs: list[HitRef], title: str) -> None:
    if not refs:
        return
    table = Table(
        "hit", "counterparty", "organisation", "watchlist", "entity", "score", title=title
    )
    for r in refs:
        table.add_row(
            str(r.hit),
            f"{r.counterparty_kind.value} {r.counterparty_id}",
            r.organisation or "",
            r.watchlist,
            r.entity_id,
            f"{r.score:.2f}",
        )
    console.print(table)
    console.print("Review them with 'pfund screen review'.")


def _print_names(results: list[NameResult], as_json: bool) -> None:
    if as_json:
        print_json(results)
        return
    for result in results:
        if not result.hits:
            console.print(f"{result.name}: no hit", markup=False)
            continue
        for hit in result.hits:
            console.print(
                f"{result.name}: {hit.score:.2f} {hit.watchlist}/{hit.entity_id} "
                f"'{hit.matched}' ({hit.explanation})",
                markup=False,
                highlight=False,
            )


def _print_queue(items: list[QueueItem], as_json: bool) -> None:
    if as_json:
        print_json(items)
        return
    table = Table("hit", "status", "score", "counterparty", "name", "listed", "why")
    for i in items:
        table.add_row(
            str(i.hit),
            i.status.value,
            f"{i.score:.2f}",
            f"{i.counterparty_kind.value} {i.counterparty_id}",
            i.counterparty_name,
            f"{i.watchlist}/{i.entity_id} '{i.matched}'",
            i.explanation,
        )
    console.print(table)
    console.print(f"{plural(len(items), 'hit', 'hits')}. Confidential: compliance review only.")
