"""``pfund licences`` on the demo fund: the register, a tranche's check on two days, a
revocation, and a bad file refused naming row and field with nothing stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pfund.cli.common import to_jsonable
from tests.cli.conftest import Invoke, as_json


def test_the_demo_register_and_one_tranche_checked_before_and_after_its_licence(
    demo_db: Invoke,
) -> None:
    lines = as_json(demo_db("licences", "list", "--on", "2026-12-06", "--json"))
    assert [(x["licence"]["id"], x["state"]) for x in lines] == [
        ("LIC-0001", "in_force"),
        ("LIC-0002", "expiring"),
        ("LIC-0003", "not_yet"),
        ("LIC-0004", "in_force"),
        ("LIC-0005", "ended"),
    ]
    words = demo_db("licences", "list", "--on", "2026-12-06")
    assert "LIC-0002 ends on 2026-12-31" in " ".join(words.stdout.split())
    missing = demo_db("licences", "check", "NO-SUCH-2028")
    assert missing.exit_code == 1 and "no tranche 'NO-SUCH-2028'" in missing.output
    revoked = demo_db(
        "licences", "revoke", "LIC-0003", "--reason", "withdrawn by OFAC", "--from", "2027-06-01"
    )
    assert revoked.exit_code == 0, revoked.output
    after = as_json(demo_db("licences", "list", "--on", "2027-06-01", "--json"))
    assert {x["licence"]["id"]: x["state"] for x in after}["LIC-0003"] == "revoked"
    twice = demo_db("licences", "revoke", "LIC-0003", "--reason", "withdrawn by OFAC")
    assert twice.exit_code == 1 and "already revoked" in twice.output


def test_a_bad_file_exits_1_naming_row_and_field_and_stores_nothing(
    demo_db: Invoke, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "id,authority,reference,counterparties,valid_from,valid_until\n"
        "LIC-0901,OFAC,R-9,ORG-0010;ORG-0011,2027-01-01,2027-12-31\n"
        "LIC-0902,OFAC,R-10,ORG-0010,2027-01-01,2026-12-31\n",
        encoding="utf-8",
    )
    refused = demo_db("licences", "import", str(path))
    assert refused.exit_code == 1
    text = " ".join(refused.output.split())
    assert "bad.csv, row 3" in text and "valid_until comes before valid_from" in text
    listed = as_json(demo_db("licences", "list", "--json"))
    assert [x["licence"]["id"] for x in listed] == [f"LIC-000{i}" for i in range(1, 6)]


@dataclass(frozen=True)
class _Sample:
    name: str
    on: date


def test_json_output_takes_dataclasses_as_well_as_models() -> None:
    assert to_jsonable({"s": _Sample("x", date(2027, 1, 1))}) == {
        "s": {"name": "x", "on": "2027-01-01"}
    }
