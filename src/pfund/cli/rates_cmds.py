"""``pfund rates``: import dated exchange rates, list them, show a conversion."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import JsonOption, console, print_json, runtime
from pfund.io.rates import ECB_SOURCE
from pfund.services import gate as money_gate
from pfund.services.rates import import_rates, list_rates, show_rate

app = typer.Typer(
    help="Exchange rates (ECB reference rates per euro): import, list, convert.",
    no_args_is_help=True,
)


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A CSV in the ECB layout: Date,USD,JPY,...")],
    source: Annotated[
        str, typer.Option(help="Who published the rates (kept with each rate).")
    ] = ECB_SOURCE,
    source_ru: Annotated[
        str | None,
        typer.Option(
            help="The source in Russian, as the Russian pages show it (default: the ECB's "
            "name in Russian when --source is the ECB's; otherwise none)."
        ),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Store every rate of the file, or none: each bad row, field and reason is named.

    Rates are per euro, one row per day (eurofxref-hist.csv as the ECB publishes it);
    N/A means none was published. A rate already stored must agree with the file.
    """
    with runtime(ctx) as rt:
        result = import_rates(rt, file, source=source, source_ru=source_ru)
    if as_json:
        print_json(result)
        return
    console.print(
        f"Imported {result.file}: {result.added} new rates, {result.unchanged} already stored, "
        f"{result.days} days from {result.first} to {result.last}, "
        f"{len(result.currencies)} currencies per EUR ({result.source}; "
        f"sha256 {result.sha256[:16]}).",
        highlight=False,
    )


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    currency: Annotated[str | None, typer.Option(help="Only rates of EUR in this.")] = None,
    since: Annotated[str | None, typer.Option(help="From this day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this day (YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 200,
    as_json: bool = JsonOption,
) -> None:
    """Stored rates, newest first, with their source."""
    with runtime(ctx) as rt:
        rates = list_rates(rt, currency=currency, since=_day(since), until=_day(until), limit=limit)
    if as_json:
        print_json(rates)
        return
    table = Table("day", "pair", "rate", "source", title="Exchange rates")
    for r in rates:
        table.add_row(r.day.isoformat(), f"{r.base}/{r.quote}", str(r.rate), r.source)
    console.print(table)


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    currency: Annotated[str, typer.Argument(help="The currency to convert from, e.g. EUR.")],
    to: Annotated[str | None, typer.Option(help="Into this (default: the fund's).")] = None,
    day: Annotated[
        str | None, typer.Option("--date", help="For this day (default: today, UTC).")
    ] = None,
    amount: Annotated[str | None, typer.Option(help="Convert this amount too.")] = None,
    as_json: bool = JsonOption,
) -> None:
    """The rate a conversion on that day uses (or the latest within the fund's allowed
    age, stated), derived through the euro when needed; refused when there is none."""
    with runtime(ctx) as rt:
        shown = show_rate(
            rt,
            currency,
            to,
            day=_day(day) or money_gate.today(),
            amount=None if amount is None else _amount(amount),
        )
    if as_json:
        print_json(shown)
        return
    console.print(shown.stated, highlight=False)
    if shown.amount is not None and shown.converted is not None:
        r = shown.rate
        console.print(
            f"{r.base} {shown.amount:,} = {r.quote} {shown.converted:,} ({shown.rounding})",
            highlight=False,
        )


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"'{text}' is not a date (YYYY-MM-DD)") from exc


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except ArithmeticError as exc:
        raise typer.BadParameter(f"'{text}' is not an amount") from exc
    if not value.is_finite() or value < 0:
        raise typer.BadParameter(f"'{text}' is not an amount")
    return value
