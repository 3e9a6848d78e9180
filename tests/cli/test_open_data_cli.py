"""`pfund export iati` and `pfund export open-data` through the real CLI."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from pfund.io.iati import activities_schema
from tests.cli.conftest import Invoke, as_json


def test_export_iati_refuses_before_approval_then_writes_a_valid_file(
    demo_db: Invoke, tmp_path: Path
) -> None:
    target = tmp_path / "iati.xml"
    early = demo_db("export", "iati", str(target))
    assert early.exit_code == 1
    assert "no project is approved" in early.output
    assert not target.exists()
    assert demo_db("fund", "contributions", "--year", "2023", "--received").exit_code == 0
    run = as_json(demo_db("portfolio", "optimize", "--json"))
    approved = as_json(demo_db("portfolio", "approve", run["record_id"], "--json"))
    summary = as_json(demo_db("export", "iati", str(target), "--json"))
    assert summary["valid"] is True
    assert summary["activities"] == approved["projects"]
    document = etree.parse(str(target))
    activities_schema().assertValid(document)
    assert len(document.getroot()) == approved["projects"]


def test_open_data_is_public_only_and_refuses_internal(demo_db: Invoke, tmp_path: Path) -> None:
    refused = demo_db("export", "open-data", str(tmp_path / "od"), "--internal")
    assert refused.exit_code == 1
    assert "--internal" in refused.output
    written = as_json(demo_db("export", "open-data", str(tmp_path / "od"), "--json"))
    names = sorted(Path(f).name for f in written["files"])
    assert "projects.csv" in names and "ledger.json" in names
    assert "iati.xml" not in names  # nothing approved yet
    assert all(Path(f).stat().st_size > 0 for f in written["files"])


def test_an_unknown_export_lists_every_kind(demo_db: Invoke, tmp_path: Path) -> None:
    result = demo_db("export", "iatii", str(tmp_path / "x.xml"))
    assert result.exit_code == 1
    assert "projects, organisations, iati, open-data" in " ".join(result.output.split())
