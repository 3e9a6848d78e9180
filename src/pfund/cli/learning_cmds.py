"""``pfund results outturn|expost``: what finished projects really cost, and their
ex-post appraisal beside the ex-ante one (issue 15, learning from results)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import JsonOption, console, print_json, runtime, working
from pfund.errors import PfundError
from pfund.results.expost import portfolio_movement
from pfund.services.appraisal import load_inputs
from pfund.services.learning import ExPostLine, expost_lines, import_outturns
from pfund.services.runtime import Runtime


def register(app: typer.Typer) -> None:
    app.command("outturn")(outturn_cmd)
    app.command("expost")(expost_cmd)


def outturn_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .csv, .json or .yaml file: project,year,cost.")],
    as_json: bool = JsonOption,
) -> None:
    """Import what completed projects really cost, by year; all or nothing."""
    with runtime(ctx) as rt, working("Checking and importing outturns...", quiet=as_json):
        result = import_outturns(rt, file)
    if as_json:
        print_json(result)
        return
    console.print(
        f"Imported {result.imported} outturn years for {len(result.projects)} projects "
        f"from {result.file}: {', '.join(result.projects)}."
    )


def expost_cmd(
    ctx: typer.Context,
    project_id: Annotated[
        str | None, typer.Argument(help="A finished project (default: every one).")
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Ex-post NPV, BCR and ERR of finished projects (outturn, outcomes reported or
    verified) beside their ex-ante appraisal at likely values."""
    with runtime(ctx) as rt:
        lines = expost_lines(rt, project_id)
    if as_json:
        print_json(lines)
        return
    table = Table("id", "cost ×", "outcome ×", "NPV m: ante → post", "BCR", "ERR")
    for line in lines:
        table.add_row(
            line.id,
            f"{line.realised_cost / line.estimated_cost:.2f}" if line.estimated_cost else "-",
            f"{line.benefit_scale:.2f}{' v' if line.verified else ''}" if line.reported else "-",
            f"{_m(line.ex_ante_npv)} → {_m(line.ex_post_npv)}",
            f"{_num(line.ex_ante_bcr)} → {_num(line.ex_post_bcr)}",
            f"{_pct(line.ex_ante_err)} → {_pct(line.ex_post_err)}",
        )
    console.print(table)
    console.print(_summary(lines))
    with runtime(ctx) as rt:
        try:
            said = _policy_line(rt)
        except PfundError:  # no active pipeline to move: nothing to say
            said = ""
    if said:
        console.print(said, markup=False)


def _m(value: float | None) -> str:
    return "-" if value is None else f"{value / 1e6:,.1f}"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _summary(lines: list[ExPostLine]) -> str:
    if not lines:
        return "No finished project has an outturn yet (`pfund results outturn FILE`)."
    return (
        f"{len(lines)} finished projects. cost ×: realised / estimated cost; outcome ×: "
        "achieved / target outcome, reported or, marked v, verified (reported × the "
        "verification factor) where a verifier checked it; - where nothing is reported."
    )


def _policy_line(rt: Runtime) -> str:
    """Which optimism-bias policy is in force and, when it is not ``auto``, how much
    ``auto`` would move the active pipeline's likely cost, area by area."""
    inputs = load_inputs(rt)
    mode = inputs.policy.optimism_bias
    said = f"Optimism-bias policy in force: {mode} (policy.yaml, optimism_bias)."
    if mode == "auto":
        return said
    auto = load_inputs(rt, optimism_bias="auto").calibration
    if auto is None:
        return said
    moved = portfolio_movement(inputs.projects, auto.areas)
    before = sum(m.cost_before for m in moved)
    after = sum(m.cost_after for m in moved)
    parts = ", ".join(
        f"{m.area} {m.cost_after / m.cost_before:.2f}x ({m.source})"
        for m in moved
        if m.cost_before and abs(m.cost_after - m.cost_before) > 0.005 * m.cost_before
    )
    return (
        f"{said} Under auto the pipeline's likely cost would move from "
        f"{before / 1e6:,.1f} m to {after / 1e6:,.1f} m ({after / before - 1:+.1%})"
        + (f": {parts}." if parts else ".")
    )
