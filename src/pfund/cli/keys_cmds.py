"""``pfund keys status|rotate|encrypt``: the data keys that seal protected fields.

Shows key ids, counts and the keys file's path, never key material or a protected value.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from pfund.cli.common import (
    JsonOption,
    console,
    err_console,
    handled,
    print_json,
    require_existing_store,
    settings_of,
)
from pfund.services.data_keys import encrypt_clear, key_status, rotate
from pfund.services.runtime import Runtime, open_runtime

app = typer.Typer(help="Data keys: what they seal, rotation, sealing clear values.")


@contextmanager
def _store(ctx: typer.Context) -> Iterator[Runtime]:
    """The store, opened without sealing clear values, so that they can be reported."""
    with handled():
        require_existing_store(settings_of(ctx).database_url)
        rt = open_runtime(settings_of(ctx), seal_clear=False)
        try:
            yield rt
        finally:
            rt.close()


@app.command("status")
def status_cmd(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Key ids in use and how many values each seals; exits 1 if any value is in clear
    or sealed with a key the keys file does not hold."""
    with _store(ctx) as rt:
        status = key_status(rt)
    if as_json:
        print_json(status)
    else:
        console.print(f"Keys file: {status.keys_file}", highlight=False)
        console.print(f"Current data key: {status.current_key}")
        console.print(f"Data keys in the file: {', '.join(status.keys_in_file)}")
        for key_id, count in status.values_by_key.items():
            console.print(f"  {key_id}: {count:,} protected values")
        for name, count in status.clear_values.items():
            err_console.print(f"[bold red]in clear:[/] {name}: {count:,} values")
        if status.clear_values:
            err_console.print("Run 'pfund keys encrypt' to seal them.")
        for key_id in status.missing_keys:
            err_console.print(
                f"[bold red]missing key:[/] values are sealed with {key_id}, which "
                f"{status.keys_file} does not hold"
            )
    if status.clear_values or status.missing_keys:
        raise typer.Exit(1)


@app.command("rotate")
def rotate_cmd(
    ctx: typer.Context,
    keep_old: Annotated[
        bool, typer.Option("--keep-old", help="Keep the old data key in the keys file.")
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """Add a new data key, reseal every protected value with it (one transaction,
    audited), then drop the old key from the keys file. Stop the server first: a running
    one still seals with the key it started with."""
    with _store(ctx) as rt, handled():
        report = rotate(rt, keep_old=keep_old)
    if as_json:
        print_json(report)
        return
    console.print(
        f"Resealed {report.resealed:,} protected values with data key {report.new_key} "
        f"({report.keys_file}).",
        highlight=False,
    )
    if report.dropped_keys:
        console.print(f"Dropped the old keys: {', '.join(report.dropped_keys)}.")
    if report.kept_keys:
        console.print(f"Kept the old keys: {', '.join(report.kept_keys)}.")


@app.command("encrypt")
def encrypt_cmd(ctx: typer.Context) -> None:
    """Seal protected values an older pfund left in clear (audited; opening the store
    for any other command does it too)."""
    with _store(ctx) as rt, handled():
        written = encrypt_clear(rt)
    console.print(f"Sealed {written:,} protected values that were in clear.")
