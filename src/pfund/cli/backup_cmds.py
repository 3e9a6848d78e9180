"""``pfund backup FILE`` and ``pfund restore FILE``: the whole store, encrypted.

The passphrase comes from PFUND_BACKUP_PASSPHRASE, standard input or a prompt, never from
the command line, where other users of the machine and the shell history would see it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from pfund.cli.common import JsonOption, console, print_json, runtime, working
from pfund.services.backup import backup, restore

FileArg = Annotated[Path, typer.Argument(help="The backup file (age-encrypted).")]
StdinOption = Annotated[
    bool, typer.Option("--passphrase-stdin", help="Read the passphrase from standard input.")
]


def _passphrase(from_stdin: bool, *, confirm: bool) -> str:
    if value := os.environ.get("PFUND_BACKUP_PASSPHRASE"):
        return value
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Backup passphrase", hide_input=True, confirmation_prompt=confirm))


def backup_cmd(
    ctx: typer.Context,
    file: FileArg,
    passphrase_stdin: StdinOption = False,
    as_json: bool = JsonOption,
) -> None:
    """Copy the whole store, protected fields included, into one encrypted file."""
    secret = _passphrase(passphrase_stdin, confirm=True)
    with runtime(ctx) as rt, working("Copying the store", quiet=as_json):
        header = backup(rt, file, secret)
    if as_json:
        print_json(header)
        return
    rows = sum(header.tables.values())
    console.print(
        f"Backed up {rows:,} rows of {sum(1 for n in header.tables.values() if n)} tables to "
        f"{file} (audit event {header.audit_seq}, schema {header.revision}). "
        "Open it with 'pfund restore' or 'age -d'; keep the passphrase apart from the file."
    )


def restore_cmd(
    ctx: typer.Context,
    file: FileArg,
    passphrase_stdin: StdinOption = False,
    as_json: bool = JsonOption,
) -> None:
    """Restore a backup into an empty store (a new SQLite file or PostgreSQL database)."""
    secret = _passphrase(passphrase_stdin, confirm=False)
    with runtime(ctx, create=True) as rt, working("Restoring the store", quiet=as_json):
        report = restore(rt, file, secret)
    if as_json:
        print_json(report)
        return
    console.print(
        f"Restored {sum(report.tables.values()):,} rows from {report.file}, written "
        f"{report.created_at:%Y-%m-%d %H:%M} UTC; the audit chain of {report.audit_events} "
        "events checks out."
    )


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)
