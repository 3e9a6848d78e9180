"""From the CLI: ranked partners for a project and projects for a company, explained."""

from __future__ import annotations

from tests.cli.conftest import Invoke, as_json


def test_match_project_and_company(demo_db: Invoke) -> None:
    partners = as_json(
        demo_db("match", "project", "ENE-CH4-01", "--limit", "5", "--on", "2026-06-01", "--json")
    )
    assert len(partners) == 5 and partners[0]["organisation"] == "ORG-0051"
    assert {f["factor"] for f in partners[0]["factors"]} == {
        "same_area",
        "shared_regions",
        "capability_fit",
    }
    table = demo_db("match", "company", "ORG-0052", "--limit", "3")
    assert table.exit_code == 0 and "NRS-HE" in table.stdout
    missing = demo_db("match", "project", "NOPE-1")
    assert missing.exit_code == 1 and "NOPE-1" in missing.output
    bad_day = demo_db("match", "company", "ORG-0052", "--on", "June")
    assert bad_day.exit_code == 1 and "YYYY-MM-DD" in " ".join(bad_day.output.split())
