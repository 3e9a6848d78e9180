"""``pfund conditions show|set|history``: the register of political conditions."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import JsonOption, console, print_json, runtime, working
from pfund.errors import InvalidInput, Problem
from pfund.io.dataset import load_dataset
from pfund.services import gate as money_gate
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.conditions import history, set_condition, show, verifiers
from pfund.services.scenarios import run_scenarios
from pfund.web.counts import counted

app = typer.Typer(help="Show and set the conditions that gate the money.", no_args_is_help=True)


@app.command("show")
def show_cmd(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Every condition, its status and protocol, and the stage the fund has reached."""
    with runtime(ctx) as rt:
        view = show(rt)
    if as_json:
        print_json(view)
        return
    table = Table(
        "condition",
        "stage",
        "status",
        "since",
        "verified by",
        title=f"Conditions: stage {view.stage_reached} reached",
    )
    for c in view.conditions:
        table.add_row(
            f"{c.code}\n{c.title}",
            "" if c.stage is None else str(c.stage),
            c.status,
            str(c.since or ""),
            "; ".join(c.verifier_names),
        )
    console.print(table)
    console.print(
        f"Unlocked: {', '.join(view.unlocked) or 'nothing'}; "
        f"{counted(view.frozen_tranches, 'frozen')}."
    )


@app.command("set")
def set_cmd(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The condition, e.g. ceasefire_holding.")],
    status: Annotated[str, typer.Argument(help="not_met, partly_met, met or reversed.")],
    evidence: Annotated[
        str,
        typer.Option(help="The report or statement that shows it (15+ characters) or its URL."),
    ],
    verifier: Annotated[
        str,
        typer.Option(help="A registered verifier, by code or name ('pfund conditions verifiers')."),
    ],
    on: Annotated[
        str | None, typer.Option(help="Date of the change, not after today (YYYY-MM-DD; today).")
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Change a condition's status with its evidence; a reversal freezes tranches."""
    with runtime(ctx) as rt:
        day = _date(on)
        result = set_condition(rt, code, status, evidence=evidence, verifier=verifier, on=day)
    if as_json:
        print_json(result)
        return
    console.print(
        f"{code}: {result.old} -> {result.new}. Stage reached: {result.stage_before} -> "
        f"{result.stage_after}."
    )
    if result.frozen:
        console.print(f"{counted(len(result.frozen), 'frozen')}:")
    for reason in result.frozen_reasons[:10]:
        console.print(f"  {reason}", markup=False)
    if len(result.frozen) > 10:
        console.print(f"  ... and {len(result.frozen) - 10} more (`pfund tranches list`).")


@app.command("verifiers")
def verifiers_cmd(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """The fund's registered verifiers: only their word can change a condition."""
    with runtime(ctx) as rt:
        registered = verifiers(rt)
    if as_json:
        print_json(registered)
        return
    table = Table("code", "name", "name (ru)", title="Registered verifiers")
    for v in registered:
        table.add_row(v.code, v.name, v.name_ru)
    console.print(table)


@app.command("history")
def history_cmd(
    ctx: typer.Context,
    code: Annotated[str | None, typer.Argument(help="One condition (default: all).")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Every change of status, with evidence, verifier and date."""
    with runtime(ctx) as rt:
        changes = history(rt, code)
    if as_json:
        print_json(changes)
        return
    table = Table("on", "condition", "from", "to", "evidence", "verifier", "by")
    for c in changes:
        table.add_row(str(c.on), c.code, c.old.value, c.new.value, c.evidence, c.verifier, c.actor)
    console.print(table)


def _date(value: str | None) -> date:
    if value is None:
        return money_gate.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            "bad date", [Problem(f"'{value}' is not YYYY-MM-DD", field="on")]
        ) from None


scenario_app = typer.Typer(help="Plan under scenarios of which conditions come when.")


@scenario_app.command("run")
def scenario_run(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(help="Scenario file (default: the fund's scenarios/default.yaml)."),
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            min=0.1,
            max=600,
            help="Seconds for each solve, if shorter than the policy's time limit.",
        ),
    ] = None,
    total_time: Annotated[
        float | None,
        typer.Option(
            "--total-time",
            min=0.0,
            help="Seconds for the whole batch of solves, scenarios then stages (default: "
            "each solve's limit added up); those it leaves no time for are not solved.",
        ),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """The best portfolio in expectation for each scenario, and if only stage k comes."""
    with runtime(ctx) as rt, working("Appraising and optimising per scenario...", quiet=as_json):
        path = file or load_dataset(rt.dataset).root / "scenarios" / "default.yaml"
        report = run_scenarios(
            rt,
            appraise_pipeline(load_inputs(rt)),
            path,
            time_limit=time_limit,
            total_time=total_time,
        )
    if as_json:
        print_json(report)
        return
    table = Table(
        "scenario",
        "status",
        "projects",
        "expected value",
        "expected envelope (m)",
        "expected spend (m)",
        title=f"Scenarios {report.record_id} ({report.file})",
    )
    for s in report.scenarios:
        table.add_row(
            s.scenario,
            s.status,
            str(len(s.chosen)),
            f"{s.expected_value:.3f}",
            f"{sum(s.expected_envelope_m.values()):,.0f}",
            f"{sum(s.expected_spend_m.values()):,.0f}",
        )
    console.print(table)
    stages = Table("if only this stage is reached", "status", "projects", "value", "cost (m)")
    for line in report.by_stage:
        stages.add_row(
            f"{line.max_stage}: {line.stage_name}",
            line.status,
            f"{len(line.chosen)} + {len(line.committed)} approved"
            if line.committed
            else str(len(line.chosen)),
            f"{line.value:.3f}",
            f"{line.cost_m:,.0f}",
        )
    console.print(stages)
    for line in report.by_stage:
        if line.message:
            console.print(f"stage {line.max_stage}: {line.message}", markup=False)
    if report.partial:
        console.print(
            f"The batch's {report.total_time:g} s ran out: {report.unsolved} scenario(s) or "
            "stage(s) not solved (no portfolio shown for them).",
            markup=False,
        )
