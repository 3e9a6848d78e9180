"""From the CLI: size the fund, set conditions, watch tranches release and freeze."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke, as_json

EVIDENCE = ("--evidence", "OSCE monitoring report", "--verifier", "osce_monitoring")


def test_fund_size_rules(demo_db: Invoke) -> None:
    size = as_json(demo_db("fund", "size", "--json"))
    assert size["total"] == "129363225904.5"
    assert size["members"][0]["iso3"] == "USA"
    defence = as_json(demo_db("fund", "size", "--rule", "defence_share", "--json"))
    assert any(m["iso3"] == "ISL" and m["note"] for m in defence["members"])
    bad = demo_db("fund", "size", "--share", "9")
    assert bad.exit_code == 1 and "share" in bad.output


def test_conditions_gate_release_and_reversal_freezes(demo_db: Invoke) -> None:
    assert demo_db("fund", "contributions", "--year", "2023", "--received").exit_code == 0
    run = as_json(demo_db("portfolio", "optimize", "--json"))
    assert demo_db("portfolio", "approve", run["record_id"]).exit_code == 0
    tranches = as_json(demo_db("tranches", "list", "--json"))
    stage1 = next(t["id"] for t in tranches if t["stage"] == 1)
    held = demo_db("tranches", "release", stage1)
    assert held.exit_code == 1 and "ceasefire_holding" in held.output
    met = demo_db("conditions", "set", "ceasefire_holding", "met", *EVIDENCE, "--on", "2027-04-01")
    assert met.exit_code == 0 and "Stage reached: 0 -> 1" in met.stdout
    assert demo_db("tranches", "release", stage1).exit_code == 0
    reversed_ = as_json(
        demo_db(
            "conditions",
            "set",
            "ceasefire_holding",
            "reversed",
            *EVIDENCE,
            "--on",
            "2027-09-01",
            "--json",
        )
    )
    assert stage1 in reversed_["frozen"]
    history = as_json(demo_db("conditions", "history", "ceasefire_holding", "--json"))
    assert [c["new"] for c in history] == ["met", "reversed"]
    ledger = demo_db("fund", "ledger")
    assert ledger.exit_code == 0 and "Invariants hold." in ledger.stdout
    shown = as_json(demo_db("conditions", "show", "--json"))
    assert shown["stage_reached"] == 0 and shown["frozen_tranches"] == len(reversed_["frozen"])
    reason = ("--reason", "ceasefire holds again")
    still = demo_db("tranches", "unfreeze", stage1, *reason)
    said = " ".join(still.output.split())
    assert still.exit_code == 1 and '"Ceasefire holding" [ceasefire_holding] is reversed' in said
    again = ("conditions", "set", "ceasefire_holding", "met", *EVIDENCE, "--on", "2027-10-01")
    assert demo_db(*again).exit_code == 0
    back = demo_db("tranches", "unfreeze", stage1, *reason)
    assert back.exit_code == 0 and "back to released" in back.stdout
    assert "Invariants hold." in demo_db("fund", "ledger").stdout


def test_condition_errors_are_clean(demo_db: Invoke) -> None:
    unknown = demo_db("conditions", "set", "peace_on_mars", "met", *EVIDENCE)
    assert unknown.exit_code == 1 and "no condition 'peace_on_mars'" in unknown.output
    jump = demo_db("conditions", "set", "free_elections", "reversed", *EVIDENCE)
    assert jump.exit_code == 1 and "allowed next statuses" in jump.output
    assert "Traceback" not in unknown.output + jump.output


def test_scenario_run_compares_scenarios_and_stages(demo_db: Invoke) -> None:
    report = as_json(demo_db("scenario", "run", "--json"))
    names = [s["scenario"] for s in report["scenarios"]]
    assert {"stalemate", "ceasefire_only", "settlement"} <= set(names)
    values = {s["scenario"]: s["expected_value"] for s in report["scenarios"]}
    assert values["settlement"] > values["stalemate"]
    assert [s["max_stage"] for s in report["by_stage"]] == [0, 1, 2, 3]


def test_only_stage_k_answers_for_the_unapproved_remainder_after_approval(
    demo_db: Invoke,
) -> None:
    """Approved projects needing a later stage used to make every stage-k question infeasible."""
    assert demo_db("fund", "contributions", "--year", "2023", "--received").exit_code == 0
    run = as_json(demo_db("portfolio", "optimize", "--json"))
    assert demo_db("portfolio", "approve", run["record_id"]).exit_code == 0
    report = as_json(demo_db("scenario", "run", "--json"))
    approved = set(run["selected"])
    for line in report["by_stage"]:
        assert line["status"] == "optimal", line
        assert set(line["committed"]) == approved
        assert not approved & set(line["chosen"])
        assert line["cost_m"] >= line["committed_cost_m"] > 0
    assert {s["status"] for s in report["scenarios"]} == {"optimal"}


def test_envelope_with_ramp_and_growth_feeds_the_budgets(demo_db: Invoke, tmp_path: Path) -> None:
    budget = tmp_path / "budget.csv"
    result = as_json(
        demo_db(
            "fund",
            "envelope",
            "--years",
            "2026-2035",
            "--ramp",
            "2026:0.1,2028:0.5",
            "--growth",
            "0.03",
            "--budget-file",
            str(budget),
            "--fraction",
            "0.02",
            "--json",
        )
    )
    totals = {y["year"]: Decimal(y["total"]) for y in result["years"]}
    full = Decimal("129363225904.5")
    assert totals[2026] == pytest.approx(
        full * Decimal("1.03") ** 3 * Decimal("0.1"), rel=Decimal("1e-6")
    )
    assert totals[2027] == pytest.approx(
        full * Decimal("1.03") ** 4 * Decimal("0.1"), rel=Decimal("1e-6")
    )
    assert totals[2029] == pytest.approx(full * Decimal("1.03") ** 6, rel=Decimal("1e-6"))
    run = as_json(demo_db("portfolio", "optimize", "--budget-file", str(budget), "--json"))
    assert run["status"] == "optimal"
    assert run["years"][0]["budget"] == pytest.approx(float(totals[2026]) * 0.02 / 1e6, rel=1e-6)


def test_payment_schedule_above_the_commitment_is_refused(demo_db: Invoke, tmp_path: Path) -> None:
    assert demo_db("fund", "contributions", "--year", "2023", "--received").exit_code == 0
    run = as_json(demo_db("portfolio", "optimize", "--json"))
    assert demo_db("portfolio", "approve", run["record_id"]).exit_code == 0
    tranches = as_json(demo_db("tranches", "list", "--json"))
    project = next(t["project_id"] for t in tranches if t["stage"] == 0)
    committed = sum(
        (Decimal(t["amount"]) for t in tranches if t["project_id"] == project), Decimal(0)
    )
    too_much = tmp_path / "too_much.csv"
    too_much.write_text(f"year,amount\n2027,{committed}\n2028,0.01\n", encoding="utf-8")
    refused = demo_db("tranches", "schedule", project, str(too_much))
    assert refused.exit_code == 1
    assert "above the commitment" in " ".join(refused.output.split())  # Rich wraps lines
    assert as_json(demo_db("tranches", "list", "--json")) == tranches
    ledger_before = as_json(demo_db("fund", "ledger", "--json"))
    half = (committed / 2).quantize(Decimal("0.01"))
    fine = tmp_path / "fine.csv"
    fine.write_text(f"year,amount,conditions\n2027,{half},\n2028,{half},free_elections\n", "utf-8")
    done = as_json(demo_db("tranches", "schedule", project, str(fine), "--json"))
    assert Decimal(done["returned"]) == committed - 2 * half
    ledger = as_json(demo_db("fund", "ledger", "--json"))
    assert Decimal(ledger["balances"]["committed"]) == (
        Decimal(ledger_before["balances"]["committed"]) - Decimal(done["returned"])
    )
    held = demo_db("tranches", "release", f"{project}-S2")
    assert held.exit_code == 1 and "free_elections" in held.output
    assert demo_db("tranches", "release", f"{project}-S1").exit_code == 0


def test_conditions_show_names_verifiers_by_their_registered_names(demo_db: Invoke) -> None:
    """The data names verifiers by register code; a person reading the table needs names."""
    shown = demo_db("conditions", "show")
    said = " ".join(shown.stdout.split())
    assert shown.exit_code == 0 and "NATO" in said and "OSCE" in said
    assert "osce_monitoring" not in said and "us_treasury_ofac" not in said
    listed = as_json(demo_db("conditions", "show", "--json"))["conditions"]
    sanctions = next(c for c in listed if c["code"] == "sanctions_relief_phase1")
    assert sanctions["verifier"] == "eu_council, us_treasury_ofac"
    assert len(sanctions["verifier_names"]) == 2 and "eu_council" not in sanctions["verifier_names"]
