"""From the CLI: load the sample watchlist, screen, review, and see a tranche blocked.

Also: outside the compliance review, no command prints a person's protected name.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import yaml

import pfund
from tests.cli.conftest import Invoke, as_json

DATA = Path(pfund.__file__).parent / "data" / "rpf"
SAMPLE = str(DATA / "watchlists" / "sample.ftm.json")
PEOPLE = [p["name"] for p in yaml.safe_load((DATA / "people.yaml").read_text(encoding="utf-8"))]


def flat(text: str) -> str:
    """Output with Rich's line wrapping undone, so phrases can be searched."""
    return " ".join(text.split())


def newsroom_tranche(cli: Invoke) -> str:
    """A planned tranche of a project the hit organisation ORG-0006 takes part in."""
    assert cli("fund", "contributions", "--year", "2023", "--received").exit_code == 0
    run = as_json(cli("portfolio", "optimize", "--json"))
    assert cli("portfolio", "approve", run["record_id"]).exit_code == 0
    projects = {p["id"]: p for p in as_json(cli("projects", "list", "--json"))}
    for tranche in as_json(cli("tranches", "list", "--json")):
        project = projects[tranche["project_id"]]
        involved = {project.get("proponent"), *project.get("partners", [])}
        if "ORG-0006" in involved and tranche["stage"] == 0:
            return str(tranche["id"])
    pytest.skip("the sample portfolio chose no stage-0 project of ORG-0006")


def test_compliance_officer_walkthrough(demo_db: Invoke) -> None:
    tranche = newsroom_tranche(demo_db)
    loaded = as_json(demo_db("screen", "load", SAMPLE, "--json"))
    assert loaded["watchlist"] == "sample" and loaded["entities"] == 10
    (listed,) = as_json(demo_db("screen", "lists", "--json"))
    assert listed["id"] == "sample" and listed["entities"] == 10 and listed["open_hits"] == 2
    report = as_json(demo_db("screen", "all", "--json"))
    assert report["organisations"] == 70 and report["people"] == 15  # 16 from the company lists
    queue = as_json(demo_db("screen", "review", "--json"))
    hit = next(i for i in queue if i["counterparty_id"] == "ORG-0006")
    assert hit["entity_id"] == "pfs-org-001" and hit["status"] == "open"
    assert hit["explanation"] and 0.5 < hit["score"] <= 1
    refused = demo_db("tranches", "release", tranche)
    assert refused.exit_code == 1
    assert f"screening hit {hit['hit']}" in flat(refused.output)
    assert "ORG-0006" in refused.output
    lonely = demo_db("screen", "review", "--reason", "looks fine")
    assert lonely.exit_code == 1 and "needs a decision" in flat(lonely.output)
    unknown = demo_db("screen", "review", "--confirm", "999", "--reason", "r")
    assert unknown.exit_code == 1 and "no screening hit 999" in flat(unknown.output)
    no_reason = demo_db("screen", "review", "--dismiss", str(hit["hit"]))
    assert no_reason.exit_code == 1 and "reason" in flat(no_reason.output)
    dismissed = demo_db(
        "screen",
        "review",
        "--dismiss",
        str(hit["hit"]),
        "--reason",
        "Latvian registry: other newsroom",
    )
    assert dismissed.exit_code == 0 and "dismissed" in dismissed.stdout
    assert hit["hit"] not in [i["hit"] for i in as_json(demo_db("screen", "review", "--json"))]
    released = demo_db("tranches", "release", tranche)
    assert released.exit_code == 0, released.output


def test_screen_names_and_files(demo_db: Invoke, tmp_path: Path) -> None:
    assert demo_db("screen", "load", SAMPLE).exit_code == 0
    found = as_json(demo_db("screen", "name", "Volga Free Press", "--json"))
    assert found[0]["hits"][0]["entity_id"] == "pfs-org-001"
    names = tmp_path / "names.txt"
    names.write_text("Pridumanov Gleb Semenovich\nNobody Here\n", encoding="utf-8")
    by_file = as_json(demo_db("screen", "file", str(names), "--json"))
    assert by_file[0]["hits"][0]["entity_id"] == "pfs-per-004" and by_file[1]["hits"] == []
    missing = demo_db("screen", "file", str(tmp_path / "none.txt"))
    assert missing.exit_code == 1 and "no such file" in flat(missing.output)


def test_screen_takes_a_name_or_a_file_directly(demo_db: Invoke, tmp_path: Path) -> None:
    """``pfund screen NAME|FILE`` as the issue writes it; sub-commands keep their words."""
    assert demo_db("screen", "load", SAMPLE).exit_code == 0
    named = as_json(demo_db("screen", "Volga Free Press", "Nobody Here", "--json"))
    assert [r["name"] for r in named] == ["Volga Free Press", "Nobody Here"]
    assert named[0]["hits"][0]["entity_id"] == "pfs-org-001" and named[1]["hits"] == []
    names = tmp_path / "names.txt"
    names.write_text("Pridumanov Gleb Semenovich\n", encoding="utf-8")
    by_file = as_json(demo_db("screen", str(names), "--kind", "person", "--json"))
    assert by_file[0]["hits"][0]["entity_id"] == "pfs-per-004"
    queue = demo_db("screen", "review", "--json")
    assert queue.exit_code == 0 and isinstance(json.loads(queue.stdout), list)


def test_an_import_reports_the_hits_it_raised(demo_db: Invoke, tmp_path: Path) -> None:
    assert demo_db("screen", "load", SAMPLE).exit_code == 0
    orgs = tmp_path / "orgs.csv"
    orgs.write_text(
        "id,name,kind,country,areas,company.russia_status\n"
        "C-9,Fantomstroy LLC,company,RU,energy,digging_in\n",
        encoding="utf-8",
    )
    result = demo_db("import", "organisations", str(orgs))
    assert result.exit_code == 0, result.output
    assert "New screening hits" in result.output and "pfs-com-001" in flat(result.output)


def test_bad_watchlist_lines_exit_1_unless_skipped(demo_db: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ftm.json"
    good = Path(SAMPLE).read_text(encoding="utf-8").splitlines()[:2]
    bad.write_text(
        "\n".join([*good, "{broken", '{"id": "x", "schema": "Person", "properties": {}}'])
    )
    refused = demo_db("screen", "load", str(bad))
    assert (
        refused.exit_code == 1
        and "row 3" in flat(refused.output)
        and "row 4" in flat(refused.output)
    )
    assert "Traceback" not in refused.output
    loaded = as_json(demo_db("screen", "load", str(bad), "--skip-bad", "--json"))
    assert loaded["entities"] == 2 and len(loaded["skipped_lines"]) == 2


def test_no_public_output_or_log_names_a_person(
    demo_db: Invoke, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    outputs = [
        demo_db("screen", "load", SAMPLE),
        demo_db("screen", "load", SAMPLE, "--json"),
        demo_db("screen", "all"),
        demo_db("screen", "all", "--json"),
        demo_db("audit", "log", "--json"),
        demo_db("match", "project", "GOV-MED-02"),
        demo_db("organisations", "outreach", "ORG-0052"),
    ]
    text = "\n".join(r.output for r in outputs) + caplog.text
    assert all(r.exit_code == 0 for r in outputs), text
    assert "PER-0015" in text  # the person hit is there, by id
    leaked = [name for name in PEOPLE if name in text]
    assert leaked == []
    assert "obraztsov" not in text.lower(), "nor a transliteration of one"
    review = demo_db("screen", "review", "--json")
    assert any(i["counterparty_name"] in PEOPLE for i in json.loads(review.stdout))


def test_vet_outreach_and_status_commands(demo_db: Invoke) -> None:
    shown = as_json(demo_db("organisations", "vet", "ORG-0003", "--on", "2026-06-01", "--json"))
    assert shown["approved"] is False and shown["missing"] == []
    renewed = as_json(
        demo_db("organisations", "vet", "ORG-0003", "--approve", "--on", "2026-06-01", "--json")
    )
    assert renewed["approved"] and renewed["valid_until"] == "2027-06-01"
    judge = ("--evidence", "e", "--reviewer", "r")
    bad = demo_db("organisations", "vet", "ORG-0003", "--criterion", "x", "--met", *judge)
    assert bad.exit_code == 1 and "criterion" in flat(bad.output)
    unsaid = demo_db("organisations", "vet", "ORG-0003", "--criterion", "x", *judge)
    assert unsaid.exit_code == 1 and "--met" in flat(unsaid.output)
    logged = as_json(
        demo_db(
            "organisations",
            "outreach",
            "ORG-0062",
            "--channel",
            "call",
            "--staff",
            "Desk A",
            "--outcome",
            "interested",
            "--contact",
            "PER-0012",
            "--on",
            "2026-05-01",
            "--json",
        )
    )
    assert logged[0]["contact_person_id"] == "PER-0012"
    status = as_json(
        demo_db(
            "organisations",
            "status",
            "ORG-0060",
            "--russia-status",
            "withdrawn",
            "--reengagement",
            "interested",
            "--json",
        )
    )
    assert status["russia_status"] == "withdrawn"
    wrong = demo_db(
        "organisations",
        "status",
        "ORG-0060",
        "--russia-status",
        "x",
        "--reengagement",
        "interested",
    )
    assert wrong.exit_code == 1
