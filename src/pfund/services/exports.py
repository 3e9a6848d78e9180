"""Exports of stored records to CSV and JSON; protected fields never leave.

The default audience is the public: an export is a file that travels. Staff can ask for
internal fields too; protected fields (people, and whatever a partner asked to protect)
are left out whatever is asked.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from pfund.domain import Project, ProtectionClass
from pfund.domain.project import is_public
from pfund.domain.protection import view
from pfund.errors import InvalidInput, Problem
from pfund.io.files import file_format
from pfund.io.flat import flatten_organisation, flatten_project
from pfund.services.runtime import Runtime

KINDS = ("projects", "organisations")


class ExportResult(BaseModel):
    kind: str
    file: str
    records: int
    audience: str


def export_records(
    rt: Runtime, kind: str, path: Path, *, audience: ProtectionClass = ProtectionClass.PUBLIC
) -> ExportResult:
    if kind not in KINDS:
        problem = Problem(f"cannot export '{kind}' (choose {' or '.join(KINDS)})")
        raise InvalidInput("unknown export", [problem])
    fmt = file_format(path)
    with rt.uow() as uow:
        records: list[Any] = (
            _projects(uow.projects.list(), audience)
            if kind == "projects"
            else uow.organisations.list()
        )
    views = [view(r, audience=audience) for r in records]
    if fmt == "csv":
        flatten = flatten_project if kind == "projects" else flatten_organisation
        _write_csv(path, [_flat(flatten, v) for v in views])
    else:
        _write_tree(path, {kind: views}, fmt)
    return ExportResult(kind=kind, file=str(path), records=len(views), audience=audience.label)


def _projects(found: list[Project], audience: ProtectionClass) -> list[Project]:
    """A public export holds the published projects only; staff exports hold every one."""
    if audience is ProtectionClass.PUBLIC:
        return [p for p in found if is_public(p)]
    return found


def _flat(
    flatten: Callable[[dict[str, Any]], dict[str, str]], view: dict[str, Any]
) -> dict[str, str]:
    """One CSV row, or a clear refusal naming the record that has no flat form."""
    try:
        return flatten(view)
    except ValueError as err:
        problem = Problem(str(err), field="format")
        raise InvalidInput(f"cannot write {view.get('id')} to CSV", [problem]) from None


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _write_tree(path: Path, tree: dict[str, Any], fmt: str) -> None:
    text = json.dumps(tree, ensure_ascii=False, indent=2, default=_jsonable)
    if fmt == "yaml":
        text = yaml.safe_dump(json.loads(text), allow_unicode=True, sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
