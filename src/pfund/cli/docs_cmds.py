"""``pfund docs``: the pages of the documentation that are generated from the code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pfund.cli.common import console, err_console

app = typer.Typer(help="Generate the documentation's pages that come from the code.")


@app.command("cli-reference")
def cli_reference_cmd(
    docs: Annotated[
        Path, typer.Option("--docs", help="The documentation folder (with en/ and ru/).")
    ] = Path("docs"),
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if a committed page is stale."),
    ] = False,
) -> None:
    """Write the CLI reference (docs/en/reference/cli.md and its Russian twin) from the
    commands themselves, or check that the committed one is current."""
    from pfund.cli.reference import stale_references, write_references

    if check:
        stale = stale_references(docs)
        for path in stale:
            err_console.print(f"stale: {path} (run 'pfund docs cli-reference')", highlight=False)
        raise typer.Exit(1 if stale else 0)
    for path in write_references(docs):
        console.print(f"wrote {path}", highlight=False)
