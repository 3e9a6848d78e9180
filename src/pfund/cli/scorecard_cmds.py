"""``pfund indicators import|list`` and ``pfund conditions evaluate|proposals|confirm|reject|
scorecard``: conditions checked against public indicators."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import JsonOption, console, print_json, runtime
from pfund.services.scorecard import (
    Evaluation,
    confirm,
    evaluate,
    import_indicator_set,
    indicator_sets,
    proposals,
    reject,
)
from pfund.services.scorecard_view import scorecard
from pfund.web.counts import counted

indicators_app = typer.Typer(
    help="Public indicator data sets (versioned by content hash) that condition rules read.",
    no_args_is_help=True,
)

VERDICT = {True: "passes", False: "fails", None: "no data"}


@indicators_app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(help="A CSV: area,indicator,year,value,category,source,licence."),
    ],
    name: Annotated[
        str | None, typer.Option(help="The data set's name (default: the file's stem).")
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Import an indicator file all or nothing; the same bytes again are a no-op."""
    with runtime(ctx) as rt:
        result = import_indicator_set(rt, file, name=name)
    if as_json:
        print_json(result)
        return
    if result.unchanged:
        console.print(
            f"{file.name}: already stored as {result.name} version {result.version} "
            f"({result.sha256[:12]}); nothing imported.",
            highlight=False,
        )
        return
    console.print(
        f"{file.name}: {result.rows} figures imported as {result.name} version "
        f"{result.version} ({result.sha256[:12]}).",
        highlight=False,
    )


@indicators_app.command("list")
def list_cmd(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Every stored version of every indicator data set, newest first."""
    with runtime(ctx) as rt:
        found = indicator_sets(rt)
    if as_json:
        print_json(found)
        return
    table = Table("data set", "version", "sha256", "file", "rows", "imported", "licence")
    for s in found:
        table.add_row(
            s.name,
            str(s.version),
            s.sha256[:12],
            s.file,
            str(s.rows),
            s.imported_at.strftime("%Y-%m-%d %H:%M"),
            "; ".join(s.licences),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the rule commands to ``pfund conditions``."""
    app.command("evaluate")(evaluate_cmd)
    app.command("proposals")(proposals_cmd)
    app.command("confirm")(confirm_cmd)
    app.command("reject")(reject_cmd)
    app.command("scorecard")(scorecard_cmd)


def evaluate_cmd(
    ctx: typer.Context,
    apply: Annotated[
        bool,
        typer.Option(
            "--apply",
            help="Act on the proposals by the fund's policy: apply them, or leave them "
            "pending for staff to confirm. Without it nothing is stored.",
        ),
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """Check every condition that has a rule against the newest indicator figures."""
    with runtime(ctx) as rt:
        result = evaluate(rt, apply=apply)
    if as_json:
        print_json(result)
        return
    print_evaluation(result)


ACTIONS = {
    "none": "no change proposed",
    "would_apply": "would be applied by the fund's policy (run with --apply)",
    "would_ask": "would wait for staff to confirm (run with --apply)",
    "applied": "applied by the fund's policy",
    "pending": "waiting for staff to confirm",
    "already_pending": "already waiting for staff to confirm",
}


def print_evaluation(result: Evaluation) -> None:
    """Each rule's verdict, the figures behind it and what became of its proposal."""
    for line in result.rules:
        proposal = "" if line.proposed is None else f" -> {line.proposed}"
        number = f" (proposal {line.proposal})" if line.proposal else ""
        console.print(
            f"{line.condition} ({line.status}{proposal}): rule {VERDICT[line.passed]}; "
            f"{ACTIONS[line.action]}{number}.",
            markup=False,
            highlight=False,
        )
        for t in line.tests:
            console.print(f"  {t.reason}", markup=False, highlight=False)
        for ref in line.sets:
            name, sha = ref.split("@")
            console.print(f"  data: {name} {sha[:12]}", markup=False, highlight=False)
    console.print(
        f"Manual (no rule): {', '.join(result.manual) or 'none'}.", markup=False, highlight=False
    )


def proposals_cmd(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(help="pending, applied, confirmed or rejected (default: all)."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Status changes that evaluating rules proposed, with their evidence."""
    with runtime(ctx) as rt:
        found = proposals(rt, status=status)
    if as_json:
        print_json(found)
        return
    table = Table("id", "condition", "change", "status", "proposed", "evidence")
    for p in found:
        table.add_row(
            str(p.id),
            p.condition,
            f"{p.old.value} -> {p.new.value}",
            p.status.value,
            p.proposed_at.strftime("%Y-%m-%d"),
            p.evidence,
        )
    console.print(table)


ProposalArg = Annotated[int, typer.Argument(help="The proposal's id (`conditions proposals`).")]


def confirm_cmd(ctx: typer.Context, proposal: ProposalArg, as_json: bool = JsonOption) -> None:
    """Confirm a pending proposal: the condition changes, with its evidence."""
    with runtime(ctx) as rt:
        result = confirm(rt, proposal)
    if as_json:
        print_json(result)
        return
    p, change = result.proposal, result.change
    frozen = f"; {counted(len(change.frozen), 'frozen')}" if change and change.frozen else ""
    console.print(
        f"Proposal {p.id} confirmed: {p.condition} {p.old.value} -> {p.new.value}{frozen}.",
        highlight=False,
    )


def reject_cmd(
    ctx: typer.Context,
    proposal: ProposalArg,
    reason: Annotated[str, typer.Option(help="Why (10+ characters); kept with the proposal.")],
    as_json: bool = JsonOption,
) -> None:
    """Reject a pending proposal: the condition keeps its status."""
    with runtime(ctx) as rt:
        result = reject(rt, proposal, reason=reason)
    if as_json:
        print_json(result)
        return
    console.print(f"Proposal {result.proposal.id} rejected.", highlight=False)


def scorecard_cmd(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Each indicator test: threshold, latest value, trend, pass or fail, money depending."""
    with runtime(ctx) as rt:
        card = scorecard(rt)
    if as_json:
        print_json(card)
        return
    table = Table("indicator", "test", "latest", "trend", "verdict", "conditions", "money")
    for line in card.lines:
        table.add_row(
            f"{line.indicator} ({line.area})",
            line.test.split(" (")[0],
            f"{line.value} ({line.year})" if line.year else "",
            " ".join(f"{p.year}:{p.value}" for p in line.trend[-4:]),
            VERDICT[line.passed],
            ", ".join(c.code for c in line.conditions),
            f"{line.money:,.0f} {card.currency} ({line.tranches})",
        )
    console.print(table)
