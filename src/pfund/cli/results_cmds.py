"""``pfund results import|show|link|report|late|outturn|expost``: indicators, partners'
reports, late ones, finished projects' outturns and their ex-post appraisal;
``units|sample|verify|link-tranche|payments|pay``: verification by sampling and payment by
verified results."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import JsonOption, console, money, print_json, runtime, working
from pfund.cli.job_cmds import QueueOption, queue_import_file
from pfund.errors import InvalidInput, Problem
from pfund.services.remainder import decide_remainder
from pfund.services.results import (
    ProjectResults,
    import_indicators,
    import_reports,
    issue_report_link,
    late_reports,
    project_results,
    set_direction,
)
from pfund.services.verification import (
    Sample,
    VerificationResult,
    draw_sample,
    import_units,
    link_tranche,
    pay_by_results,
    payments_due,
    read_findings,
    record_findings,
)
from pfund.services.verified import VerifiedFigure
from pfund.web.counts import counted

app = typer.Typer(
    help=(
        "Results: indicators per project, partners' reports, late reports, outturns, ex post;"
        " verification by sampling and payment by verified results."
    ),
    no_args_is_help=True,
)
FileArg = Annotated[Path, typer.Argument(help="A .csv, .json or .yaml file.")]


@app.command("import")
def import_cmd(
    ctx: typer.Context, file: FileArg, as_json: bool = JsonOption, queue: bool = QueueOption
) -> None:
    """Import indicators (each project named gets exactly the file's); all or nothing."""
    if queue:
        queue_import_file(ctx, "indicators", file, as_json=as_json)
        return
    with runtime(ctx) as rt, working("Checking and importing indicators...", quiet=as_json):
        result = import_indicators(rt, file)
    if as_json:
        print_json(result)
        return
    console.print(
        f"Imported {counted(result.imported, 'indicators')} for "
        f"{counted(len(result.projects), 'projects')} "
        f"from {result.file}: {', '.join(result.projects)}."
    )


@app.command("show")
def show(
    ctx: typer.Context,
    project_id: Annotated[str, typer.Argument(help="The project's id.")],
    as_json: bool = JsonOption,
) -> None:
    """A project's indicators: unit, baseline, target and achieved value per period, and
    where a verifier checked it, the verified value (factor and interval) and what was paid."""
    with runtime(ctx) as rt:
        results = project_results(rt, project_id)
    if as_json:
        print_json(results)
        return
    _print(results)


def _print(results: ProjectResults) -> None:
    if not results.indicators:
        console.print(f"{results.project} has no indicators yet (`pfund results import`).")
        return
    for view in results.indicators:
        i = view.indicator
        console.rule(f"[bold]{i.code}[/]  {i.name}")
        console.print(i.name_ru, markup=False)
        outcome = f"; measures predicted outcome {i.outcome}" if i.outcome else ""
        console.print(
            f"unit {i.unit}; baseline {i.baseline} on {i.baseline_date}; "
            f"regions {', '.join(i.regions) or '-'}{outcome}",
            markup=False,
        )
        if i.means_of_verification:
            console.print(f"verified by: {i.means_of_verification}", markup=False)
        checked = any(p.verified for p in view.periods)
        columns = ["period", "target", "reported", "report"]
        table = Table(*columns, *(["verified (factor, interval)", "paid"] if checked else []))
        for p in view.periods:
            achieved = "-" if p.achieved is None else f"{p.achieved:,}"
            row = [p.period, f"{p.target:,}", achieved, p.report or "-"]
            table.add_row(*row, *(_verified(p.verified) if checked else []))
        console.print(table)
    console.print(f"{counted(len(results.indicators), 'indicators')}.")


def _verified(v: VerifiedFigure | None) -> list[str]:
    """The verified value with its factor and interval, and the amount paid for it."""
    if v is None:
        return ["not verified", "-"]
    shown = (
        f"{v.verified:,.1f} ({v.verification}: ×{v.factor:.3f}, {v.confidence:.0%} "
        f"{v.factor_lower:.3f}-{v.factor_upper:.3f})"
    )
    return [shown, money(v.paid, v.currency or "") if v.paid is not None else "-"]


@app.command("link")
def link(
    ctx: typer.Context,
    project_id: Annotated[str, typer.Argument(help="The project's id.")],
    period: Annotated[str, typer.Argument(help="The period: 2030, 2030-H1 or 2030-Q3.")],
    due: Annotated[
        str | None, typer.Option(help="Due date (YYYY-MM-DD); default: period end + 45 days.")
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Issue the partner's report link for a project and period (shown once; a new link
    replaces the old one)."""
    with runtime(ctx) as rt:
        issued = issue_report_link(rt, project_id, period, due_on=_day(due, "due") if due else None)
    path = f"/report?t={issued.token}"
    if as_json:
        print_json({**issued.__dict__, "path": path})
        return
    console.print(
        f"Report {issued.report_id} due {issued.due_on}: send the partner the portal's "
        f"address followed by {path} (shown only now).",
        markup=False,
    )


@app.command("report")
def report(ctx: typer.Context, file: FileArg, as_json: bool = JsonOption) -> None:
    """Import partners' reports from CSV (project,period,indicator,value,unit[,region,note])."""
    with runtime(ctx) as rt, working("Checking and importing reports...", quiet=as_json):
        ids = import_reports(rt, file)
    if as_json:
        print_json({"file": file.name, "reports": ids})
        return
    console.print(f"Imported {len(ids)} reports from {file.name}: {', '.join(ids)}.")


@app.command("late")
def late(
    ctx: typer.Context,
    on: Annotated[str | None, typer.Option(help="As of this date (default: today).")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Reports past due and not in: requested and not sent, or never requested."""
    with runtime(ctx) as rt:
        found = late_reports(rt, today=_day(on, "on") if on else None)
    if as_json:
        print_json(found)
        return
    table = Table("project", "period", "due", "days late", "link issued")
    for item in found:
        table.add_row(
            item.project,
            item.period,
            str(item.due_on),
            str(item.days_late),
            item.report or "no",
        )
    console.print(table)
    console.print(f"{len(found)} late or missing reports.")


@app.command("units")
def units(ctx: typer.Context, file: FileArg, as_json: bool = JsonOption) -> None:
    """Import the units reports list (report,indicator,unit,stratum,reported): the
    population a verification sample is drawn from; all or nothing."""
    with runtime(ctx) as rt, working("Checking and importing units...", quiet=as_json):
        result = import_units(rt, file)
    if as_json:
        print_json(result)
        return
    console.print(f"Imported {result.imported} units for reports {', '.join(result.reports)}.")


@app.command("sample")
def sample(
    ctx: typer.Context,
    report_id: Annotated[str, typer.Argument(help="The report's id.")],
    indicator: Annotated[str, typer.Option(help="The indicator whose units are sampled.")],
    confidence: Annotated[float, typer.Option(help="Confidence, e.g. 0.95.")] = 0.95,
    precision: Annotated[float, typer.Option(help="Precision (half-width), e.g. 0.05.")] = 0.05,
    seed: Annotated[int | None, typer.Option(help="Seed (default: a random one).")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Draw and record a verification sample of a report's units (seeded, redrawable)."""
    with runtime(ctx) as rt:
        drawn = draw_sample(
            rt, report_id, indicator, confidence=confidence, precision=precision, seed=seed
        )
    if as_json:
        print_json(drawn)
        return
    _print_sample(drawn)


def _print_sample(drawn: Sample) -> None:
    r = drawn.record
    console.print(
        f"Verification {drawn.verification}: {len(drawn.units)} of {drawn.population} units "
        f"of {drawn.report} / {drawn.indicator} (confidence {drawn.confidence}, precision "
        f"{drawn.precision}); seed {r.seed}, method {r.method}, "
        f"population {r.population_digest[:12]}",
        markup=False,
    )
    table = Table("stratum", "units", "sampled")
    for s in r.strata:
        table.add_row(s.name or "-", str(s.population), str(s.sample))
    console.print(table)
    console.print("Recount: " + ", ".join(drawn.units), markup=False)


@app.command("verify")
def verify_cmd(
    ctx: typer.Context,
    verification_id: Annotated[str, typer.Argument(help="The verification's id.")],
    findings: Annotated[Path, typer.Argument(help="Findings file: unit,recounted.")],
    as_json: bool = JsonOption,
) -> None:
    """Record what was recounted per sampled unit; compute the verification factor."""
    found = read_findings(findings)
    with runtime(ctx) as rt:
        result = record_findings(rt, verification_id, found)
    if as_json:
        print_json(result)
        return
    _print_result(result)


def _print_result(r: VerificationResult) -> None:
    console.print(
        f"Verification {r.verification} of {r.report} / {r.indicator}: factor {r.factor:.4f} "
        f"({r.confidence:.0%} interval {r.lower:.4f} to {r.upper:.4f}) over {r.sample_size} "
        f"units; reported {r.reported_total:,.2f}, verified {r.verified_total:,.2f} "
        f"(lower {r.verified_lower:,.2f}); {r.failing_units} units more than 10 % off: "
        f"LQAS {'accepts' if r.lqas_accepted else 'rejects'} (at most {max(r.lqas_d or 0, 0)}).",
        markup=False,
    )


@app.command("link-tranche")
def link_tranche_cmd(
    ctx: typer.Context,
    tranche_id: Annotated[str, typer.Argument(help="The tranche's id.")],
    indicator: Annotated[str, typer.Argument(help="The indicator's code.")],
    period: Annotated[str, typer.Argument(help="The period it is earned on.")],
    kind: Annotated[str, typer.Option(help="all_or_nothing or scalable.")] = "scalable",
    threshold: Annotated[str, typer.Option(help="Value below which nothing is paid.")] = "0",
    target: Annotated[str | None, typer.Option(help="Value at which all is paid.")] = None,
    basis: Annotated[str, typer.Option(help="verified or lower_bound.")] = "verified",
    share: Annotated[str, typer.Option(help="Share paid at the threshold (scalable).")] = "0",
    as_json: bool = JsonOption,
) -> None:
    """Link a tranche to an indicator with its payment formula."""
    formula = {"kind": kind, "threshold": threshold, "basis": basis, "share_at_threshold": share}
    if target is not None:
        formula["target"] = target
    with runtime(ctx) as rt:
        linked = link_tranche(rt, tranche_id, indicator, period, formula)
    if as_json:
        print_json(linked)
        return
    f = linked.formula
    console.print(
        f"Tranche {linked.tranche} is earned on {linked.indicator} {linked.period}: "
        f"{f.kind.value}, threshold {f.threshold}, target {f.target}, on the {f.basis.value}.",
        markup=False,
    )


@app.command("payments")
def payments(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """What each tranche linked to a result would pay now, and why."""
    with runtime(ctx) as rt:
        due = payments_due(rt)
    if as_json:
        print_json(due)
        return
    for d in due:
        console.rule(f"[bold]{d.tranche}[/] ({d.status})  {d.indicator} {d.period}")
        verb = "paid" if d.status == "disbursed" else "pays now"
        console.print(
            f"{verb} {exact(d.amount, d.currency)}; not earned {exact(d.remainder, d.currency)}",
            markup=False,
        )
        for line in d.explanation:
            console.print(f"  {line}", markup=False)
        if d.unpaid is not None and (d.unpaid > 0 or d.remainder_decision):
            state = {"kept": "kept for the project", "returned": "returned to the fund"}
            decided = state.get(d.remainder_decision or "", "not yet decided")
            console.print(
                f"  unearned remainder {exact(d.unpaid, d.currency)}: {decided}"
                + ("" if d.remainder_decision else f" (`pfund results remainder {d.tranche}`)"),
                markup=False,
            )
    console.print(f"{len(due)} tranche{'s' * (len(due) != 1)} paid by results.")


@app.command("pay")
def pay(
    ctx: typer.Context,
    tranche_id: Annotated[str, typer.Argument(help="The released, linked tranche.")],
    as_json: bool = JsonOption,
) -> None:
    """Pay a linked tranche what its verified result earns, through the ledger's gate."""
    with runtime(ctx) as rt:
        step = pay_by_results(rt, tranche_id)
    if as_json:
        print_json(step)
        return
    console.print(f"Paid {step.amount:,} of tranche {step.tranche}.")


@app.command("remainder")
def remainder_cmd(
    ctx: typer.Context,
    tranche_id: Annotated[str, typer.Argument(help="A paid tranche linked to a result.")],
    decision: Annotated[str, typer.Argument(help="keep or return.")],
    reason: Annotated[str, typer.Option(help="Why (at least 10 characters; audited).")] = "",
    as_json: bool = JsonOption,
) -> None:
    """Keep the unearned remainder of a paid results tranche committed, or return it to
    the fund through the ledger."""
    with runtime(ctx) as rt:
        done = decide_remainder(rt, tranche_id, decision, reason)
    if as_json:
        print_json(done)
        return
    where = "returned to the fund" if done.decision == "returned" else "kept for the project"
    console.print(
        f"Remainder of {done.tranche}: {exact(Decimal(done.amount), done.currency)} {where}.",
        markup=False,
    )


@app.command("direction")
def direction_cmd(
    ctx: typer.Context,
    project_id: Annotated[str, typer.Argument(help="The project's id.")],
    code: Annotated[str, typer.Argument(help="The indicator's code.")],
    direction: Annotated[str, typer.Argument(help="increase, or decrease (lower is better).")],
    as_json: bool = JsonOption,
) -> None:
    """Set which way an indicator improves (decrease: deaths, costs, emissions)."""
    with runtime(ctx) as rt:
        done = set_direction(rt, project_id, code, direction)
    if as_json:
        print_json(done)
        return
    console.print(f"Indicator {done.code} of {project_id}: {done.direction.value}.", markup=False)


def exact(amount: Decimal, currency: str) -> str:
    """Money to the cent with its currency, as the ledger holds it: USD 1,358,823.53."""
    return f"{currency} {amount:,.2f}"


def _day(value: str, option: str) -> date:
    """A YYYY-MM-DD option as a date; anything else is refused naming the option."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            "bad date", [Problem(f"'{value}' is not a date as YYYY-MM-DD", field=option)]
        ) from None


def _register_learning() -> None:
    """``results outturn`` and ``results expost`` live in their own module."""
    from pfund.cli.learning_cmds import register

    register(app)


_register_learning()
