"""``pfund agreements``: grant agreements, from drawing up to closure, and refunds."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from pfund.cli.common import JsonOption, console, money, optional_day, print_json, runtime
from pfund.domain.agreement import Amendment
from pfund.services import agreements as svc

app = typer.Typer(
    help="Grant agreements: an approved project's parties, amount, schedule, conditions "
    "precedent and reporting duties; amendments and extensions are versioned; closure "
    "and cancellation settle the ledger; refunds and clawbacks return money to it.",
)

ReasonOption = typer.Option(help="Why (at least 10 characters; kept in the version history).")
VersionOption = typer.Option(
    "--version", help="The version the change was read from (refused if it changed since)."
)


@app.callback(invoke_without_command=True)
def main(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """With no command: the list of agreements."""
    if ctx.invoked_subcommand is None:
        list_cmd(ctx, as_json=as_json)


@app.command("list")
def list_cmd(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Every agreement with its status, version and where its money stands."""
    with runtime(ctx) as rt:
        lines = svc.list_agreements(rt)
    if as_json:
        print_json(lines)
        return
    table = Table(
        "agreement", "project", "status", "amount", "paid", "refunded",
        box=box.SIMPLE, show_edge=False, pad_edge=False,
    )  # fmt: skip
    for column in table.columns:
        column.no_wrap = True
    for line in lines:
        a, m = line.agreement, line.money
        table.add_row(
            a.id, a.project_id, a.status.value, money(a.amount, a.currency),
            money(m.paid, a.currency), money(m.refunded, a.currency),
        )  # fmt: skip
    console.print(table)


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    agreement: Annotated[str, typer.Argument(help="The agreement id, e.g. AGR-0001.")],
    as_json: bool = JsonOption,
) -> None:
    """One agreement, its money and every version."""
    with runtime(ctx) as rt:
        line = svc.get_agreement(rt, agreement)
    if as_json:
        print_json(line)
        return
    a, m = line.agreement, line.money
    console.print(
        f"{a.id} for {a.project_id}: {a.status.value}, version {a.version}; "
        f"{_amt(a.amount, a.currency)} with {', '.join(a.parties)}; signed "
        f"{a.signed_on or '-'}, ends {a.ends_on or '-'}",
        highlight=False,
    )
    console.print(
        f"paid {_amt(m.paid, a.currency)}, unpaid {_amt(m.unpaid, a.currency)}, refunded "
        f"{_amt(m.refunded, a.currency)}, headroom {_amt(m.headroom, a.currency)}",
        highlight=False,
    )
    for v in line.versions:
        changed = "; ".join(f"{k}: {x}" for k, x in v.changes.items())
        console.print(
            f"  v{v.version} {v.kind.value} {v.at:%Y-%m-%d} by {v.actor}: {v.reason}"
            + (f" ({changed})" if changed else ""),
            highlight=False,
            markup=False,
        )


@app.command("draw-up")
def draw_up_cmd(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="An approved project's id.")],
    conditions_precedent: Annotated[str, typer.Option(help="Conditions precedent (EN).")] = "",
    conditions_precedent_ru: Annotated[str, typer.Option(help="The same in Russian.")] = "",
    reporting_duties: Annotated[str, typer.Option(help="Reporting duties (EN).")] = "",
    reporting_duties_ru: Annotated[str, typer.Option(help="The same in Russian.")] = "",
    ends_on: Annotated[str | None, typer.Option(help="End of the work (YYYY-MM-DD).")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Draw up the agreement of an approved project (a draft, to be signed)."""
    with runtime(ctx) as rt:
        made = svc.draw_up(
            rt,
            project,
            conditions_precedent=conditions_precedent,
            conditions_precedent_ru=conditions_precedent_ru,
            reporting_duties=reporting_duties,
            reporting_duties_ru=reporting_duties_ru,
            ends_on=optional_day(ends_on),
        )
    if as_json:
        print_json(made)
        return
    console.print(f"{made.id} drawn up for {made.project_id}.", highlight=False)


@app.command("sign")
def sign_cmd(
    ctx: typer.Context,
    agreement: Annotated[str, typer.Argument(help="The agreement id.")],
    on: Annotated[str, typer.Option("--on", help="The signature date (YYYY-MM-DD).")],
    version: Annotated[int | None, VersionOption] = None,
    as_json: bool = JsonOption,
) -> None:
    """Record the signature of a draft agreement."""
    day = optional_day(on)
    assert day is not None
    with runtime(ctx) as rt:
        done = svc.sign(rt, agreement, signed_on=day, version=version)
    _said(done, as_json)


@app.command("amend")
def amend_cmd(
    ctx: typer.Context,
    agreement: Annotated[str, typer.Argument(help="The agreement id.")],
    version: Annotated[int, VersionOption],
    reason: Annotated[str, ReasonOption],
    amount: Annotated[str | None, typer.Option(help="The new amount (fund currency).")] = None,
    ends_on: Annotated[str | None, typer.Option(help="A new end date: an extension.")] = None,
    reporting_duties: Annotated[str | None, typer.Option(help="New reporting duties.")] = None,
    reporting_duties_ru: Annotated[str | None, typer.Option(help="The same in Russian.")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Amend a signed agreement (amount, texts) or extend it (end date)."""
    with runtime(ctx) as rt:
        change = Amendment(
            version=version,
            reason=reason,
            amount=_amount(amount) if amount is not None else None,
            ends_on=optional_day(ends_on),
            reporting_duties=reporting_duties,
            reporting_duties_ru=reporting_duties_ru,
        )
        done = svc.amend(rt, agreement, change)
    _said(done, as_json)


def _lifecycle(name: str, doc: str) -> None:
    change = getattr(svc, name)

    def command(
        ctx: typer.Context,
        agreement: Annotated[str, typer.Argument(help="The agreement id.")],
        reason: Annotated[str, ReasonOption],
        version: Annotated[int | None, VersionOption] = None,
        as_json: bool = JsonOption,
    ) -> None:
        with runtime(ctx) as rt:
            done = change(rt, agreement, reason=reason, version=version)
        _said(done, as_json)

    command.__doc__ = doc
    app.command(name)(command)


_lifecycle("complete", "The work is done: a signed agreement becomes completed.")
_lifecycle("close", "Close a completed agreement: unpaid money decommitted, refunds re-pooled.")
_lifecycle("cancel", "Cancel an agreement: everything unpaid goes back to the fund balance.")


@app.command("refund")
def refund_cmd(
    ctx: typer.Context,
    agreement: Annotated[str, typer.Argument(help="The agreement id.")],
    amount: Annotated[
        str, typer.Argument(help="What the partner paid back, in the agreement's currency.")
    ],
    reason: Annotated[str, ReasonOption],
    clawback: Annotated[bool, typer.Option(help="Demanded by the fund, not volunteered.")] = False,
    version: Annotated[int | None, VersionOption] = None,
    currency: Annotated[
        str | None,
        typer.Option(
            help="The refund's currency, which must be the agreement's own: the fund's, or "
            "the currency its tranches were paid in (default)."
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option(help="The refund day (YYYY-MM-DD) whose rate converts it; default today."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Record a refund or clawback: at most what was paid, net of earlier refunds; in
    another currency than the fund's, converted at the refund day's rate with the exchange
    difference booked."""
    with runtime(ctx) as rt:
        done = svc.refund(
            rt,
            agreement,
            _amount(amount),
            reason=reason,
            clawback=clawback,
            version=version,
            currency=currency,
            on=optional_day(on),
        )
    _said(done, as_json)


def _said(done: svc.ChangeResult, as_json: bool) -> None:
    if as_json:
        print_json(done)
        return
    a = done.agreement
    text = f"{a.id}: {done.kind.value}, now {a.status.value} at version {a.version}"
    if done.decommitted:
        text += f"; {_amt(done.decommitted, a.currency)} decommitted"
    if done.refunded:
        text += f"; {_amt(done.refunded, done.currency or a.currency)} back from the partner"
    if done.rate:
        text += f" at {done.rate}"
    if done.exchange_difference:
        word = "gain" if done.exchange_difference > 0 else "loss"
        text += f"; exchange {word} {_amt(abs(done.exchange_difference), a.currency)}"
    if done.repooled:
        text += f"; {_amt(done.repooled, a.currency)} back in the fund balance"
    console.print(text + ".", highlight=False)


def _amt(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def _amount(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(f"'{text}' is not an amount (e.g. 1250.00)") from None
