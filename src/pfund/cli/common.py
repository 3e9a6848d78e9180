"""What every command shares: settings from the global options, error handling, output.

A user error prints its message and every problem, then exits 1, never a traceback.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError, DataError, IntegrityError, OperationalError

from pfund.errors import NotFound, PfundError, store_refusal
from pfund.services.runtime import Runtime, open_runtime
from pfund.settings import Settings

console = Console()
err_console = Console(stderr=True)


def settings_of(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    if not isinstance(obj, Settings):
        raise RuntimeError("settings were not set up by the main callback")
    return obj


@contextmanager
def runtime(ctx: typer.Context, *, create: bool = False) -> Iterator[Runtime]:
    """An open store for one command, with user errors turned into clean exits.

    Only the commands that make a store (``init``, ``demo``, ``restore``) pass
    ``create``: any other command naming a SQLite file that does not exist stops, rather
    than silently creating an empty store under a mistyped name.
    """
    with handled():
        settings = settings_of(ctx)
        if not create:
            require_existing_store(settings.database_url)
        rt = open_runtime(settings)
        try:
            yield rt
        finally:
            rt.close()


def require_existing_store(url: str) -> None:
    """Refuse a SQLite URL whose file is missing; other databases are the server's to say."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return  # said by open_runtime, in the usual words
    if not parsed.get_backend_name().startswith("sqlite"):
        return
    name = parsed.database or ""
    if name in ("", ":memory:") or name.startswith("file:"):
        return
    path = Path(name)
    if not path.exists():
        raise NotFound(
            f"no database at {path}: `pfund init` or `pfund demo` creates one "
            "(or check --db / PFUND_DATABASE_URL)"
        )


@contextmanager
def handled() -> Iterator[None]:
    try:
        yield
    except PfundError as err:
        from pfund.cli.refusals import refusal_lines  # the CLI's words for a refusal

        message, lines = refusal_lines(err)
        err_console.print("[bold red]error:[/] ", end="", highlight=False)
        err_console.print(message, highlight=False, markup=False)
        for line in lines:
            err_console.print(f"  - {line}", highlight=False, markup=False)
        raise typer.Exit(1) from None
    except (IntegrityError, DataError) as err:
        # Said without the driver's text, which quotes the refused row.
        refusal = store_refusal(err)
        err_console.print(f"[bold red]error:[/] {refusal.message}", highlight=False)
        raise typer.Exit(1) from None
    except OperationalError as err:
        err_console.print(f"[bold red]error:[/] cannot use the database: {err.orig}")
        raise typer.Exit(1) from None
    except ArgumentError as err:
        err_console.print(f"[bold red]error:[/] not a usable database URL: {err}")
        raise typer.Exit(1) from None
    except ValidationError as err:
        # Each problem in words (field and reason), not pydantic's text with its reprs.
        err_console.print("[bold red]error:[/] invalid settings or input", highlight=False)
        for e in err.errors():
            where = ".".join(str(part) for part in e["loc"]) or "input"
            err_console.print(f"  - {where}: {e['msg']}", highlight=False, markup=False)
        raise typer.Exit(1) from None


def to_jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return to_jsonable(value.model_dump(mode="python"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def words(value: Any) -> str:
    """A value as a person reads it: never a Python repr (``<Enum...>``, ``datetime.date``)."""
    if isinstance(value, BaseModel):
        return words(value.model_dump(mode="python"))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value).replace("_", " ")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), ",f")
    if isinstance(value, dict):
        return "; ".join(f"{str(k).replace('_', ' ')} {words(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return ", ".join(words(v) for v in value)
    if value is None:
        return "-"
    return str(value)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2) + "\n")


def money(amount: Decimal, currency: str = "USD") -> str:
    """Amounts the way a board reads them: USD 1.23 bn, USD 45.0 m."""
    value = float(amount)
    for limit, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{currency} {value / limit:,.2f} {suffix}"
    return f"{currency} {value:,.2f}"


JsonOption = typer.Option(False, "--json", help="Print the result as JSON.")


@contextmanager
def progress_bar(description: str, *, quiet: bool = False) -> Iterator[Callable[[int, int], None]]:
    """A Rich progress bar fed by ``callback(done, total)``; silent with --json."""
    if quiet:
        yield lambda _done, _total: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@contextmanager
def working(description: str, *, quiet: bool = False) -> Iterator[None]:
    """A spinner for a step whose length is unknown."""
    if quiet:
        yield
        return
    with err_console.status(description, spinner="dots"):
        yield


def optional_day(text: str | None) -> date | None:
    """An ``--on`` day as typed (YYYY-MM-DD), or None for the service's own today."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a date (YYYY-MM-DD)") from None
