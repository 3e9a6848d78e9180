"""Reading the board's files: the portfolio policy, a budget file and the criteria.

Each error names the file and the field, so a board secretary can fix a budget file
without reading code.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pfund.domain.policy import PortfolioPolicy
from pfund.errors import InvalidInput, Problem
from pfund.io.files import file_format, load_yaml, read_records, read_text


def load_policy(path: Path, *, budgets: dict[int, Decimal] | None = None) -> PortfolioPolicy:
    """The policy in ``path``, with its budgets replaced by ``budgets`` when given."""
    data = _mapping(path)
    if budgets is not None:
        data["budgets"] = budgets
    return parse_policy(data, source=path.name)


def parse_policy(data: dict[str, Any], *, source: str) -> PortfolioPolicy:
    try:
        return PortfolioPolicy.model_validate(data)
    except ValidationError as err:
        problems = [
            Problem(
                str(e["msg"]).removeprefix("Value error, "),
                source,
                None,
                ".".join(str(p) for p in e["loc"]) or None,
            )
            for e in err.errors()
        ]
        raise InvalidInput(f"{source}: the portfolio policy is not valid", problems) from None


def load_budget_file(path: Path) -> dict[int, Decimal]:
    """Budgets by year from CSV (columns year, budget) or a YAML/JSON mapping."""
    if file_format(path) == "csv":
        pairs = [
            (r.row, r.data.get("year", ""), r.data.get("budget", ""))
            for r in read_records(path, key="budgets")
        ]
    else:
        tree = _mapping(path)
        tree = tree.get("budgets", tree)
        pairs = [(0, str(k), str(v)) for k, v in tree.items()]
    budgets: dict[int, Decimal] = {}
    problems: list[Problem] = []
    for row, year, amount in pairs:
        try:
            budgets[int(year)] = Decimal(amount)
        except (ValueError, InvalidOperation):
            problems.append(
                Problem(
                    f"need a year and an amount, got {year!r}: {amount!r}",
                    path.name,
                    row or None,
                    "budget",
                )
            )
    if problems:
        raise InvalidInput(f"{path.name}: the budget file is not valid", problems)
    return budgets


def _mapping(path: Path) -> dict[str, Any]:
    try:
        data = load_yaml(read_text(path))
    except yaml.YAMLError as err:
        raise InvalidInput(f"cannot read {path.name}", [Problem(str(err), path.name)]) from None
    if not isinstance(data, dict):
        raise InvalidInput(f"cannot read {path.name}", [Problem("expected a mapping", path.name)])
    return data
