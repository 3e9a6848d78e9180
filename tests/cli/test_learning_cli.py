"""``pfund results outturn`` and ``pfund results expost``: a finished project's outturn
imported, and its ex-post appraisal printed beside the ex-ante one."""

from __future__ import annotations

from pathlib import Path

from pfund.domain import ProjectStatus
from pfund.services.audit import AuditWriter
from pfund.services.runtime import open_runtime
from tests.api.conftest import settings_for
from tests.cli.conftest import Invoke, as_json
from tests.factories import make_project


def test_outturn_then_expost_beside_ex_ante(cli: Invoke, database_url: str, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    done = make_project(
        "DONE-01",
        area="education",
        status=ProjectStatus.COMPLETED,
        proponent=None,
        partners=[],
        contacts=[],
        depends_on=[],
        excludes=[],
    )
    rt = open_runtime(settings_for(database_url))
    try:
        with rt.uow() as uow:
            uow.projects.add(done)
            AuditWriter(uow, rt.actor).record("project.created", "project", done.id)
            uow.commit()
    finally:
        rt.close()
    estimate = done.likely_cost()
    path = tmp_path / "outturns.csv"
    path.write_text(f"project,year,cost\nDONE-01,2028,{estimate * 2}\n", encoding="utf-8")
    assert as_json(cli("results", "outturn", str(path), "--json"))["projects"] == ["DONE-01"]
    (line,) = as_json(cli("results", "expost", "DONE-01", "--json"))
    assert line["realised_cost"] == float(estimate * 2)
    assert line["ex_post_npv"] < line["ex_ante_npv"]
    shown = cli("results", "expost")
    assert shown.exit_code == 0 and "DONE-01" in shown.stdout and "2.00" in shown.stdout
    assert cli("results", "expost", "NOPE").exit_code != 0
