"""Imports are all or nothing, and a bad file is explained row by row, field by field."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pfund.domain import ProjectStatus
from pfund.domain.account import Permission, Principal, Role, User
from pfund.errors import Forbidden, InvalidInput, Problem
from pfund.services.audit import AuditWriter
from pfund.services.imports import COST_CHANGE_NOT_ALLOWED, import_projects
from pfund.services.runtime import Runtime
from pfund.store.repositories import table_counts

HEADER = (
    "id,title,area,regions,currency,stage,depends_on,excludes,"
    "cost.2028.capital,cost.2029.running,benefit.gain.per_year,benefit.gain.from,"
    "benefit.gain.years\n"
)
GOOD = "P-1,Clinic upgrade in Samara,health,RU-SAM,USD,1,,,100;120;150,10,30;40;50,2030,10\n"


def write(tmp_path: Path, body: str, name: str = "projects.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def rejected(rt: Runtime, path: Path) -> list[Problem]:
    """Import ``path``, expect refusal, and check that nothing at all was written."""
    with rt.uow() as uow:
        before = table_counts(uow.session)
    with pytest.raises(InvalidInput) as info:
        import_projects(rt, path)
    with rt.uow() as uow:
        assert table_counts(uow.session) == before
    return info.value.problems


def test_valid_import_writes_projects_and_one_audit_event_each(rt: Runtime, tmp_path: Path) -> None:
    body = GOOD + "P-2,Clinic upgrade in Kazan,health,RU-TA,USD,1,P-1,,100,,,,\n"
    result = import_projects(rt, write(tmp_path, body))
    assert result.ids == ["P-1", "P-2"]
    with rt.uow() as uow:
        stored = uow.projects.get("P-2")
        assert stored is not None and stored.depends_on == ["P-1"]
        events = uow.audit.list(record_id="P-1")
    assert [e.action for e in events] == ["project.created"]


BAD_ROWS = {
    "unknown area": (
        "P-9,Bad area,mining_on_mars,RU-SAM,USD,1,,,100,,,,\n",
        "area",
        "unknown area",
    ),
    "unknown region": ("P-9,Bad region,health,RU-XXX,USD,1,,,100,,,,\n", "regions", "RU-XXX"),
    "missing cost": ("P-9,No cost at all,health,RU-SAM,USD,1,,,,,,,\n", "costs", "required"),
    "negative cost": (
        "P-9,Negative cost,health,RU-SAM,USD,1,,,-5;1;2,,,,\n",
        "cost.2028.capital",
        "negative",
    ),
    "unknown dependency": (
        "P-9,Dangling link,health,RU-SAM,USD,1,P-404,,100,,,,\n",
        "depends_on",
        "P-404",
    ),
    "year out of range": (
        "P-9,Too early,health,RU-SAM,USD,1,,,100,,1;2;3,1990,5\n",
        "benefit.gain",
        "horizon",
    ),
    "unknown currency": (
        "P-9,Odd money,health,RU-SAM,XYZ,1,,,100,,,,\n",
        "currency",
        "unknown currency",
    ),
    "malformed number": (
        "P-9,Bad number,health,RU-SAM,USD,1,,,12O,,,,\n",
        "cost.2028.capital",
        "decimal",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_import_rejects_bad_row_naming_file_row_field_and_writes_nothing(
    rt: Runtime, tmp_path: Path, case: str
) -> None:
    row, field, reason = BAD_ROWS[case]
    problems = rejected(rt, write(tmp_path, GOOD + row))
    assert any(
        p.file == "projects.csv" and p.row == 3 and p.field == field and reason in p.reason
        for p in problems
    ), problems


def test_import_rejects_duplicate_id_in_file_and_against_store(rt: Runtime, tmp_path: Path) -> None:
    problems = rejected(rt, write(tmp_path, GOOD + GOOD))
    assert [(p.row, p.field) for p in problems] == [(3, "id")]
    assert "first used on row 2" in problems[0].reason
    import_projects(rt, write(tmp_path, GOOD))
    again = import_projects(rt, write(tmp_path, GOOD))  # the same project again: no new version
    assert again.unchanged == ["P-1"] and again.updated == [] and again.imported == 0


def test_import_rejects_dependency_cycle_and_names_it(rt: Runtime, tmp_path: Path) -> None:
    body = (
        "A,Project A here,health,RU-SAM,USD,1,C,,100,,,,\n"
        "B,Project B here,health,RU-SAM,USD,1,A,,100,,,,\n"
        "C,Project C here,health,RU-SAM,USD,1,B,,100,,,,\n"
    )
    problems = rejected(rt, write(tmp_path, body))
    assert len(problems) == 1 and problems[0].field == "depends_on"
    assert "dependency cycle" in problems[0].reason
    assert {"A", "B", "C"} <= set(problems[0].reason.replace("->", " ").split())


def test_import_rejects_a_file_that_is_not_utf8(rt: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "projects.csv"
    path.write_bytes(
        (HEADER + GOOD).encode() + "P-2,Клиника,health,RU-SAM,USD,1,,,1,,,,\n".encode("cp1251")
    )
    problems = rejected(rt, path)
    assert problems[0].file == "projects.csv" and problems[0].row == 3
    assert "not UTF-8" in problems[0].reason


def test_import_reports_every_problem_at_once(rt: Runtime, tmp_path: Path) -> None:
    rows = [row.replace("P-9", f"P-{10 + i}") for i, (row, _, _) in enumerate(BAD_ROWS.values())]
    problems = rejected(rt, write(tmp_path, GOOD + "".join(rows)))
    assert {p.row for p in problems} == set(range(3, 3 + len(rows)))


def test_json_import_locates_problems_by_item_and_dotted_field(rt: Runtime, tmp_path: Path) -> None:
    items = [
        {"id": "J-1", "title": "Fine project", "area": "health", "costs": {"2028": {"capital": 5}}},
        {
            "id": "J-2",
            "title": "Bad estimate",
            "area": "health",
            "costs": {"2028": {"capital": [5, 3, 1]}},
        },
    ]
    path = tmp_path / "projects.json"
    path.write_text(json.dumps({"projects": items}), encoding="utf-8")
    problems = rejected(rt, path)
    assert [(p.row, p.field) for p in problems] == [(2, "costs.2028.capital")]
    assert "low <= likely <= high" in problems[0].reason


def test_malformed_json_is_reported_with_its_line(rt: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "projects.json"
    path.write_text('{"projects": [\n{"id": "J-1",,}]}', encoding="utf-8")
    problems = rejected(rt, path)
    assert problems[0].row == 2 and "malformed JSON" in problems[0].reason


def test_import_rejects_unknown_stage_and_unknown_organisation(rt: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "projects.json"
    item = {
        "id": "S-1",
        "title": "Too far ahead",
        "area": "health",
        "stage": 7,
        "proponent": "ORG-404",
        "costs": {"2028": {"capital": 5}},
    }
    path.write_text(json.dumps([item]), encoding="utf-8")
    problems = rejected(rt, path)
    assert {(p.field, p.reason.split(" (")[0]) for p in problems} == {
        ("stage", "unknown stage 7"),
        ("proponent", "refers to unknown organisation 'ORG-404'"),
    }


def _project_json(tmp_path: Path, name: str = "projects.json", **changes: object) -> Path:
    item: dict[str, object] = {
        "id": "P-1",
        "title": "Clinic upgrade in Samara",
        "description": "Secret plan text",
        "protected_fields": ["description"],
        "area": "health",
        "regions": ["RU-SAM"],
        "currency": "USD",
        "stage": 1,
        "costs": {"2028": {"capital": [100, 120, 150]}},
    } | changes
    path = tmp_path / name
    path.write_text(json.dumps({"projects": [item]}), encoding="utf-8")
    return path


def mark_approved(rt: Runtime, project_id: str) -> None:
    """Set a project approved, as an approval would, without a portfolio run."""
    with rt.uow() as uow:
        uow.projects.set_status(project_id, ProjectStatus.APPROVED)
        details = {"run": "test"}
        AuditWriter(uow, "test").record("project.approved", "project", project_id, details)
        uow.commit()


def test_reimporting_a_project_makes_a_new_version_with_what_changed(
    rt: Runtime, tmp_path: Path
) -> None:
    """Before, a stored id was refused as "already exists": a project could not be updated."""
    import_projects(rt, _project_json(tmp_path))
    changed = _project_json(tmp_path, title="Clinic and pharmacy in Samara", description="New")
    result = import_projects(rt, changed)
    assert result.updated == ["P-1"] and result.imported == 1
    with rt.uow() as uow:
        stored = uow.projects.get("P-1")
        assert stored is not None and stored.title == "Clinic and pharmacy in Samara"
        assert uow.projects.version("P-1") == 2
        event = uow.audit.list(record_id="P-1")[-1]
    assert event.action == "project.updated" and event.details["version"] == 2
    assert event.details["changes"] == {
        "title": "Clinic upgrade in Samara -> Clinic and pharmacy in Samara",
        "description": "<protected> -> <protected>",
    }
    assert "Secret" not in json.dumps(event.details)


def test_the_costs_of_an_approved_project_change_only_when_allowed(
    rt: Runtime, tmp_path: Path
) -> None:
    import_projects(rt, _project_json(tmp_path))
    mark_approved(rt, "P-1")
    dearer = _project_json(tmp_path, "dearer.json", costs={"2028": {"capital": [100, 200, 250]}})
    problems = rejected(rt, dearer)
    assert [p.field for p in problems] == ["costs"]
    assert "P-1 is approved: its money is committed" in problems[0].reason
    assert problems[0].code == COST_CHANGE_NOT_ALLOWED
    assert problems[0].facts == {"project": "P-1", "status": "approved", "field": "costs"}
    assert "--" not in problems[0].reason  # the option is the CLI's to name
    renamed = import_projects(rt, _project_json(tmp_path, title="Clinic upgrade, Samara oblast"))
    assert renamed.updated == ["P-1"]  # what does not touch money may change
    allowed = import_projects(rt, dearer, allow_cost_changes=True)
    assert allowed.updated == ["P-1"]
    with rt.uow() as uow:
        stored = uow.projects.get("P-1")
        assert stored is not None and stored.status is ProjectStatus.APPROVED
        assert stored.title == "Clinic upgrade in Samara"
        assert uow.projects.version("P-1") == 3
        event = uow.audit.list(record_id="P-1")[-1]
    assert event.action == "project.updated" and event.details["cost_changes_allowed"] is True


def test_allowing_cost_changes_needs_the_permission_to_approve(rt: Runtime, tmp_path: Path) -> None:
    """Every role that imports today may approve, but the rule is the service's: a
    principal that may import and not approve cannot allow cost changes."""
    user = User(username="imp", roles=[Role.ANALYST], created_at=datetime.now(UTC))
    importer = Principal(user=user)
    narrowed = replace(rt, principal=importer, actor="user:imp")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Principal, "can", lambda _self, p: p is not Permission.APPROVE)
        with pytest.raises(Forbidden):
            import_projects(narrowed, _project_json(tmp_path), allow_cost_changes=True)
        assert import_projects(narrowed, _project_json(tmp_path)).imported == 1
