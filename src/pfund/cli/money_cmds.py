"""``pfund fund size|contributions|ledger`` and ``pfund tranches``: the fund's money."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from pfund.cli.common import JsonOption, console, err_console, money, print_json, runtime
from pfund.errors import InvalidInput, Problem
from pfund.io.files import read_records
from pfund.services.funding import (
    envelope,
    fund_size,
    ledger_view,
    record_contributions,
    reverse_contributions,
)
from pfund.services.tranches import (
    ScheduleRow,
    approve,
    disburse_tranche,
    list_tranches,
    release_tranche,
    reschedule,
)
from pfund.services.unfreeze import unfreeze_tranche
from pfund.web.counts import counted

fund_app = typer.Typer(help="Size the fund and keep its ledger.", no_args_is_help=True)
tranche_app = typer.Typer(
    help="Release and pay tranches of approved projects.", no_args_is_help=True
)


@fund_app.command("size")
def size_cmd(
    ctx: typer.Context,
    share: Annotated[
        float | None, typer.Option(help="Share of GDP in percent (default 0.25, i.e. 0.25%).")
    ] = None,
    year: Annotated[
        int | None, typer.Option(help="GDP year (default: the newest shipped).")
    ] = None,
    rule: Annotated[
        str, typer.Option(help="gdp_share, capped_share or defence_share.")
    ] = "gdp_share",
    cap: Annotated[
        float | None,
        typer.Option(help="capped_share: the most one member pays, in percent of the total."),
    ] = None,
    defence_share: Annotated[
        float | None,
        typer.Option(help="defence_share: share of defence spending in percent (default 10)."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """What each member pays: a share of its GDP (or of defence spending), by rule.

    Every share is given in percent: --share 0.25 is 0.25% of GDP, --cap 20 is 20% of
    the total, --defence-share 10 is 10% of defence spending.
    """
    with runtime(ctx) as rt:
        size = fund_size(
            rt,
            share=_fraction(share, "--share"),
            year=year,
            rule=rule,
            defence_share=_fraction(defence_share, "--defence-share"),
            cap=_fraction(cap, "--cap"),
        )
    if as_json:
        print_json(size)
        return
    table = Table("member", "GDP", "contribution", "share", title=f"{size.rule}, {size.year} GDP")
    for m in size.members:
        table.add_row(
            f"{m.name} ({m.iso3})",
            money(m.gdp_usd),
            money(m.contribution),
            f"{m.share_of_total:.1%}",
        )
    console.print(table)
    console.print(f"Total: {money(size.total)} a year ({size.share_of_gdp:.4%} of GDP).")


def _fraction(percent: float | None, option: str) -> Decimal | None:
    """A share given in percent as a fraction, refused (in percent) outside (0, 100]."""
    if percent is None:
        return None
    if not 0 < percent <= 100:
        raise InvalidInput(
            f"{option} is a percentage",
            [Problem(f"must be above 0 and at most 100 (percent), got {percent:g}", field=option)],
        )
    return Decimal(str(percent)) / 100


@fund_app.command("contributions")
def contributions_cmd(
    ctx: typer.Context,
    year: Annotated[int, typer.Option(help="GDP year of the contributions.")],
    received: Annotated[bool, typer.Option(help="Record the receipts too.")] = False,
    member: Annotated[list[str] | None, typer.Option(help="Only these members (ISO3).")] = None,
    reverse: Annotated[
        bool,
        typer.Option(
            help="Correct an error: reverse the pledges (with --received: the receipts) "
            "recorded for the year, by audited reversing entries."
        ),
    ] = False,
    reason: Annotated[str, typer.Option(help="Why a reversal is made (kept in the log).")] = "",
    as_json: bool = JsonOption,
) -> None:
    """Record members' pledges (and receipts) for a year in the ledger, once each.

    A member's pledge or receipt for a year already recorded is refused; to correct one,
    reverse it with --reverse (receipts before pledges) and record it again.
    """
    if reverse:
        with runtime(ctx) as rt:
            reversal = reverse_contributions(
                rt, year=year, receipts=received, members=member, reason=reason
            )
        if as_json:
            print_json(reversal)
        else:
            console.print(
                f"Reversed the {reversal.kind}s of {', '.join(reversal.members)} for "
                f"{reversal.year}: {money(reversal.reversed)}."
            )
        return
    with runtime(ctx) as rt:
        result = record_contributions(rt, year=year, received=received, members=member)
    if as_json:
        print_json(result)
    else:
        console.print(
            f"{result.members} members pledged {money(result.pledged)}; "
            f"received {money(result.received)}."
        )


@fund_app.command("ledger")
def ledger_cmd(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Balances of every account, contributors' positions and the ledger's invariants."""
    with runtime(ctx) as rt:
        view = ledger_view(rt)
    if as_json:
        print_json(view)
    else:
        table = Table("account", "balance", title=f"Ledger: {view.entries} entries")
        for account, balance in view.balances.items():
            table.add_row(account, money(balance))
        console.print(table)
        console.print("Invariants hold." if not view.invariants else "")
    for problem in view.invariants:
        err_console.print(f"invariant broken: {problem}", markup=False)
    if view.invariants:
        raise typer.Exit(1)


def approve_cmd(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(help="The portfolio run to approve, e.g. OPT-0001.")],
    as_json: bool = JsonOption,
) -> None:
    """Approve a run: its projects are approved and their yearly tranches committed.

    When fund.yaml has a committee approve runs (approves_portfolio), the run needs its
    passed decision, and the committee's selection is what is approved."""
    with runtime(ctx) as rt:
        result = approve(rt, run_id)
    if as_json:
        print_json(result)
    else:
        by = (
            f" as the committee decided ({result.committee_record})"
            if result.committee_record
            else ""
        )
        console.print(
            f"Approved {counted(result.projects, 'projects')} of {result.run}{by}: "
            f"{counted(result.tranches, 'tranches')}, {money(result.committed)} committed."
        )


@tranche_app.command("list")
def list_cmd(
    ctx: typer.Context,
    project: Annotated[str | None, typer.Option(help="Only this project's tranches.")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Tranches with year, amount, stage and status."""
    with runtime(ctx) as rt:
        tranches = list_tranches(rt, project)
    if as_json:
        print_json(tranches)
        return
    table = Table("tranche", "year", "amount", "own currency", "stage", "status")
    for t in tranches:
        own = (
            f"{money(t.original_amount, t.original_currency)} at {t.rate} ({t.rate_date})"
            if t.original_amount is not None and t.original_currency
            else ""
        )
        table.add_row(
            t.id, str(t.year), money(t.amount, t.currency), own, str(t.stage), t.status.value
        )
    console.print(table)


@tranche_app.command("release")
def release_cmd(
    ctx: typer.Context,
    tranche: Annotated[str, typer.Argument(help="The tranche id.")],
    early: Annotated[
        bool, typer.Option("--early", help="Release before the tranche's year (audited).")
    ] = False,
    reason: Annotated[str, typer.Option(help="Why it is released early (with --early).")] = "",
    as_json: bool = JsonOption,
) -> None:
    """Release a tranche if the gate lets it through; otherwise say every reason it does not.

    The gate: the conditions it needs, screening hits, the vetting of democratic-forces
    counterparties, and its year (from 1 January; earlier only with --early --reason).
    """
    with runtime(ctx) as rt:
        step = release_tranche(rt, tranche, early=early, reason=reason)
    if as_json:
        print_json(step)
    else:
        console.print(f"Released {step.tranche}: {money(step.amount)}.")


@tranche_app.command("disburse")
def disburse_cmd(
    ctx: typer.Context,
    tranche: Annotated[str, typer.Argument(help="The tranche id.")],
    as_json: bool = JsonOption,
) -> None:
    """Pay a released tranche; the gate is checked again (conditions, screening, vetting)."""
    with runtime(ctx) as rt:
        step = disburse_tranche(rt, tranche)
    if as_json:
        print_json(step)
    else:
        console.print(f"Disbursed {step.tranche}: {money(step.amount)}.")
        if step.original_currency is not None and step.exchange_difference is not None:
            diff = step.exchange_difference
            kind = "exchange loss" if diff > 0 else "exchange gain" if diff < 0 else "no difference"
            console.print(
                f"Paid {step.original_currency} {step.original_amount:,} at {step.rate} "
                f"({step.rate_date}): it cost {step.cost:,} in the fund's currency; "
                f"{kind} of {abs(diff):,} booked against the commitment's rate.",
                highlight=False,
            )


@tranche_app.command("unfreeze")
def unfreeze_cmd(
    ctx: typer.Context,
    tranche: Annotated[str, typer.Argument(help="The frozen tranche id.")],
    reason: Annotated[str, typer.Option(help="Why it is unfrozen (kept in the audit log).")],
    as_json: bool = JsonOption,
) -> None:
    """Return a frozen tranche to committed or released, once its conditions hold again.

    Never automatic: a condition met again unfreezes nothing until someone decides it.
    """
    with runtime(ctx) as rt:
        step = unfreeze_tranche(rt, tranche, reason)
    if as_json:
        print_json(step)
    else:
        state = "committed (planned)" if step.status == "planned" else step.status
        console.print(f"Unfrozen {step.tranche}: {money(step.amount)} back to {state}.")


@fund_app.command("envelope")
def envelope_cmd(
    ctx: typer.Context,
    years: Annotated[str, typer.Option(help="First and last year, e.g. 2026-2035.")] = "2026-2035",
    ramp: Annotated[
        str, typer.Option(help="Phase-in as year:fraction pairs, e.g. 2026:0.1,2027:0.25,2028:0.5.")
    ] = "",
    growth: Annotated[float, typer.Option(help="Nominal GDP growth a year, e.g. 0.03.")] = 0.0,
    rule: Annotated[
        str, typer.Option(help="gdp_share, capped_share or defence_share.")
    ] = "gdp_share",
    share: Annotated[float | None, typer.Option(help="Share of GDP in percent (0.25).")] = None,
    budget_file: Annotated[
        Path | None, typer.Option("--budget-file", help="Also write it as a budget file (CSV).")
    ] = None,
    fraction: Annotated[
        float, typer.Option(help="Share of the envelope the budget file gives the pipeline.")
    ] = 1.0,
    as_json: bool = JsonOption,
) -> None:
    """Contributions by year with ramp-up and growth: the envelope the budgets come from."""
    with runtime(ctx) as rt:
        first, last = _years(years)
        result = envelope(
            rt,
            first=first,
            last=last,
            ramp=_ramp(ramp),
            growth=Decimal(str(growth)),
            rule=rule,
            share=Decimal(str(share)) / 100 if share is not None else None,
        )
    if budget_file is not None:
        rows = [
            f"{y.year},{(y.total * Decimal(str(fraction))).quantize(Decimal('0.01'))}"
            for y in result.years
        ]
        budget_file.write_text("year,budget\n" + "\n".join(rows) + "\n", encoding="utf-8")
    if as_json:
        print_json(result)
        return
    table = Table(
        "year",
        "phase-in",
        "contributions",
        title=f"Envelope ({result.rule}, {result.gdp_year} GDP, growth {result.growth:.1%})",
    )
    for y in result.years:
        table.add_row(str(y.year), f"{y.ramp:.0%}", money(y.total))
    console.print(table)
    if budget_file is not None:
        console.print(
            f"Wrote {budget_file} ({fraction:.0%} of the envelope); use it with "
            "`pfund portfolio optimize --budget-file`."
        )


def _years(text: str) -> tuple[int, int]:
    try:
        first, _, last = text.partition("-")
        return int(first), int(last or first)
    except ValueError:
        raise InvalidInput(
            "bad years", [Problem(f"'{text}' is not like 2026-2035", field="years")]
        ) from None


def _ramp(text: str) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        year, _, fraction = pair.partition(":")
        try:
            out[int(year)] = Decimal(fraction)
        except (ValueError, ArithmeticError):
            raise InvalidInput(
                "bad ramp", [Problem(f"'{pair}' is not year:fraction", field="ramp")]
            ) from None
    return out


@tranche_app.command("schedule")
def schedule_cmd(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="An approved project.")],
    file: Annotated[Path, typer.Argument(help="CSV with year,amount[,conditions (; separated)].")],
    as_json: bool = JsonOption,
) -> None:
    """Replace a project's planned tranches by your schedule (never above its commitment)."""
    with runtime(ctx) as rt:
        result = reschedule(rt, project, _schedule_rows(file), source=file.name)
    if as_json:
        print_json(result)
    else:
        console.print(
            f"{result.project}: {result.tranches} tranches, {money(result.scheduled)} of "
            f"{money(result.commitment)} committed; {money(result.returned)} back to the fund."
        )


def _schedule_rows(path: Path) -> list[ScheduleRow]:
    rows, problems = [], []
    for record in read_records(path, key="tranches"):
        data = dict(record.data)
        conditions = str(data.pop("conditions", "") or "")
        try:
            rows.append(ScheduleRow(**data, conditions=[c for c in conditions.split(";") if c]))
        except ValidationError as err:
            problems += [
                Problem(e["msg"], path.name, record.row, ".".join(map(str, e["loc"])))
                for e in err.errors()
            ]
    if problems:
        raise InvalidInput(f"{path.name}: the payment schedule is not valid", problems)
    return rows
