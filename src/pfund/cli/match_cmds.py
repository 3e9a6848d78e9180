"""``pfund match project|company``: rank partners for a project, projects for a company."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import JsonOption, console, print_json, runtime
from pfund.errors import InvalidInput, Problem
from pfund.services.matching import MatchView, match_company, match_project

app = typer.Typer(help="Match organisations and companies with projects.", no_args_is_help=True)

LimitOption = typer.Option(20, "--limit", min=1, help="How many to show.")
OnOption = typer.Option(
    None, "--on", help="Day vetting approvals must hold on (YYYY-MM-DD; today)."
)


@app.command("project")
def project_cmd(
    ctx: typer.Context,
    project_id: Annotated[str, typer.Argument(help="The project's id.")],
    limit: int = LimitOption,
    on: str | None = OnOption,
    as_json: bool = JsonOption,
) -> None:
    """Organisations and companies ranked for a project, each score explained."""
    with runtime(ctx) as rt:
        found = match_project(rt, project_id, on=_date(on), limit=limit)
    _print(found, as_json, key="organisation")


@app.command("company")
def company_cmd(
    ctx: typer.Context,
    org_id: Annotated[str, typer.Argument(help="The company's organisation id.")],
    limit: int = LimitOption,
    on: str | None = OnOption,
    as_json: bool = JsonOption,
) -> None:
    """Open projects ranked for a company, each score explained."""
    with runtime(ctx) as rt:
        found = match_company(rt, org_id, on=_date(on), limit=limit)
    _print(found, as_json, key="project")


def _print(found: list[MatchView], as_json: bool, *, key: str) -> None:
    if as_json:
        print_json(found)
        return
    table = Table(key, "name", "score", "fit", "standing", "why")
    for m in found:
        label = m.organisation_name if key == "organisation" else m.project_title
        why = ", ".join(f"{f.factor} {f.value:.2f}x{f.weight:g}" for f in m.factors)
        table.add_row(
            getattr(m, key),
            label,
            f"{m.score:.2f}",
            f"{m.fit:.2f}",
            f"{m.standing:.2f}",
            f"{why}; {m.standing_reason}",
        )
    console.print(table)


def _date(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            "bad date", [Problem(f"'{value}' is not YYYY-MM-DD", field="on")]
        ) from None
