"""The CLI's money commands run twice: refused with a clear message, or a correct redo."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.cli.conftest import Invoke, as_json


def test_contributions_run_twice_are_refused_and_a_reversal_corrects(demo_db: Invoke) -> None:
    assert demo_db("fund", "contributions", "--year", "2023", "--received").exit_code == 0
    before = as_json(demo_db("fund", "ledger", "--json"))
    twice = demo_db("fund", "contributions", "--year", "2023", "--received")
    said = " ".join(twice.output.split())
    assert twice.exit_code == 1 and "Traceback" not in said
    assert "for 2023 is already recorded; corrections are explicit reversing entries" in said
    assert as_json(demo_db("fund", "ledger", "--json")) == before
    held = demo_db("fund", "contributions", "--year", "2023", "--member", "DEU", "--reverse")
    assert held.exit_code == 1 and "reverse it first" in " ".join(held.output.split())
    for flags in (["--received"], []):
        undo = demo_db(
            "fund", "contributions", "--year", "2023", "--member", "DEU", *flags, "--reverse"
        )
        assert undo.exit_code == 0, undo.output
    gone = as_json(demo_db("fund", "ledger", "--json"))["contributors"]["DEU"]
    assert Decimal(gone["pledged"]) == Decimal(gone["received"]) == 0
    redo = ["fund", "contributions", "--year", "2023", "--member", "DEU", "--received"]
    assert demo_db(*redo).exit_code == 0
    after = as_json(demo_db("fund", "ledger", "--json"))
    assert after["contributors"] == before["contributors"] and after["invariants"] == []
    assert demo_db("fund", "ledger").exit_code == 0
    assert demo_db("audit", "verify").exit_code == 0


def test_schedule_run_twice_reschedules(demo_db: Invoke, tmp_path: Path) -> None:
    assert demo_db("fund", "contributions", "--year", "2023", "--received").exit_code == 0
    run = as_json(demo_db("portfolio", "optimize", "--json"))
    assert demo_db("portfolio", "approve", run["record_id"]).exit_code == 0
    again = demo_db("portfolio", "approve", run["record_id"])
    assert again.exit_code == 1 and "already approved" in again.output
    tranches = as_json(demo_db("tranches", "list", "--json"))
    project = next(t["project_id"] for t in tranches if t["stage"] == 0)
    committed = sum(
        (Decimal(t["amount"]) for t in tranches if t["project_id"] == project), Decimal(0)
    )
    half = (committed / 2).quantize(Decimal("0.01"))
    plan = tmp_path / "plan.csv"
    plan.write_text(f"year,amount\n2027,{half}\n2028,{half}\n", encoding="utf-8")
    first = as_json(demo_db("tranches", "schedule", project, str(plan), "--json"))
    second = as_json(demo_db("tranches", "schedule", project, str(plan), "--json"))
    assert first["tranches"] == second["tranches"] == 2
    assert Decimal(second["commitment"]) == 2 * half
    listed = {t["id"]: t["status"] for t in as_json(demo_db("tranches", "list", "--json"))}
    assert listed[f"{project}-S1"] == "cancelled" and listed[f"{project}-S3"] == "planned"
    assert demo_db("tranches", "release", f"{project}-S3").exit_code == 0
    late = demo_db("tranches", "schedule", project, str(plan))
    assert late.exit_code == 1 and "only planned tranches" in " ".join(late.output.split())
    assert demo_db("fund", "ledger").exit_code == 0
