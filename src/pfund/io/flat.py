"""The flat CSV form of projects and organisations, both ways.

A spreadsheet has one row per record, so nested values get dotted column names:
``cost.2028.capital``, ``benefit.travel_time.per_year``, ``outcome.people_served``,
``score.democratic_governance``, ``company.russia_status``. Lists go in one cell
separated by ``;``, and so do the three numbers of an estimate
(``38000000;45000000;60000000``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

SEP = ";"
LIST_FIELDS = frozenset(
    {
        "regions",
        "partners",
        "contacts",
        "depends_on",
        "excludes",
        "areas",
        "capabilities",
        "protected_fields",
        "counterparties",
    }
)


def unflatten(cells: dict[str, str]) -> dict[str, Any]:
    """Nested input for the domain models from a CSV row; empty cells are left out."""
    out: dict[str, Any] = {}
    for column, value in cells.items():
        if value == "":
            continue
        path = column.split(".")
        head = path[0]
        if head == "cost" and len(path) == 3:
            _put(out, ["costs", path[1], path[2]], _estimate(value))
        elif head == "benefit" and len(path) == 3:
            leaf = _estimate(value) if path[2] == "per_year" else value
            _put(out, ["benefits", path[1], path[2]], leaf)
        elif head == "outcome" and len(path) in (2, 3):
            leaf = "value" if len(path) == 2 else path[2]
            _put(out, ["outcomes", path[1], leaf], _estimate(value) if leaf == "value" else value)
        elif head == "score" and len(path) == 2:
            _put(out, ["scores", path[1]], value)
        elif len(path) == 1 and head in LIST_FIELDS:
            out[head] = [v.strip() for v in value.split(SEP) if v.strip()]
        else:
            _put(out, path, value)
    return out


def _estimate(value: str) -> Any:
    parts = [p.strip() for p in value.split(SEP)]
    return parts if len(parts) > 1 else parts[0]


def _put(tree: dict[str, Any], path: list[str], value: Any) -> None:
    node = tree
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def csv_column(loc: Sequence[str | int]) -> str:
    """The CSV column a validation error points at, from the model's error location."""
    parts = [str(p) for p in loc]
    if not parts:
        return ""
    head = parts[0]
    if head == "costs" and len(parts) >= 3:
        return f"cost.{parts[1]}.{parts[2]}"
    if head == "benefits" and len(parts) >= 2:
        tail = "per_year" if "by_year" in parts or len(parts) == 2 else parts[2]
        return f"benefit.{parts[1]}.{tail}"
    if head == "outcomes" and len(parts) >= 2:
        leaf = next((f".{k}" for k in ("unit", "name_ru") if k in parts[2:]), "")
        return f"outcome.{parts[1]}{leaf}"
    if head == "scores" and len(parts) >= 2:
        return f"score.{parts[1]}"
    if head in LIST_FIELDS:
        return head
    return ".".join(p for p in parts if not p.isdigit() or head == "costs")


def flatten_project(view: dict[str, Any]) -> dict[str, str]:
    """One CSV row for a project view (a dict from ``protection.view``)."""
    row: dict[str, str] = {}
    for key, value in view.items():
        if key == "costs":
            for year, cost in value.items():
                for kind in ("capital", "running"):
                    if cost.get(kind):
                        row[f"cost.{year}.{kind}"] = _join_estimate(cost[kind])
        elif key == "benefits":
            for name, stream in value.items():
                row.update(_flatten_stream(name, stream["by_year"]))
        elif key == "scores":
            row.update({f"score.{name}": _number(v) for name, v in value.items()})
        elif key == "outcomes":
            for name, outcome in value.items():
                row[f"outcome.{name}"] = _join_estimate(outcome["value"])
                for leaf in ("unit", "name_ru"):
                    if outcome.get(leaf):
                        row[f"outcome.{name}.{leaf}"] = outcome[leaf]
        else:
            row[key] = _cell(value)
    return row


def _flatten_stream(name: str, by_year: dict[int, dict[str, Any]]) -> dict[str, str]:
    """A constant stream as per_year/from/years; a varying one cannot be flat, so JSON."""
    years = sorted(by_year)
    values = {_join_estimate(by_year[y]) for y in years}
    contiguous = years == list(range(years[0], years[0] + len(years)))
    if len(values) != 1 or not contiguous:
        raise ValueError(f"benefit '{name}' varies by year; export to JSON to keep it exact")
    return {
        f"benefit.{name}.per_year": values.pop(),
        f"benefit.{name}.from": str(years[0]),
        f"benefit.{name}.years": str(len(years)),
    }


def flatten_organisation(view: dict[str, Any]) -> dict[str, str]:
    row: dict[str, str] = {}
    for key, value in view.items():
        if key == "company":
            for sub, v in (value or {}).items():
                row[f"company.{sub}"] = _cell(v)
        elif key != "vetting":
            row[key] = _cell(value)
    return row


def _join_estimate(est: dict[str, Any]) -> str:
    values = [_number(est[k]) for k in ("low", "likely", "high")]
    return values[0] if len(set(values)) == 1 else SEP.join(values)


def _number(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return SEP.join(str(v) for v in value)
    if isinstance(value, BaseModel):
        raise TypeError("nested models need their own columns")
    return _number(value) if isinstance(value, Decimal | float) else str(value)
