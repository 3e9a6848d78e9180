"""The matchmaking engine stays pure: no store, services, interfaces, clock or network."""

from __future__ import annotations

import ast
from pathlib import Path

import pfund.matching

FORBIDDEN = ("pfund.store", "pfund.services", "pfund.cli", "pfund.api", "pfund.web", "sqlalchemy")
CLOCK = {"now", "today", "utcnow", "time"}


def _modules() -> list[Path]:
    return sorted(Path(pfund.matching.__file__).parent.glob("*.py"))


def test_the_engine_imports_no_upper_layer_and_reads_no_clock() -> None:
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        ] + [a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names]
        assert not [m for m in imported if m.startswith(FORBIDDEN)], path.name
        called = {
            node.func.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        }
        assert not called & CLOCK, f"{path.name} reads the clock"
    assert len(_modules()) >= 3
