"""``pfund proposals``: the same moves as the pages and the API, from the command line;
``pfund import projects`` takes ``published``; public exports hold published projects only."""

from __future__ import annotations

import csv
from pathlib import Path

from pfund.services import proposals
from pfund.services.runtime import open_runtime
from pfund.settings import Settings
from tests.cli.conftest import Invoke, as_json
from tests.services.test_proposals import FORM


def submit(database_url: str, **changes: object) -> str:
    rt = open_runtime(Settings(database_url=database_url, actor="test:form"))
    try:
        return proposals.submit(rt, proposals.check_form(rt, FORM | changes)).project_id
    finally:
        rt.close()


def exported_ids(cli: Invoke, path: Path, *extra: str) -> set[str]:
    result = cli("export", "projects", str(path), *extra)
    assert result.exit_code == 0, result.output
    with path.open(encoding="utf-8") as handle:
        return {row["id"] for row in csv.DictReader(handle)}


def test_list_show_ask_return_reject_with_exit_codes(demo_db: Invoke, database_url: str) -> None:
    first, second = submit(database_url), submit(database_url, title="Second proposal here")
    listed = as_json(demo_db("proposals", "list", "--status", "submitted", "--json"))
    assert {first, second} <= {p["id"] for p in listed["items"]}
    shown = demo_db("proposals", "show", first)
    assert shown.exit_code == 0, shown.output
    assert "Anna Secretova" in shown.stdout and "Tver" in shown.stdout
    log = as_json(demo_db("audit", "log", "--record", f"PER-{first}", "--json"))
    assert "person.viewed" in str(log)
    assert demo_db("proposals", "ask", first, "--question", "Which villages?").exit_code == 0
    returned = demo_db("proposals", "return", first, "--reason", "Add running costs.")
    assert returned.exit_code == 0 and "returned" in returned.stdout
    rejected = as_json(demo_db("proposals", "reject", second, "--reason", "Spam.", "--json"))
    assert rejected["status"] == "rejected"
    again = demo_db("proposals", "reject", second, "--reason", "Spam.")
    assert again.exit_code == 1 and "rejected" in again.output
    assert demo_db("proposals", "accept", second).exit_code == 1


def test_accept_keeps_it_unpublished_until_publish(
    demo_db: Invoke, database_url: str, tmp_path: Path
) -> None:
    pid = submit(database_url)
    assert pid not in exported_ids(demo_db, tmp_path / "before.csv")
    accepted = demo_db("proposals", "accept", pid)
    assert accepted.exit_code == 0 and "not published" in accepted.stdout
    assert pid not in exported_ids(demo_db, tmp_path / "accepted.csv")
    assert pid in exported_ids(demo_db, tmp_path / "internal.csv", "--internal")
    assert demo_db("proposals", "publish", pid).exit_code == 0
    assert pid in exported_ids(demo_db, tmp_path / "published.csv")
    assert demo_db("proposals", "unpublish", pid).exit_code == 0
    assert pid not in exported_ids(demo_db, tmp_path / "unpublished.csv")


def test_an_import_may_keep_a_project_unpublished(demo_db: Invoke, tmp_path: Path) -> None:
    source = tmp_path / "mine.yaml"
    source.write_text(
        """projects:
  - id: HLT-HIDDEN-01
    title: A project the fund keeps to itself for now
    area: health
    published: false
    costs: {2030: {capital: [1000, 2000, 3000]}}
  - id: HLT-SHOWN-01
    title: A project imported the usual way
    area: health
    costs: {2030: {capital: [1000, 2000, 3000]}}
""",
        encoding="utf-8",
    )
    result = demo_db("import", "projects", str(source))
    assert result.exit_code == 0, result.output
    public = exported_ids(demo_db, tmp_path / "public.csv")
    assert "HLT-SHOWN-01" in public and "HLT-HIDDEN-01" not in public
    assert "HLT-HIDDEN-01" in exported_ids(demo_db, tmp_path / "staff.csv", "--internal")
