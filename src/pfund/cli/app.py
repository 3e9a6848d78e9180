"""The ``pfund`` command: one Typer app, sub-commands grouped by subject."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pfund import __version__
from pfund.cli import (
    audit_cmds,
    backup_cmds,
    committee_cmds,
    conditions_cmds,
    data_cmds,
    docs_cmds,
    doctor_cmds,
    fund_cmds,
    grievance_cmds,
    instrument_cmds,
    job_cmds,
    keys_cmds,
    licence_cmds,
    match_cmds,
    money_cmds,
    organisation_cmds,
    portfolio_cmds,
    project_cmds,
    proposal_cmds,
    rates_cmds,
    report_cmds,
    results_cmds,
    scorecard_cmds,
    screen_cmds,
    users_cmds,
)
from pfund.settings import Settings

app = typer.Typer(
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


fund_cmds.register(app)
data_cmds.register(app)
app.add_typer(project_cmds.app, name="projects")
app.add_typer(proposal_cmds.app, name="proposals")
app.add_typer(organisation_cmds.app, name="organisations")
app.add_typer(audit_cmds.app, name="audit")
portfolio_cmds.register(app)
report_cmds.register(app)
scorecard_cmds.register(conditions_cmds.app)
app.add_typer(conditions_cmds.app, name="conditions")
app.add_typer(scorecard_cmds.indicators_app, name="indicators")
app.add_typer(conditions_cmds.scenario_app, name="scenario")
app.add_typer(money_cmds.fund_app, name="fund")
app.add_typer(money_cmds.tranche_app, name="tranches")
app.add_typer(rates_cmds.app, name="rates")
# issue 17 names the exchange rates `pfund fx`: the same commands under that name too
app.add_typer(
    rates_cmds.app,
    name="fx",
    help="Exchange rates: the same commands as `pfund rates` (import, list, show).",
)
portfolio_cmds.app.command("approve")(money_cmds.approve_cmd)
app.add_typer(users_cmds.app, name="users")
app.command("serve")(users_cmds.serve_cmd)
app.add_typer(screen_cmds.app, name="screen")
app.add_typer(grievance_cmds.app, name="grievances")
app.add_typer(match_cmds.app, name="match")
backup_cmds.register(app)
app.add_typer(keys_cmds.app, name="keys")
app.add_typer(licence_cmds.app, name="licences")
app.add_typer(instrument_cmds.loans, name="loans")
app.add_typer(instrument_cmds.guarantees, name="guarantees")
app.add_typer(results_cmds.app, name="results")
app.add_typer(committee_cmds.app, name="committee")
app.command("doctor")(doctor_cmds.doctor)
app.add_typer(docs_cmds.app, name="docs")
app.add_typer(job_cmds.app, name="jobs")
app.command("worker")(job_cmds.worker_cmd)


def main() -> None:
    app()
