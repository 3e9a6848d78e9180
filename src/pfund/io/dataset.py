"""A fund data set on disk: fund.yaml and the reference and sample files it names.

The bundled Russian Partnership Fund is one such folder inside the package; another fund
is another folder, passed with ``--dataset`` or ``PFUND_DATASET``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from pfund.domain import Area, Condition, Contributor, FundDefinition, Region, Stage
from pfund.domain.governance import CommitteeDefinition
from pfund.errors import InvalidInput, Problem
from pfund.io.files import load_yaml, read_text

M = TypeVar("M", bound=BaseModel)
REQUIRED_FILES = ("areas", "regions", "contributors", "conditions", "stages")


def bundled_dataset() -> Path:
    """The folder of the bundled sample fund (the Russian Partnership Fund)."""
    return Path(str(files("pfund") / "data" / "rpf"))


@dataclass(frozen=True)
class Dataset:
    """The reference part of a fund data set, validated, plus where its samples are."""

    root: Path
    fund: FundDefinition
    areas: list[Area]
    regions: list[Region]
    contributors: list[Contributor]
    conditions: list[Condition]
    stages: list[Stage]
    sample_files: dict[str, Path]
    # The joint committees fund.yaml defines (``committees:``), each with its voting rule.
    committees: tuple[CommitteeDefinition, ...] = ()


def load_dataset(root: Path | None = None) -> Dataset:
    root = root or bundled_dataset()
    manifest = _yaml(root / "fund.yaml")
    if not isinstance(manifest, dict):
        raise InvalidInput("cannot read fund.yaml", [Problem("expected a mapping", "fund.yaml")])
    names: dict[str, str] = manifest.pop("files", {}) or {}
    committees = manifest.pop("committees", []) or []
    missing = [k for k in REQUIRED_FILES if k not in names]
    if missing:
        problems = [Problem(f"'files' must name the {k} file", "fund.yaml") for k in missing]
        raise InvalidInput(f"incomplete data set at {root}", problems)
    path = {k: root / v for k, v in names.items()}
    fund = _one(FundDefinition, manifest, path=root / "fund.yaml", row=1)
    conditions = _many(Condition, path["conditions"])
    _check_verifiers(conditions, fund, path["conditions"])
    return Dataset(
        root=root,
        fund=fund,
        areas=[_one(Area, _area(r), path=path["areas"], row=i) for i, r in _csv(path["areas"])],
        regions=[_one(Region, r, path=path["regions"], row=i) for i, r in _csv(path["regions"])],
        contributors=[
            _one(Contributor, _contributor(r), path=path["contributors"], row=i)
            for i, r in _csv(path["contributors"])
        ],
        conditions=conditions,
        stages=_many(Stage, path["stages"]),
        sample_files={k: p for k, p in path.items() if k not in REQUIRED_FILES},
        committees=_committees(committees, root / "fund.yaml"),
    )


def _committees(raw: list[Any], path: Path) -> tuple[CommitteeDefinition, ...]:
    """The committees, of which at most one approves portfolio runs (one word decides)."""
    found = tuple(_one(CommitteeDefinition, c, path=path, row=i) for i, c in enumerate(raw, 1))
    approving = [c.code for c in found if c.approves_portfolio]
    if len(approving) > 1:
        problem = Problem(
            f"only one committee may approve portfolio runs; {', '.join(approving)} all do",
            path.name,
            field="committees.approves_portfolio",
        )
        raise InvalidInput("fund.yaml: committees", [problem])
    return found


def _check_verifiers(conditions: list[Condition], fund: FundDefinition, path: Path) -> None:
    """Every verifier a condition's protocol names must be in the fund's register (which
    names it in English and Russian): a free-text verifier could not be shown to a
    Russian reader. Every unknown code is named, with its file, condition and field."""
    known = {v.code for v in fund.verifiers}
    listed = ", ".join(sorted(known)) or "none"
    problems = [
        Problem(
            f"condition {c.code}: '{code}' is not a registered verifier (the register in "
            f"fund.yaml 'verifiers' holds: {listed})",
            path.name,
            row,
            "protocol.verifier",
        )
        for row, c in enumerate(conditions, start=1)
        for code in c.protocol.verifier_codes or [""]
        if code not in known
    ]
    if problems:
        raise InvalidInput(f"{path.name}: unknown verifiers", problems)


def _area(row: dict[str, str]) -> dict[str, Any]:
    cats = [c for c in row.get("dac_categories", "").split(";") if c]
    return {**row, "dac_categories": cats}


def _contributor(row: dict[str, str]) -> dict[str, Any]:
    return {
        "iso3": row["iso3"],
        "name": row["country"],
        "year": row["year"],
        "gdp_usd": row["gdp_usd"],
        "defence_pct_gdp": row.get("defence_pct_gdp") or None,
    }


def _csv(path: Path) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""))
    rows = [
        (reader.line_num, {k: v for k, v in row.items() if k and k != "source"}) for row in reader
    ]
    for _, row in rows:
        row.pop("examples", None)
        if row.get("population") == "":
            row["population"] = None
        if "type" in row:
            row["kind"] = row.pop("type")
    return rows


def _yaml(path: Path) -> Any:
    try:
        return load_yaml(read_text(path))
    except yaml.YAMLError as err:
        raise InvalidInput(f"cannot read {path.name}", [Problem(str(err), path.name)]) from None


def _many(model: type[M], path: Path) -> list[M]:
    items = _yaml(path) or []
    return [_one(model, item, path=path, row=i) for i, item in enumerate(items, start=1)]


def _one(model: type[M], data: Any, *, path: Path, row: int) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as err:
        problems = [
            Problem(e["msg"], path.name, row, ".".join(str(p) for p in e["loc"]))
            for e in err.errors()
        ]
        raise InvalidInput(f"invalid data set file {path}", problems) from None
