"""``pfund organisations list|show``: partners, companies and democratic-forces groups."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import JsonOption, console, handled, print_json, runtime
from pfund.domain import Organisation, ProtectionClass
from pfund.domain.protection import view
from pfund.errors import NotFound

app = typer.Typer(help="List and show organisations.", no_args_is_help=True)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    kind: Annotated[
        str | None,
        typer.Option(help="ngo, university, company, public_body or democratic_forces."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Organisations with kind, country, areas, and a company's or group's standing."""
    with runtime(ctx) as rt, rt.uow() as uow:
        orgs = uow.organisations.list(kind=kind)
    if as_json:
        print_json([view(o, audience=ProtectionClass.INTERNAL) for o in orgs])
        return
    table = Table("id", "name", "kind", "country", "areas", "standing")
    for o in orgs:
        table.add_row(
            o.id, o.public_name(), o.kind.value, o.country, ", ".join(o.areas), _standing(o)
        )
    console.print(table)
    console.print(f"{len(orgs)} organisations. Names partners asked to protect show as aliases.")


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    org_id: Annotated[str, typer.Argument(help="The organisation's id.")],
    as_json: bool = JsonOption,
) -> None:
    """One organisation, staff view: protected fields are never shown."""
    with runtime(ctx) as rt, rt.uow() as uow:
        org = uow.organisations.get(org_id)
    if org is None:
        with handled():
            raise NotFound(f"no organisation with id '{org_id}'")
    data = view(org, audience=ProtectionClass.INTERNAL)
    if as_json:
        print_json(data)
        return
    console.rule(f"[bold]{org.id}[/]  {org.public_name()}")
    for key, value in data.items():
        if value not in (None, "", [], {}):
            console.print(f"{key}: {value}", markup=False)
    console.print(f"standing: {_standing(org)}")


def _standing(o: Organisation) -> str:
    if o.company is not None:
        return f"{o.company.russia_status.value}; {o.company.reengagement.value}"
    if o.vetting is not None:
        return "vetted, approved" if o.vetting.approved_at(date.today()) else "vetting not approved"
    return ""
