"""``pfund indicators`` and ``pfund conditions evaluate|scorecard`` on the demo fund."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Invoke, as_json

HEADER = "area,indicator,year,value,category,source,licence\n"


def test_the_demo_evaluates_free_elections_from_its_indicators(demo_db: Invoke) -> None:
    sets = as_json(demo_db("indicators", "list", "--json"))
    assert [(s["name"], s["version"], s["rows"]) for s in sets] == [
        ("governance_indicators", 1, 18)
    ]
    evaluated = as_json(demo_db("conditions", "evaluate", "--json"))
    (rule,) = evaluated["rules"]
    assert (rule["condition"], rule["passed"], rule["proposed"]) == ("free_elections", False, None)
    assert rule["sets"] == [f"governance_indicators@{sets[0]['sha256']}"]
    card = as_json(demo_db("conditions", "scorecard", "--json"))
    assert {line["indicator"]: line["value"] for line in card["lines"]} == {
        "v2x_polyarchy": "0.09",
        "freedom_status": "Not Free",
        "wgi_cc_percentile": "11.8",
    }
    words = demo_db("conditions", "evaluate")
    assert words.exit_code == 0 and "rule fails; no change proposed" in words.stdout


def test_import_is_versioned_by_hash_and_a_bad_file_exits_1_naming_row_and_field(
    demo_db: Invoke, tmp_path: Path
) -> None:
    path = tmp_path / "extra.csv"
    path.write_text(HEADER + "RU-MOW,turnout,2024,41.5,,Test,CC0\n", encoding="utf-8")
    first = as_json(demo_db("indicators", "import", str(path), "--json"))
    again = as_json(demo_db("indicators", "import", str(path), "--json"))
    assert (first["version"], first["unchanged"], again["unchanged"]) == (1, False, True)
    path.write_text(HEADER + "RU,turnout,2024,forty,,Test,CC0\n", encoding="utf-8")
    refused = demo_db("indicators", "import", str(path))
    assert refused.exit_code == 1
    assert (
        "extra.csv, row 2, field \"Value reported\" (column value): 'forty' is not a number"
        in " ".join(refused.output.split())
    )
    assert len(as_json(demo_db("indicators", "list", "--json"))) == 2
