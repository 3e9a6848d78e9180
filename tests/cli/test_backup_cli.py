"""``pfund backup`` and ``pfund restore`` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pfund.cli.app import app
from tests.cli.conftest import as_json

SECRET = "correct horse battery staple\n"


@pytest.mark.usefixtures("demo_db")
def test_backup_then_restore_into_a_new_database(database_url: str, tmp_path: Path) -> None:
    """From the demo store (SQLite or PostgreSQL) into a new SQLite file."""
    file = tmp_path / "fund.age"
    runner = CliRunner()
    header = runner.invoke(
        app,
        ["--db", database_url, "backup", str(file), "--passphrase-stdin", "--json"],
        input=SECRET,
    )
    header_json = as_json(header)
    assert header_json["audit_seq"] > 0 and file.exists()
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    wrong = runner.invoke(
        app, ["--db", target, "restore", str(file), "--passphrase-stdin"], input="nope nope nope\n"
    )
    assert wrong.exit_code == 1 and "wrong passphrase" in wrong.output
    assert "Traceback" not in wrong.output
    done = runner.invoke(
        app, ["--db", target, "restore", str(file), "--passphrase-stdin"], input=SECRET
    )
    assert done.exit_code == 0, done.output
    assert "audit chain" in done.output
    verified = runner.invoke(app, ["--db", target, "audit", "verify"])
    assert verified.exit_code == 0 and "intact" in verified.output
    again = runner.invoke(
        app, ["--db", target, "restore", str(file), "--passphrase-stdin"], input=SECRET
    )
    assert again.exit_code == 1 and "not empty" in again.output
