"""``pfund projects list|show``: what is in the pipeline."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import JsonOption, console, money, print_json, runtime
from pfund.domain import Organisation, Project, ProtectionClass
from pfund.services.summary import get_project, list_projects, project_view
from pfund.web.counts import counted

app = typer.Typer(help="List and show projects.", no_args_is_help=True)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    area: Annotated[str | None, typer.Option(help="Only this area (e.g. health).")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    region: Annotated[str | None, typer.Option(help="Only this region (e.g. RU-MOW).")] = None,
    as_json: bool = JsonOption,
) -> None:
    """List projects with area, stage, regions and likely cost."""
    with runtime(ctx) as rt:
        projects = list_projects(rt, area=area, status=status, region=region)
    if as_json:
        print_json([project_view(p, audience=ProtectionClass.INTERNAL) for p in projects])
        return
    table = Table("id", "title", "area", "stage", "regions", "likely cost", "risk")
    for p in projects:
        table.add_row(
            p.id,
            p.title,
            p.area,
            str(p.stage),
            ", ".join(p.regions),
            money(p.likely_cost(), p.currency),
            p.risk.value,
        )
    console.print(table)
    console.print(f"{counted(len(projects), 'projects')}.")


@app.command("show")
def show(
    ctx: typer.Context,
    project_id: Annotated[str, typer.Argument(help="The project's id.")],
    as_json: bool = JsonOption,
) -> None:
    """Show one project: costs by year, benefits, outcomes, proponent, partners and links."""
    with runtime(ctx) as rt:
        project = get_project(rt, project_id)
        with rt.uow() as uow:
            ids = [i for i in (project.proponent, *project.partners) if i]
            orgs = {i: o for i in ids if (o := uow.organisations.get(i)) is not None}
    if as_json:
        print_json(project_view(project, audience=ProtectionClass.INTERNAL))
        return
    _print_project(project)
    _print_parties(project, orgs)


def _party(org_id: str, orgs: dict[str, Organisation]) -> str:
    """An organisation as a staff list shows it: its public name (the alias when the name
    is protected), kind and country; an id the store does not hold is said so."""
    org = orgs.get(org_id)
    if org is None:
        return f"{org_id} (not in the store)"
    return f"{org_id} {org.public_name()} ({org.kind.value.replace('_', ' ')}, {org.country})"


def _print_parties(p: Project, orgs: dict[str, Organisation]) -> None:
    console.print(f"proponent: {_party(p.proponent, orgs) if p.proponent else '-'}", markup=False)
    partners = [_party(i, orgs) for i in p.partners]
    console.print(f"partners: {'; '.join(partners) if partners else '-'}", markup=False)


def _print_project(p: Project) -> None:
    console.rule(f"[bold]{p.id}[/]  {p.title}")
    if p.title_ru:
        console.print(p.title_ru)
    if p.description:
        console.print(p.description)
    console.print(
        f"area {p.area}; stage {p.stage}; status {p.status.value}; risk {p.risk.value}; "
        f"regions {', '.join(p.regions) or '-'}"
    )
    costs = Table(
        "year",
        "capital (low / likely / high)",
        "running (low / likely / high)",
        title=f"Costs ({p.currency})",
    )
    for year, cost in p.costs.items():
        costs.add_row(str(year), _triple(cost.capital), _triple(cost.running))
    console.print(costs)
    for name, stream in p.benefits.items():
        years = list(stream.by_year)
        first = stream.by_year[years[0]]
        console.print(f"benefit {name}: {years[0]}-{years[-1]}, first year {_triple(first)}")
    for name, outcome in p.outcomes.items():
        v = outcome.value
        console.print(
            f"outcome {name}: {v.low:,.0f} / {v.likely:,.0f} / {v.high:,.0f} {outcome.unit}"
        )
    if p.depends_on:
        console.print(f"depends on: {', '.join(p.depends_on)}")
    if p.excludes:
        console.print(f"alternative to: {', '.join(p.excludes)}")


def _triple(est: object) -> str:
    if est is None:
        return "-"
    low, likely, high = (money(v, "") for v in est.as_list())  # type: ignore[attr-defined]
    return f"{low.strip()} / {likely.strip()} / {high.strip()}"
