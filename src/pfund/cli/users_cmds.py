"""``pfund users add|list|roles|token`` and ``pfund serve``: accounts and the web service."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import (
    JsonOption,
    console,
    err_console,
    handled,
    print_json,
    runtime,
    settings_of,
)
from pfund.domain.account import Role
from pfund.services import accounts

app = typer.Typer(help="Staff accounts and their roles.", no_args_is_help=True)
RolesOpt = Annotated[
    list[Role],
    typer.Option(
        "--role", "-r", help="A role (repeat for several): admin, analyst, reviewer, compliance."
    ),
]


def _password(from_stdin: bool) -> str:
    """From PFUND_NEW_PASSWORD, standard input, or a prompt; never from the command line."""
    if value := os.environ.get("PFUND_NEW_PASSWORD"):
        return value
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    username: str,
    role: RolesOpt,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """Add a staff account (the password is asked for, never passed as an argument)."""
    with runtime(ctx) as rt:
        user = accounts.add_user(
            rt, username, _password(password_stdin), roles=role, display_name=name
        )
    if as_json:
        print_json(user)
    else:
        console.print(f"Added {user.username} ({', '.join(r.value for r in user.roles)}).")


@app.command("list")
def list_cmd(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    with runtime(ctx) as rt:
        users = accounts.list_users(rt)
    if as_json:
        print_json(users)
        return
    table = Table("user", "name", "roles", "active")
    for u in users:
        table.add_row(
            u.username, u.display_name, ", ".join(r.value for r in u.roles), str(u.active)
        )
    console.print(table)


@app.command("roles")
def roles_cmd(
    ctx: typer.Context,
    username: str,
    role: RolesOpt,
    inactive: Annotated[
        bool, typer.Option(help="Disable the account and revoke its tokens.")
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """Set an account's roles (replacing the old ones), or disable it."""
    with runtime(ctx) as rt:
        user = accounts.set_roles(rt, username, role, active=not inactive)
    if as_json:
        print_json(user)
    else:
        console.print(
            f"{user.username}: {', '.join(r.value for r in user.roles)}, active={user.active}"
        )


@app.command("token")
def token_cmd(
    ctx: typer.Context,
    username: str,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    as_json: bool = JsonOption,
) -> None:
    """Issue an API bearer token (shown once; only its hash is stored)."""
    with runtime(ctx) as rt:
        issued = accounts.issue_token(rt, username, label=label)
    if as_json:
        print_json(issued)
    else:
        console.print(issued.token, highlight=False)


def serve_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (one per core).")] = 1,
) -> None:
    """Serve the API, the public portal and the staff workspace."""
    import uvicorn

    from pfund.api import create_app
    from pfund.api.logs import log_config

    settings = settings_of(ctx)
    with handled():
        create_app(settings).state.runtime.close()  # fail here, clearly, on bad settings
    if settings.environment == "development":
        err_console.print("[yellow]development mode:[/] placeholder secret; not for production")
    console.print(f"pfund on http://{host}:{port}/  (API: /api/v1/openapi.json)")
    # Workers are separate processes: each builds its app from the environment.
    os.environ["PFUND_DATABASE_URL"] = settings.database_url
    if settings.dataset:
        os.environ["PFUND_DATASET"] = str(settings.dataset)
    uvicorn.run(
        "pfund.api.app:serve_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        log_config=log_config(),  # no exception text, traceback or query string
    )
