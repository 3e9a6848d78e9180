"""Run the real CLI in-process against a database of the test's own."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from pfund.cli.app import app
from tests.conftest import database_from_template

Invoke = Callable[..., Result]


@pytest.fixture
def cli(database_url: str) -> Invoke:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, ["--db", database_url, *args])

    return invoke


def _demo(url: str) -> None:
    result = CliRunner().invoke(app, ["--db", url, "demo", "--no-report"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def demo_db(database_url: str, cli: Invoke) -> Invoke:
    """The test's database holds what ``pfund demo --no-report`` makes: a copy of one such
    database made once per process (``database_from_template``)."""
    database_from_template(database_url, "cli_demo", _demo)
    return cli


def _optimise(url: str) -> None:
    result = CliRunner().invoke(app, ["--db", url, "portfolio", "optimize", "--time-limit", "20"])
    assert result.exit_code == 0, result.output  # OPT-0001


@pytest.fixture
def optimised_db(database_url: str, cli: Invoke) -> Invoke:
    """``demo_db`` after ``pfund portfolio optimize --time-limit 20`` (run OPT-0001): a
    copy of one such database made once per process, on a copy of ``demo_db``'s."""
    database_from_template(database_url, "cli_optimised", _optimise, base=("cli_demo", _demo))
    return cli


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
