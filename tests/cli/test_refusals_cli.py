"""The CLI words a refusal for the person at the command line: each condition and stage
by its name (the code in brackets, to type next), and the command or option that puts
the refusal right, which only this channel can run."""

from __future__ import annotations

from pathlib import Path

from pfund.services.runtime import open_runtime
from pfund.settings import Settings
from tests.cli.conftest import Invoke, as_json
from tests.services.test_imports import _project_json, mark_approved


def _said(output: str) -> str:
    return " ".join(output.split())


def test_a_gate_refusal_names_each_condition_and_stage_by_its_name(demo_db: Invoke) -> None:
    assert demo_db("fund", "contributions", "--year", "2023", "--received").exit_code == 0
    run = as_json(demo_db("portfolio", "optimize", "--json"))
    assert demo_db("portfolio", "approve", run["record_id"]).exit_code == 0
    tranches = as_json(demo_db("tranches", "list", "--json"))
    stage2 = next(t["id"] for t in tranches if t["stage"] == 2)
    held = demo_db("tranches", "release", stage2)
    said = _said(held.output)
    assert held.exit_code == 1
    assert f"tranche {stage2} cannot be released: 4 conditions not met (" in said
    assert '"Sanctions relief, first phase"' in said.split("- ")[0]  # titles in the headline
    assert (
        'condition "Ceasefire holding" [ceasefire_holding] is not met; stage 1, '
        '"Ceasefire holding", needs it met before money moves'
    ) in said
    assert (
        'condition "Ukraine\'s sovereign control over its territory restored" '
        '[sovereignty_restored] is not met; stage 2, "Sovereignty restored, first sanctions '
        'relief", needs it met'
    ) in said
    assert "is not_met" not in said  # the code-only wording it replaces


def test_an_import_changing_committed_costs_names_the_option_that_allows_it(
    cli: Invoke, database_url: str, tmp_path: Path
) -> None:
    assert cli("init").exit_code == 0
    assert cli("import", "projects", str(_project_json(tmp_path))).exit_code == 0
    rt = open_runtime(Settings(database_url=database_url, actor="test:setup"))
    try:
        mark_approved(rt, "P-1")
    finally:
        rt.close()
    dearer = _project_json(tmp_path, "dearer.json", costs={"2028": {"capital": [100, 200, 250]}})
    refused = cli("import", "projects", str(dearer))
    said = _said(refused.output)
    assert refused.exit_code == 1
    assert "project P-1 is approved: its money is committed in tranches" in said
    assert "allow it explicitly with --allow-cost-changes" in said
    allowed = cli("import", "projects", str(dearer), "--allow-cost-changes")
    assert allowed.exit_code == 0, allowed.output
    assert "P-1" in allowed.stdout


def test_an_imports_problem_names_the_field_by_its_label_beside_the_column() -> None:
    """lang18b: a problem in an imported file reads as the import page says it (the
    field's label, the file's column beside it); a field with no label, or a problem
    that is not in a file (a form's, a command's option), as the service said it."""
    from pfund.cli.refusals import _problem_line
    from pfund.errors import Problem

    assert (
        _problem_line(Problem("unknown area 'x'", "bad.csv", 2, "area"))
        == "bad.csv, row 2, field \"Area\" (column area): unknown area 'x'"
    )
    assert _problem_line(Problem("too long", "p.yaml", None, "title")).startswith(
        'p.yaml, field "Title" (column title)'
    )
    assert (
        _problem_line(Problem("odd", "p.csv", 3, "zzz_col")) == "p.csv, row 3, field 'zzz_col': odd"
    )
    assert _problem_line(Problem("a positive amount", field="amount")) == (
        "field 'amount': a positive amount"
    )
