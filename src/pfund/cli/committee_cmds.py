"""``pfund committee seats|seat-add|suspend|items|open|declare|vote|tally``: the joint
committee of donors and Russian representatives (issue 16, part 1).

Seat holders are protected: no command prints a holder's name.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import JsonOption, console, money, print_json, runtime
from pfund.domain.governance import ItemKind, Side
from pfund.governance import SideCount
from pfund.services.committee import (
    DEFAULT_COMMITTEE,
    ItemRequest,
    ItemTally,
    SeatRequest,
    add_seat,
    cast_vote,
    declare_conflict,
    items,
    open_item,
    seats,
    set_suspended,
)
from pfund.services.committee_decide import close_item, tally_item

app = typer.Typer(
    help="The joint committee: seats, items, votes and tallies.", no_args_is_help=True
)

CommitteeOption = typer.Option("--committee", help="The committee's code in fund.yaml.")


@app.command("seats")
def seats_cmd(
    ctx: typer.Context,
    committee: Annotated[str, CommitteeOption] = DEFAULT_COMMITTEE,
    as_json: bool = JsonOption,
) -> None:
    """Every seat with its weight (donors: what their state has paid in) and standing."""
    with runtime(ctx) as rt:
        found = seats(rt, committee=committee)
    if as_json:
        print_json(found)
        return
    table = Table("seat", "side", "weight", "standing", "why")
    for s in found:
        weight = weight_text(s.side, s.weight, s.currency)
        table.add_row(s.label, s.side.value, weight, s.standing.value, "; ".join(s.why))
    console.print(table)


@app.command("seat-add")
def seat_add_cmd(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(help="The seat's public label, e.g. 'Donor DEU'.")],
    side: Annotated[Side, typer.Option("--side", help="donor or russian.")],
    label_ru: Annotated[
        str,
        typer.Option(
            "--label-ru",
            help="The label in Russian, for Russian pages (derived from the state or "
            "'Russian seat N' when not given).",
        ),
    ] = "",
    contributor: Annotated[
        str | None, typer.Option("--contributor", help="A donor seat's state (ISO3).")
    ] = None,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="A Russian seat's vetted organisation.")
    ] = None,
    member: Annotated[
        str | None, typer.Option("--member", help="The user account that votes for the seat.")
    ] = None,
    holder: Annotated[
        str, typer.Option("--holder", help="The person holding it (protected, sealed).")
    ] = "",
    committee: Annotated[str, CommitteeOption] = DEFAULT_COMMITTEE,
    as_json: bool = JsonOption,
) -> None:
    """Add a seat (the committee is set up from fund.yaml on first use)."""
    request = SeatRequest(
        label=label,
        label_ru=label_ru,
        side=side,
        contributor=contributor,
        organisation_id=organisation,
        member=member,
        holder=holder,
    )
    with runtime(ctx) as rt:
        seat = add_seat(rt, request, committee=committee)
    if as_json:
        print_json(seat)
        return
    console.print(f"Seat {seat.label} ({seat.side.value}) added: {seat.standing.value}.")


@app.command("suspend")
def suspend_cmd(
    ctx: typer.Context,
    label: Annotated[str, typer.Argument(help="The seat's label.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (audited).")],
    lift: Annotated[bool, typer.Option("--lift", help="Lift the suspension.")] = False,
    committee: Annotated[str, CommitteeOption] = DEFAULT_COMMITTEE,
    as_json: bool = JsonOption,
) -> None:
    """Suspend a seat by decision (or lift it); a lapsed vetting suspends one by itself."""
    with runtime(ctx) as rt:
        seat = set_suspended(rt, label, suspended=not lift, reason=reason, committee=committee)
    if as_json:
        print_json(seat)
        return
    console.print(f"Seat {seat.label}: {seat.standing.value}.")


@app.command("items")
def items_cmd(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option("--status", help="open, approved or rejected.")
    ] = None,
    committee: Annotated[str, CommitteeOption] = DEFAULT_COMMITTEE,
    as_json: bool = JsonOption,
) -> None:
    """The items put to the committee, newest last."""
    with runtime(ctx) as rt:
        found = items(rt, committee=committee, status=status)
    if as_json:
        print_json(found)
        return
    table = Table("item", "kind", "title", "run", "projects", "status", "record")
    for i in found:
        table.add_row(
            str(i.id),
            i.kind.value,
            i.title,
            i.run_id or "-",
            str(len(i.projects)),
            i.status,
            i.record_id or "-",
        )
    console.print(table)


@app.command("open")
def open_cmd(
    ctx: typer.Context,
    kind: Annotated[ItemKind, typer.Argument(help="appraisal or portfolio.")],
    title: Annotated[str, typer.Option("--title", help="What is asked.")],
    title_ru: Annotated[str, typer.Option("--title-ru", help="The same in Russian.")] = "",
    projects: Annotated[
        str, typer.Option("--projects", help="Comma-separated project ids (the selection).")
    ] = "",
    run: Annotated[
        str | None, typer.Option("--run", help="The portfolio run to approve (OPT-0001).")
    ] = None,
    committee: Annotated[str, CommitteeOption] = DEFAULT_COMMITTEE,
    as_json: bool = JsonOption,
) -> None:
    """Put an item to the committee: proposals to appraise, or a portfolio run to
    approve (with the run's selection unless --projects names another)."""
    request = ItemRequest(
        kind=kind,
        title=title,
        title_ru=title_ru,
        projects=[p.strip() for p in projects.split(",") if p.strip()],
        run_id=run,
    )
    with runtime(ctx) as rt:
        item = open_item(rt, request, committee=committee)
    if as_json:
        print_json(item)
        return
    console.print(f"Item {item.id} opened: {item.title} ({len(item.projects)} projects).")


@app.command("declare")
def declare_cmd(
    ctx: typer.Context,
    item: Annotated[int, typer.Argument(help="The item's number.")],
    seat: Annotated[str, typer.Option("--seat", help="The seat declaring.")],
    reason: Annotated[str, typer.Option("--reason", help="The conflict (kept protected).")],
    as_json: bool = JsonOption,
) -> None:
    """Declare a conflict of interest: the seat is recused from this item."""
    with runtime(ctx) as rt:
        found = declare_conflict(rt, item, seat, reason=reason)
    if as_json:
        print_json({"item": found.id, "seat": seat, "recused": True})
        return
    console.print(f"Seat {seat} is recused from item {found.id}.")


@app.command("vote")
def vote_cmd(
    ctx: typer.Context,
    item: Annotated[int, typer.Argument(help="The item's number.")],
    vote: Annotated[str, typer.Argument(help="yes, no or abstain.")],
    seat: Annotated[str, typer.Option("--seat", help="The seat voting.")],
    as_json: bool = JsonOption,
) -> None:
    """Cast a seat's vote on an open item (once; refused from a suspended or recused seat)."""
    with runtime(ctx) as rt:
        line = cast_vote(rt, item, seat, vote)
    if as_json:
        print_json(line)
        return
    console.print(f"Seat {line.seat} voted {line.vote.value if line.vote else '-'} on item {item}.")


@app.command("tally")
def tally_cmd(
    ctx: typer.Context,
    item: Annotated[int, typer.Argument(help="The item's number.")],
    close: Annotated[
        bool, typer.Option("--close", help="Decide the item: store the tally as a record.")
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """The tally under the committee's rule, with the reasons and any departure cost."""
    with runtime(ctx) as rt:
        result = close_item(rt, item)[0] if close else tally_item(rt, item)
    if as_json:
        print_json(result)
        return
    show_tally(result)


def weight_text(side: Side, weight: Decimal, currency: str) -> str:
    """A donor seat's weight as money (what its state has paid in); a Russian seat's
    as the one seat it is."""
    if side is Side.DONOR:
        return money(weight, currency or "USD")
    return f"{weight:,.0f} seat"


def show_tally(result: ItemTally) -> None:
    table = Table("seat", "side", "weight", "standing", "vote")
    for v in result.votes:
        weight = weight_text(v.side, v.weight, result.currency)
        table.add_row(
            v.seat, v.side.value, weight, v.standing.value, v.vote.value if v.vote else "-"
        )
    console.print(table)
    t = result.tally
    verdict = "PASSED" if t.passed else f"NOT PASSED ({t.outcome.value})"
    console.print(f"Item {result.item.id} ({result.item.status}): {verdict}")
    for side in t.sides:
        if side.side != "all":
            console.print(f"  {_side_line(side, result.currency)}", highlight=False)
    for reason in t.reasons:
        console.print(f"  {reason}")
    if result.departure:
        console.print(result.departure["sentence"])
    if result.item.record_id:
        console.print(f"Recorded as {result.item.record_id}.")


def _side_line(side: SideCount, currency: str) -> str:
    """One side's count: donor weight as money, Russian seats as seats."""
    if side.side == Side.DONOR.value:
        cur = currency or "USD"
        return (
            f"donor weight: {money(side.yes, cur)} for, {money(side.no, cur)} against, "
            f"{money(side.abstain, cur)} abstained, of {money(side.eligible, cur)} eligible"
        )
    return (
        f"{side.side} seats: {side.yes:,.0f} for, {side.no:,.0f} against, "
        f"{side.abstain:,.0f} abstained, of {side.eligible:,.0f} eligible"
    )
