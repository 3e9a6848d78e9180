"""``pfund import`` and ``pfund export``: files in, files out."""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel

from pfund.cli.common import JsonOption, console, handled, print_json, runtime, working
from pfund.cli.job_cmds import QueueOption, queue_import_file
from pfund.cli.screen_cmds import print_hit_refs
from pfund.domain import ProtectionClass
from pfund.errors import InvalidInput, Problem
from pfund.services.exports import KINDS, export_records
from pfund.services.imports import (
    ImportResult,
    import_organisations,
    import_people,
    import_projects,
)
from pfund.services.opendata import IatiExport, OpenDataExport, export_iati, write_open_data
from pfund.web.counts import COUNTS, counted

import_app = typer.Typer(help="Import projects, organisations or people from CSV, JSON or YAML.")
FileArg = Annotated[Path, typer.Argument(help="A .csv, .json or .yaml file.")]


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
    app.command("export")(export)


def _report(result: ImportResult, as_json: bool) -> None:
    if as_json:
        print_json(result)
    else:
        imported = (
            counted(result.imported, result.kind)
            if result.kind in COUNTS
            else f"{result.imported} {result.kind}"
        )
        console.print(f"Imported {imported} from {result.file}.")
        if result.updated:
            console.print(f"New versions of {len(result.updated)}: {', '.join(result.updated)}.")
        if result.unchanged:
            console.print(f"Unchanged, not written: {', '.join(result.unchanged)}.")
        print_hit_refs(result.new_hits, "New screening hits")


@import_app.command("projects")
def projects(
    ctx: typer.Context,
    file: FileArg,
    as_json: bool = JsonOption,
    allow_cost_changes: Annotated[
        bool,
        typer.Option(
            "--allow-cost-changes",
            help="Let an update change the costs of an approved project (tranches stay).",
        ),
    ] = False,
    queue: bool = QueueOption,
) -> None:
    """Import project proposals; a stored id makes a new version; all or nothing."""
    if queue:
        queue_import_file(
            ctx, "projects", file, allow_cost_changes=allow_cost_changes, as_json=as_json
        )
        return
    with runtime(ctx) as rt, working("Checking and importing projects...", quiet=as_json):
        result = import_projects(rt, file, allow_cost_changes=allow_cost_changes)
    _report(result, as_json)


@import_app.command("organisations")
def organisations(
    ctx: typer.Context, file: FileArg, as_json: bool = JsonOption, queue: bool = QueueOption
) -> None:
    """Import organisations (NGOs, universities, companies, public bodies, groups)."""
    if queue:
        queue_import_file(ctx, "organisations", file, as_json=as_json)
        return
    with runtime(ctx) as rt, working("Checking and importing organisations...", quiet=as_json):
        result = import_organisations(rt, file)
    _report(result, as_json)


@import_app.command("people")
def people(
    ctx: typer.Context, file: FileArg, as_json: bool = JsonOption, queue: bool = QueueOption
) -> None:
    """Import contact people; their names and contacts are protected."""
    if queue:
        queue_import_file(ctx, "people", file, as_json=as_json)
        return
    with runtime(ctx) as rt, working("Checking and importing people...", quiet=as_json):
        result = import_people(rt, file)
    _report(result, as_json)


# Templates to fill in, and the sample watchlist (a file to try `pfund screen load` on).
TEMPLATES = {
    "projects.csv": "templates/projects.csv",
    "projects.json": "templates/projects.json",
    "organisations.csv": "templates/organisations.csv",
    "organisations.json": "templates/organisations.json",
    "people.yaml": "templates/people.yaml",
    "budgets.csv": "templates/budgets.csv",
    "schedule.csv": "templates/schedule.csv",
    "watchlist.ftm.json": "rpf/watchlists/sample.ftm.json",
}


@import_app.command("template")
def template(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(TEMPLATES)}.")],
    dest: Annotated[Path, typer.Argument(help="Where to write the copy.")],
) -> None:
    """Write a template file to fill in and import."""
    with handled():
        if name not in TEMPLATES:
            raise InvalidInput(
                "unknown template", [Problem(f"choose one of {', '.join(TEMPLATES)}")]
            )
        source = Path(str(files("pfund") / "data" / TEMPLATES[name]))
        shutil.copyfile(source, dest)
    console.print(f"Wrote {dest}.")


def export(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="projects, organisations, iati or open-data")],
    file: Annotated[
        Path,
        typer.Argument(
            help="A .csv, .json or .yaml file to write; an .xml file for iati; "
            "a folder for open-data."
        ),
    ],
    internal: Annotated[
        bool, typer.Option("--internal", help="Include internal fields (staff only).")
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """Export records; public fields only unless --internal. Protected fields never.

    `export iati FILE` writes the IATI 2.03 activity file (validated before it is
    written); `export open-data DIR` writes every public dataset as CSV and JSON.
    """
    if kind in OPEN_DATA:
        _export_open_data(ctx, kind, file, internal=internal, as_json=as_json)
        return
    with handled():
        if kind not in KINDS:
            choices = ", ".join((*KINDS, *OPEN_DATA))
            problem = Problem(f"cannot export '{kind}' (choose {choices})", field="kind")
            raise InvalidInput("unknown export", [problem])
    audience = ProtectionClass.INTERNAL if internal else ProtectionClass.PUBLIC
    with runtime(ctx) as rt:
        result = export_records(rt, kind, file, audience=audience)
    if as_json:
        print_json(result)
    else:
        console.print(f"Wrote {result.records} {result.kind} ({result.audience} fields) to {file}.")


OPEN_DATA = ("iati", "open-data")


def _export_open_data(
    ctx: typer.Context, kind: str, file: Path, *, internal: bool, as_json: bool
) -> None:
    """Open data is public by definition: --internal is refused rather than ignored."""
    with handled():
        if internal:
            problem = Problem("open data holds public fields only", field="--internal")
            raise InvalidInput(f"`export {kind}` takes no --internal", [problem])
    with runtime(ctx) as rt:
        if kind == "iati":
            result: BaseModel = export_iati(rt, file)
        else:
            result = write_open_data(rt, file)
    if as_json:
        print_json(result)
    elif isinstance(result, IatiExport):
        console.print(
            f"Wrote {result.activities} IATI activities to {file} (valid against IATI 2.03)."
        )
    elif isinstance(result, OpenDataExport):
        console.print(f"Wrote {len(result.files)} open-data files to {file}.")
