"""Run the real CLI in-process against a database of the test's own."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from pfund.cli.app import app

Invoke = Callable[..., Result]


@pytest.fixture
def cli(database_url: str) -> Invoke:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, ["--db", database_url, *args])

    return invoke


@pytest.fixture
def demo_db(cli: Invoke) -> Invoke:
    result = cli("demo", "--no-report")
    assert result.exit_code == 0, result.output
    return cli


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
