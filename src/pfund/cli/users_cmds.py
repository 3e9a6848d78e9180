"""``pfund users add|list|roles|token|tokens|revoke|password`` and ``pfund serve``."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import (
    JsonOption,
    console,
    err_console,
    handled,
    print_json,
    require_existing_store,
    runtime,
    settings_of,
)
from pfund.domain.account import Role, TokenInfo
from pfund.services import accounts
from pfund.settings import Settings, serve_refusal

app = typer.Typer(help="Staff accounts and their roles.", no_args_is_help=True)
RolesOpt = Annotated[
    list[Role],
    typer.Option(
        "--role",
        "-r",
        help="A role (repeat for several): "
        + ", ".join(r.value for r in Role if r is not Role.PUBLIC)
        + ".",
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
    """Accounts, with how many valid API tokens each has."""
    with runtime(ctx) as rt:
        users = accounts.list_users(rt)
        tokens = accounts.list_tokens(rt)
    now = datetime.now(UTC)
    valid = {
        u.username: sum(t.username == u.username and t.valid_at(now) for t in tokens) for u in users
    }
    if as_json:
        print_json([u.model_dump(mode="json") | {"valid_tokens": valid[u.username]} for u in users])
        return
    table = Table("user", "name", "roles", "active", "valid tokens")
    for u in users:
        table.add_row(
            u.username,
            u.display_name,
            ", ".join(r.value for r in u.roles),
            str(u.active),
            str(valid[u.username]),
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
    days: Annotated[
        int | None, typer.Option(help="Days until it expires (PFUND_TOKEN_DAYS, 90).", min=1)
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Issue an API bearer token (shown once; only its hash is stored)."""
    with runtime(ctx) as rt:
        issued = accounts.issue_token(
            rt, username, label=label, days=days or settings_of(ctx).token_days
        )
    if as_json:
        print_json(issued)
    else:
        console.print(issued.token, highlight=False)
        expires = issued.expires_at.date() if issued.expires_at else "never"
        err_console.print(f"token id {issued.token_id}, expires {expires}", highlight=False)


@app.command("tokens")
def tokens_cmd(
    ctx: typer.Context,
    username: Annotated[str | None, typer.Argument(help="Only this user's.")] = None,
    as_json: bool = JsonOption,
) -> None:
    """API tokens: id, user, label, created, expires, state (never the token itself)."""
    with runtime(ctx) as rt:
        found = accounts.list_tokens(rt, username)
    if as_json:
        print_json(found)
        return
    now = datetime.now(UTC)
    table = Table("id", "user", "label", "created", "expires", "state")
    for t in found:
        expires = t.expires_at.date().isoformat() if t.expires_at else "never"
        table.add_row(
            t.token_id,
            t.username,
            t.label,
            t.created_at.date().isoformat(),
            expires,
            _state(t, now),
        )
    console.print(table)


def _state(token: TokenInfo, now: datetime) -> str:
    if token.revoked:
        return "revoked"
    return "valid" if token.valid_at(now) else "expired"


@app.command("revoke")
def revoke_cmd(
    ctx: typer.Context,
    token_id: Annotated[
        str | None, typer.Argument(help="The token's id (pfund users tokens).")
    ] = None,
    user: Annotated[str | None, typer.Option(help="Revoke every token of this user.")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Revoke one API token by its id, or every token of a user (--user)."""
    if (token_id is None) == (user is None):
        err_console.print("[bold red]error:[/] give a token id or --user, not both")
        raise typer.Exit(2)
    with runtime(ctx) as rt:
        if token_id is not None:
            info = accounts.revoke_token(rt, token_id)
            result: dict[str, object] = {"revoked": [info.token_id], "username": info.username}
        else:
            assert user is not None
            count = accounts.revoke_user_tokens(rt, user)
            result = {"revoked": count, "username": user}
    if as_json:
        print_json(result)
    elif token_id is not None:
        console.print(f"Revoked token {token_id} of {result['username']}.")
    else:
        console.print(f"Revoked {result['revoked']} token(s) of {user}.")


@app.command("password")
def password_cmd(
    ctx: typer.Context,
    username: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """Change an account's password (asked twice, never an argument); ends its sessions."""
    with runtime(ctx) as rt:
        ended = accounts.change_password(rt, username, _password(password_stdin))
    if as_json:
        print_json({"username": username, "sessions_ended": ended})
    else:
        console.print(f"Changed the password of {username}; ended {ended} session(s).")


def serve_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (one per core).")] = 1,
    worker_timeout: Annotated[
        int,
        typer.Option(
            min=1,
            help="Seconds a worker may take to answer the supervisor's health check before "
            "it is restarted (starting under load takes a while).",
        ),
    ] = 60,
    graceful_timeout: Annotated[
        int,
        typer.Option(
            min=1, help="Seconds the requests in flight get to finish after SIGTERM or Ctrl-C."
        ),
    ] = 30,
) -> None:
    """Serve the API, the public portal and the staff workspace.

    Logs are JSON lines on standard error. The first SIGTERM (or Ctrl-C) stops taking
    new connections, lets the requests in flight finish (up to --graceful-timeout) and
    exits 0. A worker that cannot start logs why and stops the whole service (exit 3)
    rather than being restarted for ever.
    """
    settings = settings_of(ctx)
    check_serve(settings, host)
    with handled():
        require_existing_store(settings.database_url)
        from pfund.api import create_app

        create_app(settings).state.runtime.close()  # fail here, clearly, on bad settings
    console.print(f"pfund on http://{host}:{port}/  (API: /api/v1/openapi.json)")
    # Workers are separate processes: each builds its app from the environment.
    os.environ["PFUND_DATABASE_URL"] = settings.database_url
    if settings.dataset:
        os.environ["PFUND_DATASET"] = str(settings.dataset)
    from pfund.cli.serving import serve

    code = serve(
        host=host,
        port=port,
        workers=workers,
        worker_timeout=worker_timeout,
        graceful_timeout=graceful_timeout,
    )
    raise typer.Exit(code)


def check_serve(settings: Settings, host: str) -> None:
    """Exit 1, saying why, if these settings must not serve ``host``."""
    if reason := serve_refusal(settings, host):
        err_console.print(f"[bold red]error:[/] {reason}", highlight=False)
        raise typer.Exit(1)
