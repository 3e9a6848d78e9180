"""The CLI a user runs: the demo, listing, export, import round trip and clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from sqlalchemy import create_engine

from pfund.domain import Person
from pfund.domain.protection import protected_values
from pfund.io.dataset import load_dataset
from tests.cli.conftest import Invoke, as_json
from tests.tamper import tamper


def test_demo_prints_a_summary_of_the_sample_fund(demo_db: Invoke) -> None:
    out = demo_db("demo", "--no-report").stdout
    assert "Russian Partnership Fund" in out
    assert "Pipeline by area" in out


def test_demo_json_counts_every_area_and_is_idempotent(demo_db: Invoke) -> None:
    summary = as_json(demo_db("demo", "--no-report", "--json"))["summary"]
    assert summary["projects"] >= 80
    assert all(line["projects"] > 0 for line in summary["by_area"])
    assert len(summary["by_area"]) == 11
    assert summary["regions_covered"] >= 25
    assert 125e9 < float(summary["annual_envelope"]) < 135e9
    again = as_json(demo_db("demo", "--no-report", "--json"))["summary"]
    assert again["audit_events"] == summary["audit_events"]


def test_projects_list_filters_and_show_gives_costs(demo_db: Invoke) -> None:
    health = as_json(demo_db("projects", "list", "--area", "health", "--json"))
    assert health and {p["area"] for p in health} == {"health"}
    one = as_json(demo_db("projects", "show", health[0]["id"], "--json"))
    assert one["id"] == health[0]["id"] and one["costs"]
    assert "contacts" not in one
    shown = demo_db("projects", "show", health[0]["id"])
    assert shown.exit_code == 0 and "Costs" in shown.stdout


def test_unknown_project_is_a_clean_user_error(demo_db: Invoke) -> None:
    result = demo_db("projects", "show", "NOPE-1")
    assert result.exit_code == 1
    assert "no project with id 'NOPE-1'" in result.output
    assert "Traceback" not in result.output


def test_bad_import_exits_1_with_located_problems(demo_db: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,title,area,cost.2030.capital\nX-1,Bad area here,nowhere,10\n", "utf-8")
    result = demo_db("import", "projects", str(bad))
    assert result.exit_code == 1
    assert "bad.csv, row 2, field \"Area\" (column area): unknown area 'nowhere'" in result.output
    assert "nothing was imported" in result.output


def test_export_leaves_out_protected_values(demo_db: Invoke, tmp_path: Path) -> None:
    secrets = _sample_secrets()
    for kind in ("projects", "organisations"):
        for suffix in ("csv", "json"):
            path = tmp_path / f"{kind}.{suffix}"
            assert demo_db("export", kind, str(path)).exit_code == 0
            text_out = path.read_text("utf-8")
            leaked = [s for s in secrets if s in text_out]
            assert not leaked, f"{path.name} leaks {leaked[:3]}"
    exported = json.loads((tmp_path / "projects.json").read_text("utf-8"))["projects"]
    assert len(exported) >= 80


def test_template_files_import_cleanly(demo_db: Invoke, tmp_path: Path) -> None:
    for name in ("organisations.csv", "projects.csv"):
        path = tmp_path / name
        assert demo_db("import", "template", name, str(path)).exit_code == 0
        kind = name.split(".")[0]
        result = demo_db("import", kind, str(path), "--json")
        assert as_json(result)["imported"] >= 1


def test_audit_verify_names_an_event_edited_by_hand(demo_db: Invoke, database_url: str) -> None:
    assert demo_db("audit", "verify").exit_code == 0
    engine = create_engine(database_url)
    tamper(engine, "UPDATE audit_events SET record_id = 'FORGED' WHERE seq = 7")
    engine.dispose()
    result = demo_db("audit", "verify")
    assert result.exit_code == 1
    assert "event 7: changed" in result.output


def _sample_secrets() -> list[str]:
    """Protected strings of the sample fund: people and the names partners asked to hide."""
    data = load_dataset()
    people = yaml.safe_load(data.sample_files["people"].read_text("utf-8"))
    found = [s for p in people for s in protected_values(Person.model_validate(p))]
    orgs = yaml.safe_load(data.sample_files["organisations"].read_text("utf-8"))
    for org in orgs:
        found += [str(org[f]) for f in org.get("protected_fields", []) if org.get(f)]
    return [s for s in found if len(s) > 3]


def test_csv_export_of_a_varying_benefit_is_refused_cleanly(cli: Invoke, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    varying = {
        "id": "V-1",
        "title": "Benefit that grows",
        "area": "health",
        "costs": {"2027": {"capital": 10}},
        "benefits": {"gain": {"by_year": {"2028": 1, "2029": 2}}},
    }
    source = tmp_path / "varying.json"
    source.write_text(json.dumps([varying]), encoding="utf-8")
    assert cli("import", "projects", str(source)).exit_code == 0
    result = cli("export", "projects", str(tmp_path / "out.csv"))
    assert result.exit_code == 1
    assert "export to JSON" in " ".join(result.output.split())
    assert cli("export", "projects", str(tmp_path / "out.json")).exit_code == 0


def test_organisations_list_shows_aliases_for_protected_names(demo_db: Invoke) -> None:
    listed = as_json(demo_db("organisations", "list", "--json"))
    assert len(listed) >= 40
    protected = [o for o in listed if "name" not in o]
    assert protected, "Russian NGOs that protect their names must not show them"
    assert all(o["alias"] for o in protected)
    table = demo_db("organisations", "list").stdout
    assert not [s for s in _sample_secrets() if s in table]
    missing = demo_db("organisations", "show", "NOPE")
    assert missing.exit_code == 1 and "no organisation" in missing.output
