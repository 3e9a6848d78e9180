"""``pfund companies`` on the demo fund: the pipeline and phases as JSON, a list imported
with its source and date, a list with an unknown status refused by row and field with
nothing stored, and a company held at ``returning`` until its relief phase opens."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Invoke, as_json


def test_the_demo_pipeline_phases_and_lists(demo_db: Invoke) -> None:
    lines = as_json(demo_db("companies", "pipeline", "--stage", "in_contact", "--json"))
    assert [x["company"]["organisation_id"] for x in lines] == ["ORG-0052", "ORG-0054", "ORG-0055"]
    phases = as_json(demo_db("companies", "stages", "--json"))
    assert [(p["phase"], p["total"]) for p in phases] == [(1, 20), (2, 5)]
    words = " ".join(demo_db("companies", "stages").stdout.split())
    assert "Phase 1 (sanctions_relief_phase1, not open; stage 2" in words
    lists = as_json(demo_db("companies", "lists", "--json"))
    assert [x["rows"] for x in lists] == [28, 6]


def test_an_import_records_its_source_and_a_bad_list_stores_nothing(
    demo_db: Invoke, tmp_path: Path
) -> None:
    bad = tmp_path / "kse.csv"
    bad.write_text("Company,Status,Country\nNova Ferries AS,exited,Norway\nOrca AB,gone,Sweden\n")
    args = ("--tracker", "kse", "--source", "KSE Institute", "--as-of", "2026-12-01")
    refused = demo_db("companies", "import", str(bad), *args)
    assert refused.exit_code == 1
    said = " ".join(refused.output.split())
    assert "kse.csv, row 3, field \"Status\" (column status): unknown status 'gone'" in said
    assert len(as_json(demo_db("companies", "lists", "--json"))) == 2
    good = tmp_path / "kse-good.csv"
    good.write_text("Company,Status,Country\nNova Ferries AS,exited,Norway\n")
    done = as_json(
        demo_db(
            "companies", "import", str(good), *args, "--url", "https://leave-russia.org", "--json"
        )
    )
    assert done["listing"]["source"] == "KSE Institute" and done["in_pipeline"] == 1
    assert done["listing"]["as_of"] == "2026-12-01" and len(done["listing"]["sha256"]) == 64


def test_returning_is_refused_naming_the_phase(demo_db: Invoke) -> None:
    held = demo_db("companies", "move", "ORG-0050", "returning", "--on", "2026-12-01")
    assert held.exit_code == 1
    assert "needs sanctions relief phase 1, stage 2" in " ".join(held.output.split())
    moved = as_json(
        demo_db("companies", "move", "ORG-0053", "in_contact", "--on", "2026-12-01", "--json")
    )
    assert moved["stage"] == "in_contact" and moved["in_contact_on"] == "2026-12-01"
    none_yet = demo_db("companies", "match")
    assert none_yet.exit_code == 0 and "No company is returning" in none_yet.output


def test_a_return_falls_back_only_with_its_reason(demo_db: Invoke) -> None:
    bare = demo_db("companies", "move", "ORG-0050", "in_contact", "--on", "2026-12-05")
    assert bare.exit_code == 1
    assert "why the return fell back" in " ".join(bare.output.split())
    back = as_json(
        demo_db(
            "companies", "move", "ORG-0050", "in_contact", "--on", "2026-12-05",
            "--reason", "Talks broke down over the terms", "--json",
        )
    )  # fmt: skip
    assert back["stage"] == "in_contact" and back["in_contact_on"] == "2026-12-05"
    assert back["conditions_agreed_on"] is not None  # the stage it had reached keeps its day
