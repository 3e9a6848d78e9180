"""The root command imports a command's module only when that command runs, so a
``pfund`` start does not pay for the web app, matplotlib and followthemoney."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import typer

from pfund.cli.app import COMMANDS, ORDER, app

HEAVY = (
    "pfund.api.app",
    "pfund.web",
    "fastapi",
    "matplotlib",
    "followthemoney",
    "pfund.cli.fund_cmds",
)

# Runs ``pfund ARGS`` in a fresh interpreter and prints the modules it imported.
PROBE = """
import json, sys
sys.argv = ["pfund", *sys.argv[1:]]
from pfund.cli.app import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def _heavy_modules_loaded(*args: str) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    modules = json.loads(run.stdout.strip().splitlines()[-1])
    return [m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY)]


def _root() -> Any:
    return typer.main.get_command(app)


def test_a_rates_command_loads_neither_the_web_app_nor_plots_nor_followthemoney() -> None:
    assert _heavy_modules_loaded("rates", "--help") == []


def test_the_version_loads_no_command_module() -> None:
    assert _heavy_modules_loaded("--version") == []


def test_the_demo_loads_its_own_module() -> None:
    # the probe itself can fail: a heavy module it must see when the command needs it
    assert "pfund.cli.fund_cmds" in _heavy_modules_loaded("demo", "--help")


def test_every_listed_command_resolves_and_every_mounted_one_is_listed() -> None:
    group = _root()
    listed = group.list_commands(None)
    assert sorted(listed) == sorted(COMMANDS) == sorted(ORDER)
    for name in listed:
        command = group.get_command(None, name)
        assert command is not None and command.name == name, name


def test_building_the_commands_twice_adds_no_command_twice() -> None:
    for _ in range(2):
        group = _root()
        portfolio = group.get_command(None, "portfolio")
        conditions = group.get_command(None, "conditions")
    for sub in (portfolio, conditions):
        names = [c.name for c in sub.commands.values()]
        assert len(names) == len(set(names))
    assert "approve" in portfolio.commands
    assert "scorecard" in conditions.commands
