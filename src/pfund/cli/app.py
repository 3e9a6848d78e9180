"""The ``pfund`` command: one Typer app, sub-commands grouped by subject."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click.core import Command, Context
from typer.core import TyperGroup

from pfund import __version__
from pfund.settings import Settings


class LazyGroup(TyperGroup):
    """The root group, which imports a command's module only when that command is asked
    for: a command module pulls in the web app, scipy or matplotlib, and importing them
    all cost every ``pfund`` start about 8 CPU seconds."""

    def list_commands(self, ctx: Context) -> list[str]:
        eager = [name for name in super().list_commands(ctx) if name not in COMMANDS]
        return [*ORDER, *eager]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            holder = typer.Typer()
            holder.callback()(_nothing)  # a group, even when the module adds one command
            MOUNTS[COMMANDS[cmd_name]](holder)
            group = typer.main.get_command(holder)
            assert isinstance(group, TyperGroup)
            for name, command in group.commands.items():
                self.commands.setdefault(name, command)
        return super().get_command(ctx, cmd_name)


def _nothing() -> None:
    """A placeholder callback."""


app = typer.Typer(
    cls=LazyGroup,
    name="pfund",
    help="Run a Partnership Fund: plan, appraise, select, gate and publish projects.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pfund {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database URL (default: PFUND_DATABASE_URL or sqlite:///pfund.db)."
        ),
    ] = None,
    dataset: Annotated[
        Path | None,
        typer.Option("--dataset", help="Fund data set folder (default: the bundled sample fund)."),
    ] = None,
    version: Annotated[  # noqa: ARG001 (handled by its eager callback)
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    overrides: dict[str, object] = {}
    if db:
        overrides["database_url"] = db
    if dataset:
        overrides["dataset"] = dataset
    ctx.meta["overrides"] = overrides
    if ctx.invoked_subcommand == "doctor":
        return  # it builds the settings itself, to report what is wrong with them
    ctx.obj = Settings(**overrides)  # type: ignore[arg-type]


def _mounts() -> dict[str, Callable[[typer.Typer], None]]:
    """How each command module adds its commands to the root, by module name."""

    def module(name: str) -> Any:
        return importlib.import_module(f"pfund.cli.{name}")

    def sub(name: str, attr: str, as_name: str, **kw: Any) -> Callable[[typer.Typer], None]:
        return lambda root: root.add_typer(getattr(module(name), attr), name=as_name, **kw)

    @functools.cache
    def completed(name: str) -> Any:
        """Modules whose app gains commands from another module: once per process."""
        cmds = module(name)
        if name == "conditions_cmds":
            module("scorecard_cmds").register(cmds.app)
        else:
            cmds.app.command("approve")(module("money_cmds").approve_cmd)
        return cmds

    def conditions(root: typer.Typer) -> None:
        root.add_typer(completed("conditions_cmds").app, name="conditions")

    def portfolio(root: typer.Typer) -> None:
        completed("portfolio_cmds").register(root)

    def one(name: str, attr: str, as_name: str) -> Callable[[typer.Typer], None]:
        return lambda root: root.command(as_name)(getattr(module(name), attr))

    def registered(name: str) -> Callable[[typer.Typer], None]:
        return lambda root: module(name).register(root)

    return {
        "init demo": registered("fund_cmds"),
        "import export": registered("data_cmds"),
        "projects": sub("project_cmds", "app", "projects"),
        "proposals": sub("proposal_cmds", "app", "proposals"),
        "organisations": sub("organisation_cmds", "app", "organisations"),
        "audit": sub("audit_cmds", "app", "audit"),
        "appraise portfolio": portfolio,
        "report": registered("report_cmds"),
        "conditions": conditions,
        "indicators": sub("scorecard_cmds", "indicators_app", "indicators"),
        "scenario": sub("conditions_cmds", "scenario_app", "scenario"),
        "fund": sub("money_cmds", "fund_app", "fund"),
        "tranches": sub("money_cmds", "tranche_app", "tranches"),
        "rates": sub("rates_cmds", "app", "rates"),
        # issue 17 names the exchange rates `pfund fx`: the same commands under that name
        "fx": sub(
            "rates_cmds",
            "app",
            "fx",
            help="Exchange rates: the same commands as `pfund rates` (import, list, show).",
        ),
        "users": sub("users_cmds", "app", "users"),
        "serve": one("users_cmds", "serve_cmd", "serve"),
        "screen": sub("screen_cmds", "app", "screen"),
        "grievances": sub("grievance_cmds", "app", "grievances"),
        "match": sub("match_cmds", "app", "match"),
        "backup restore": registered("backup_cmds"),
        "keys": sub("keys_cmds", "app", "keys"),
        "licences": sub("licence_cmds", "app", "licences"),
        "loans": sub("instrument_cmds", "loans", "loans"),
        "guarantees": sub("instrument_cmds", "guarantees", "guarantees"),
        "agreements": sub("agreement_cmds", "app", "agreements"),
        "companies": sub("company_cmds", "app", "companies"),
        "donors": sub("donor_cmds", "app", "donors"),
        "results": sub("results_cmds", "app", "results"),
        "committee": sub("committee_cmds", "app", "committee"),
        "doctor": one("doctor_cmds", "doctor", "doctor"),
        "docs": sub("docs_cmds", "app", "docs"),
        "jobs": sub("job_cmds", "app", "jobs"),
        "worker": one("job_cmds", "worker_cmd", "worker"),
    }


MOUNTS = _mounts()
COMMANDS = {name: key for key in MOUNTS for name in key.split()}
# The order of ``pfund --help``, as Typer lists an app: its single commands, then groups.
SINGLE = (
    "init",
    "demo",
    "export",
    "appraise",
    "report",
    "serve",
    "backup",
    "restore",
    "doctor",
    "worker",
)
ORDER = (*SINGLE, *(name for name in COMMANDS if name not in SINGLE))


def main() -> None:
    app()
