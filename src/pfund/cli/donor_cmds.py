"""``pfund donors import|list|show|receive|receipts|reverse-receipt|report``: agreements."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from pfund.cli.common import JsonOption, console, money, optional_day, print_json, runtime
from pfund.domain.donor_agreement import DonorReceipt
from pfund.reports.donor import write_donor_report
from pfund.services.donor_report import donor_report
from pfund.services.donors import (
    AgreementView,
    agreement_view,
    donor_register,
    import_agreements,
    import_receipts,
    record_receipt,
    reverse_receipt,
)

app = typer.Typer(
    help="Donor agreements: instalments in the donor's currency, receipts matched against "
    "them, earmarks the optimiser respects, and each donor's report.",
    no_args_is_help=True,
)

DayOption = typer.Option("--on", help="The day to judge (YYYY-MM-DD; default: today).")


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A YAML, JSON or CSV file of agreements.")],
    as_json: bool = JsonOption,
) -> None:
    """Record the agreements of a file, all or nothing."""
    with runtime(ctx) as rt:
        result = import_agreements(rt, file)
    if as_json:
        print_json(result)
        return
    console.print(
        f"{result.file}: {result.imported} agreements recorded ({', '.join(result.ids)}).",
        highlight=False,
    )


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    on: Annotated[str | None, DayOption] = None,
    as_json: bool = JsonOption,
) -> None:
    """Every agreement: total, received, still due, late instalments, earmark."""
    with runtime(ctx) as rt:
        views = donor_register(rt, today=optional_day(on))
    if as_json:
        print_json(views)
        return
    table = Table(
        "agreement",
        "donor",
        "total",
        "received",
        "still due",
        "late",
        "fee",
        "earmark",
        box=box.SIMPLE,
        show_edge=False,
        pad_edge=False,
    )
    for v in views:
        a = v.agreement
        table.add_row(
            a.id,
            a.contributor,
            money(a.total, a.currency),
            money(v.received, a.currency),
            money(v.outstanding, a.currency),
            str(v.late),
            f"{a.admin_fee:.2%}",
            a.earmark.stated(),
        )
    console.print(table)


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    agreement: Annotated[str, typer.Argument(help="The agreement id, e.g. DA-0001.")],
    on: Annotated[str | None, DayOption] = None,
    as_json: bool = JsonOption,
) -> None:
    """One agreement: its instalments (paid, part-paid, late) and receipts with rates."""
    with runtime(ctx) as rt:
        view = agreement_view(rt, agreement, today=optional_day(on))
    if as_json:
        print_json(view)
        return
    _print_view(view)


def _print_view(view: AgreementView) -> None:
    a = view.agreement
    console.print(
        f"{a.id} {a.contributor} {a.reference}: {a.title}; {money(a.total, a.currency)}, "
        f"signed {a.signed}, fee {a.admin_fee:.2%}, earmark: {a.earmark.stated()}",
        highlight=False,
    )
    for i in view.instalments:
        late = f", {i.days_late} days late" if i.days_late else ""
        console.print(
            f"  instalment {i.number} due {i.due}: {money(i.amount, a.currency)}, paid "
            f"{money(i.paid, a.currency)} ({i.status.replace('_', '-')}{late})",
            highlight=False,
        )
    for r in view.receipts:
        console.print(
            f"  receipt {r.receipt_id} on {r.day}: {money(r.amount, r.currency)} = "
            f"{a.currency} {r.agreement_amount:,.2f} (rate {r.rate} of {r.rate_date}) = "
            f"{view.fund_currency} {r.fund_amount:,.2f} (rate {r.fund_rate} of "
            f"{r.fund_rate_date}); fee {view.fund_currency} {r.fee:,.2f}{_reversal(r)}",
            highlight=False,
        )


def _reversal(r: DonorReceipt) -> str:
    if r.standing:
        return ""
    when = f" on {r.reversed_at:%Y-%m-%d}" if r.reversed_at else ""
    return f"; REVERSED{when} by {r.reversed_by}: {r.reversal_reason}"


@app.command("receive")
def receive_cmd(
    ctx: typer.Context,
    agreement: Annotated[str, typer.Argument(help="The agreement id, e.g. DA-0001.")],
    amount: Annotated[str, typer.Option(help="The amount that arrived, e.g. 1000000.00.")],
    currency: Annotated[str, typer.Option(help="Its currency (may differ from the agreement's).")],
    day: Annotated[str, typer.Option(help="The day it arrived (YYYY-MM-DD).")],
    memo: Annotated[str, typer.Option(help="A note kept with the receipt.")] = "",
    as_json: bool = JsonOption,
) -> None:
    """Book a receipt: matched to the instalments, received by the ledger, rates recorded."""
    when = optional_day(day)
    assert when is not None
    with runtime(ctx) as rt:
        done = record_receipt(
            rt, agreement, day=when, amount=_amount(amount), currency=currency, memo=memo
        )
    if as_json:
        print_json(done)
        return
    r = done.receipt
    console.print(
        f"{r.agreement_id} receipt {r.number}: {money(r.amount, r.currency)} booked as "
        f"{done.fund_currency} {r.fund_amount:,.2f} (rate {r.fund_rate} of {r.fund_rate_date}); "
        f"fee {done.fund_currency} {r.fee:,.2f}.",
        highlight=False,
    )


@app.command("receipts")
def receipts_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A YAML, JSON or CSV file of receipts.")],
    as_json: bool = JsonOption,
) -> None:
    """Book every receipt of a file, all or nothing."""
    with runtime(ctx) as rt:
        done = import_receipts(rt, file)
    if as_json:
        print_json(done)
        return
    console.print(f"{done.file}: {len(done.booked)} receipts booked.", highlight=False)


@app.command("reverse-receipt")
def reverse_receipt_cmd(
    ctx: typer.Context,
    receipt: Annotated[
        str, typer.Argument(help="The receipt: its agreement and number, e.g. DA-0001-2.")
    ],
    reason: Annotated[
        str, typer.Option(help="Why it is taken back (wrong donor, wrong amount, bounced).")
    ],
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            help="Value date of the opposing ledger entries (YYYY-MM-DD; default today; not "
            "before the receipt's day, not in the future).",
        ),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Reverse a receipt booked in error: the ledger's entries opposed (dated --on), the
    receipt kept and marked reversed, the instalments matched again without it."""
    with runtime(ctx) as rt:
        done = reverse_receipt(rt, receipt, reason=reason, on=optional_day(on))
    if as_json:
        print_json(done)
        return
    r = done.receipt
    console.print(
        f"{r.receipt_id} reversed on {done.on}: {money(r.amount, r.currency)} of {r.day} "
        "taken back, "
        f"{done.fund_currency} {done.reversed:,.2f} out of the ledger ({r.reversal_reason}).",
        highlight=False,
    )
    for i in done.instalments:
        console.print(
            f"  instalment {i.number} due {i.due}: {i.status.replace('_', '-')}, outstanding "
            f"{i.outstanding:,.2f}",
            highlight=False,
        )


@app.command("report")
def report_cmd(
    ctx: typer.Context,
    contributor: Annotated[str, typer.Argument(help="The donor's ISO 3166-1 alpha-3 code.")],
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the HTML (English and Russian).")
    ] = Path("pfund-donors"),
    on: Annotated[str | None, DayOption] = None,
    as_json: bool = JsonOption,
) -> None:
    """What the donor's money funded, achieved and what is held: HTML in both languages."""
    with runtime(ctx) as rt:
        report = donor_report(rt, contributor, today=optional_day(on))
    paths = write_donor_report(report, out)
    if as_json:
        print_json({"report": report, "files": [str(p) for p in paths]})
        return
    cur = report.fund_currency
    console.print(
        f"{report.name}: received {money(report.received, cur)}, fees "
        f"{money(report.fees, cur)}, funding {len(report.projects)} projects "
        f"{money(report.attributed, cur)}, held {money(report.held, cur)}.",
        highlight=False,
    )
    console.print(f"Report: {paths[0]} (in Russian: {paths[1]})", highlight=False)


def _amount(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise typer.BadParameter(f"'{text}' is not an amount") from None
