"""``pfund loans`` and ``pfund guarantees``: instruments beyond grants."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Column, Table

from pfund.cli.common import JsonOption, console, money, optional_day, print_json, runtime
from pfund.services.instruments import (
    LoanView,
    call_guarantee,
    guarantee_view,
    import_instruments,
    list_instruments,
    loan_view,
    repay_loan,
)

loans = typer.Typer(
    help="Loans to projects: schedules, repayments, arrears and their grant-equivalent.",
    no_args_is_help=True,
)
guarantees = typer.Typer(
    help="Guarantees of projects' debts: exposure, expected cost and calls.",
    no_args_is_help=True,
)

ProjectArg = typer.Argument(help="The project id, e.g. GOV-MED-01.")
DayOption = typer.Option("--on", help="The day to judge arrears on (YYYY-MM-DD; default today).")


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(f"'{text}' is not an amount (e.g. 1250000.00)") from None
    if not value.is_finite():
        raise typer.BadParameter(f"'{text}' is not an amount (e.g. 1250000.00)")
    return value


@loans.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A YAML or JSON file with loans: and guarantees:.")],
    as_json: bool = JsonOption,
) -> None:
    """Record the loans and guarantees of a file, all or nothing."""
    with runtime(ctx) as rt:
        done = import_instruments(rt, file)
    if as_json:
        print_json(done)
        return
    console.print(
        f"{done.file}: loans {', '.join(done.loans) or 'none'}; "
        f"guarantees {', '.join(done.guarantees) or 'none'}.",
        highlight=False,
    )


def _summary(v: LoanView) -> str:
    t, cur = v.terms, v.terms.currency
    return (
        f"{t.project_id}: {money(t.principal, cur)} at {t.annual_rate:%} a year, "
        f"{t.periods_per_year} instalments a year, {t.grace_periods} of grace then "
        f"{t.instalments} ({t.method.value}); grant element {v.grant_element:.2%} at "
        f"{v.discount_rate:%}, grant-equivalent {money(v.grant_equivalent, cur)}; "
        f"repaid {money(v.principal_repaid, cur)} principal and "
        f"{money(v.interest_received, cur)} interest; arrears "
        f"{money(v.arrears_total, cur)}"
        + (f", {v.days_late} days late" if v.days_late else "")
        + _in_fund(v)
    )


def _in_fund(v: LoanView) -> str:
    """A loan in another currency: its fund-currency equivalents and the rate used."""
    if v.grant_equivalent_fund is None or v.outstanding_fund is None:
        return f"; {v.conversion}" if v.conversion else ""
    fx = v.fund_currency
    return (
        f"; in {fx}: outstanding {money(v.outstanding_fund, fx)}, grant-equivalent "
        f"{money(v.grant_equivalent_fund, fx)} at {v.conversion}"
    )


CurrencyOption = typer.Option(
    "--currency", help="The instrument's currency, which the amount is in (checked; default it)."
)
MoneyDayOption = typer.Option(
    "--on", help="The day the money moved, whose rate converts it (YYYY-MM-DD; default today)."
)


@loans.command("list")
def list_cmd(
    ctx: typer.Context, on: Annotated[str | None, DayOption] = None, as_json: bool = JsonOption
) -> None:
    """Every loan with its grant-equivalent, what came back and its arrears."""
    with runtime(ctx) as rt:
        found = list_instruments(rt, on=optional_day(on))
    if as_json:
        print_json(found.loans)
        return
    for view in found.loans:
        console.print(_summary(view), highlight=False)
    if not found.loans:
        console.print("No loans: every project is a grant or a guarantee.")


@loans.command("schedule")
def schedule_cmd(
    ctx: typer.Context,
    project: Annotated[str, ProjectArg],
    on: Annotated[str | None, DayOption] = None,
    as_json: bool = JsonOption,
) -> None:
    """A loan's repayment schedule, instalment by instalment."""
    with runtime(ctx) as rt:
        view = loan_view(rt, project, on=optional_day(on))
    if as_json:
        print_json(view)
        return
    cur = view.terms.currency
    fx = view.fund_currency.lower() if view.rate is not None else ""
    extra = [f"payment\n{view.fund_currency}", f"balance\n{view.fund_currency}"] if fx else []
    money = [f"{m}\n{cur}" for m in ("interest", "principal", "payment", "balance")] + extra
    # sums are never cut: the table's edges give way first
    table = Table(
        "#",
        Column("due", no_wrap=True),
        *(Column(m, justify="right", no_wrap=True) for m in money),
        "status",
        box=box.SIMPLE,
        pad_edge=False,
    )
    for row in view.schedule:
        keys = ["number", "due", "interest", "principal", "payment", "balance"]
        keys += [f"payment_{fx}", f"balance_{fx}"] if fx else []
        table.add_row(*(str(row[k]) for k in (*keys, "status")))
    console.print(table)
    console.print(_summary(view), highlight=False)
    console.print(
        f"Rounding: {view.rounding}. Discount rate: {view.discount_rate_source}.", highlight=False
    )


@loans.command("arrears")
def arrears_cmd(
    ctx: typer.Context,
    project: Annotated[str, ProjectArg],
    on: Annotated[str | None, DayOption] = None,
    as_json: bool = JsonOption,
) -> None:
    """Instalments past due and not fully paid, with how late each is."""
    with runtime(ctx) as rt:
        view = loan_view(rt, project, on=optional_day(on))
    if as_json:
        print_json(
            {
                "project_id": project,
                "on": view.on,
                "total": view.arrears_total,
                "days_late": view.days_late,
                "overdue": view.arrears,
            }
        )
        return
    if not view.arrears:
        console.print(f"{project}: no arrears on {view.on}.", highlight=False)
        return
    for late in view.arrears:
        console.print(
            f"{project}: instalment {late['number']} due {late['due']}, unpaid "
            f"{late['unpaid']}, {late['days_late']} days late",
            highlight=False,
        )
    console.print(
        f"Total in arrears: {money(view.arrears_total, view.terms.currency)}.", highlight=False
    )


@loans.command("repay")
def repay_cmd(
    ctx: typer.Context,
    project: Annotated[str, ProjectArg],
    amount: Annotated[str, typer.Argument(help="What the borrower paid, in the loan's currency.")],
    currency: Annotated[str | None, CurrencyOption] = None,
    on: Annotated[str | None, MoneyDayOption] = None,
    as_json: bool = JsonOption,
) -> None:
    """Take a repayment in: interest first, then principal, oldest instalment first; a
    loan in another currency is converted at the day's rate, its exchange difference
    booked."""
    value = _amount(amount)
    with runtime(ctx) as rt:
        done = repay_loan(rt, project, value, currency=currency, on=optional_day(on))
    if as_json:
        print_json(done)
        return
    text = (
        f"{project}: {done.amount} received, {done.interest} interest and {done.principal} "
        f"principal; {money(done.outstanding, done.currency)} outstanding"
    )
    if done.rate is not None and done.fund_amount is not None:
        text += (
            f"; worth {money(done.fund_amount, done.fund_currency)} at {done.rate.stated()}, "
            f"exchange difference {money(done.exchange_difference, done.fund_currency)}"
        )
    console.print(text + ".", highlight=False)


@guarantees.command("list")
def guarantees_list(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Every guarantee with its expected cost, what was called and the exposure left."""
    with runtime(ctx) as rt:
        found = list_instruments(rt)
    if as_json:
        print_json(found.guarantees)
        return
    for g in found.guarantees:
        cur = g.terms.currency
        console.print(
            f"{g.terms.project_id}: exposure {money(g.terms.exposure, cur)} to "
            f"{g.terms.beneficiary}, expected cost {money(g.expected_cost, cur)}, called "
            f"{money(g.called, cur)}, left {money(g.exposure_left, cur)}",
            highlight=False,
        )
    if not found.guarantees:
        console.print("No guarantees.")


@guarantees.command("show")
def guarantees_show(
    ctx: typer.Context, project: Annotated[str, ProjectArg], as_json: bool = JsonOption
) -> None:
    """One guarantee: its terms, expected cost and calls."""
    with runtime(ctx) as rt:
        g = guarantee_view(rt, project)
    if as_json:
        print_json(g)
        return
    cur = g.terms.currency
    console.print(
        f"{project}: exposure {money(g.terms.exposure, cur)} ({g.terms.valid_from} to "
        f"{g.terms.valid_until}); {g.basis} = {money(g.expected_cost, cur)}; called "
        f"{money(g.called, cur)}, left {money(g.exposure_left, cur)}.",
        highlight=False,
    )


@guarantees.command("call")
def guarantees_call(
    ctx: typer.Context,
    project: Annotated[str, ProjectArg],
    amount: Annotated[
        str, typer.Argument(help="What the lender called, in the guarantee's currency.")
    ],
    reason: Annotated[str, typer.Option(help="Why the call is paid (audited; 10+ characters).")],
    currency: Annotated[str | None, CurrencyOption] = None,
    on: Annotated[str | None, MoneyDayOption] = None,
    as_json: bool = JsonOption,
) -> None:
    """Pay a guarantee's call out of the fund balance (within exposure and validity); in
    another currency, at the day's rate."""
    value = _amount(amount)
    with runtime(ctx) as rt:
        g = call_guarantee(
            rt, project, value, reason=reason, currency=currency, on=optional_day(on)
        )
    if as_json:
        print_json(g)
        return
    cur = g.terms.currency
    console.print(
        f"{project}: call of {money(value, cur)} paid; called {money(g.called, cur)}, "
        f"exposure left {money(g.exposure_left, cur)}.",
        highlight=False,
    )
