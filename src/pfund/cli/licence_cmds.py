"""``pfund licences import|list|revoke|check``: the sanctions licences payments need."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from pfund.cli.common import JsonOption, console, money, optional_day, print_json, runtime
from pfund.services.licences import (
    check_tranche,
    import_licences,
    licence_register,
    revoke_licence,
)

app = typer.Typer(
    help="Sanctions licences and exemptions: a payment to a counterparty in a sanctioned "
    "jurisdiction needs one in force that covers it.",
    no_args_is_help=True,
)

DayOption = typer.Option("--on", help="The day to judge (YYYY-MM-DD; default: today).")


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A YAML, JSON or CSV file of licences.")],
    as_json: bool = JsonOption,
) -> None:
    """Record the licences of a file, all or nothing."""
    with runtime(ctx) as rt:
        result = import_licences(rt, file)
    if as_json:
        print_json(result)
        return
    console.print(
        f"{result.file}: {result.imported} licences recorded ({', '.join(result.ids)}).",
        highlight=False,
    )


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    on: Annotated[str | None, DayOption] = None,
    as_json: bool = JsonOption,
) -> None:
    """Every licence with its state, what was paid under it and what is left."""
    with runtime(ctx) as rt:
        lines = licence_register(rt, today=optional_day(on))
    if as_json:
        print_json(lines)
        return
    table = Table(
        "licence",
        "kind",
        "parties",
        "until",
        "state",
        "paid",
        "left",
        box=box.SIMPLE,
        show_edge=False,
        pad_edge=False,
    )
    for column in table.columns:
        column.no_wrap = True
    for line in lines:
        lic = line.licence
        table.add_row(
            lic.id,
            lic.kind.value,
            str(len(lic.counterparties)),
            str(lic.valid_until),
            line.state.replace("_", " "),
            money(line.paid),
            "no cap" if line.left is None else money(line.left),
        )
    console.print(table)
    soon = [line.licence for line in lines if line.state == "expiring"]
    for lic in soon:
        console.print(
            f"[yellow]{lic.id} ends on {lic.valid_until}: ask {lic.authority} for a renewal "
            "before money planned under it is due.[/]"
        )


@app.command("revoke")
def revoke_cmd(
    ctx: typer.Context,
    licence: Annotated[str, typer.Argument(help="The licence id, e.g. LIC-0001.")],
    reason: Annotated[str, typer.Option(help="Why (at least 10 characters; audited).")],
    on: Annotated[str | None, typer.Option("--from", help="Revoked from (default today).")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Revoke a licence: no payment after the day is made under it."""
    with runtime(ctx) as rt:
        revoked = revoke_licence(rt, licence, reason=reason, day=optional_day(on))
    if as_json:
        print_json(revoked)
        return
    console.print(f"{revoked.id} revoked from {revoked.revoked_on}.", highlight=False)


@app.command("check")
def check_cmd(
    ctx: typer.Context,
    tranche: Annotated[str, typer.Argument(help="The tranche id, e.g. T-PRJ-0001-2027.")],
    on: Annotated[str | None, DayOption] = None,
    as_json: bool = JsonOption,
) -> None:
    """Whether the licences would let the tranche be paid, and under which."""
    with runtime(ctx) as rt:
        found = check_tranche(rt, tranche, today=optional_day(on))
    if as_json:
        print_json(found)
        return
    if not found.sanctioned:
        console.print(
            f"{tranche}: no counterparty in a sanctioned jurisdiction; no licence needed."
        )
        return
    for party, lic in sorted(found.used.items()):
        console.print(f"{tranche}: {party} is paid under {lic}.", highlight=False)
    for reason in found.reasons:
        console.print(f"[red]{tranche}: {reason}[/]", highlight=False)
    if found.reasons:
        raise typer.Exit(1)
