"""``pfund agreements`` on the full demo: three signed agreements (one refunded, one
amended and extended, one cancelled with its money decommitted); bad input exits 1
naming the field and the figures, and stores nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.cli.conftest import Invoke, as_json


def test_the_demo_signs_three_agreements_and_bad_changes_store_nothing(
    cli: Invoke, tmp_path: Path
) -> None:
    made = cli("demo", "--report-dir", str(tmp_path / "report"))
    assert made.exit_code == 0, made.output
    assert "Grant agreements: AGR-0001, AGR-0002, AGR-0003 signed" in " ".join(made.stdout.split())
    lines = {x["agreement"]["id"]: x for x in as_json(cli("agreements", "--json"))}
    assert [x["agreement"]["status"] for x in lines.values()] == ["signed", "signed", "cancelled"]
    refunded, amended, cancelled = (lines[f"AGR-000{i}"] for i in (1, 2, 3))
    assert [v["kind"] for v in refunded["versions"]] == ["drawn_up", "signed", "refund"]
    assert Decimal(refunded["money"]["refunded"]) == Decimal(refunded["money"]["returned"]) > 0
    assert [v["kind"] for v in amended["versions"]][-2:] == ["amended", "extended"]
    assert amended["agreement"]["ends_on"] == "2030-12-31"
    assert Decimal(cancelled["money"]["unpaid"]) == 0
    decommitted = Decimal(cancelled["versions"][-1]["changes"]["decommitted"])
    assert decommitted == Decimal(cancelled["agreement"]["amount"])

    shown = cli("agreements", "show", "AGR-0002")
    assert shown.exit_code == 0 and "v3 amended" in shown.stdout

    paid = Decimal(refunded["money"]["paid"])
    too_much = cli("agreements", "refund", "AGR-0001", str(paid + 1), "--reason", "More than paid")
    assert too_much.exit_code == 1
    said = " ".join(too_much.output.split())
    assert f"paid to {refunded['agreement']['project_id']} net of earlier refunds" in said
    # a refund is stated in the agreement's own currency: another is refused by field
    other = cli(
        "agreements", "refund", "AGR-0001", "1.00", "--reason", "Unspent balance",
        "--currency", "JPY", "--json",
    )  # fmt: skip
    said = " ".join(other.output.split())
    assert other.exit_code == 1 and "currency" in said and "refunds are stated in" in said
    below = cli(
        "agreements", "amend", "AGR-0002", "--version", "4", "--reason", "Cut it", "--amount", "1"
    )
    assert below.exit_code == 1 and "reason" in below.output  # too short a reason first
    below = cli(
        "agreements", "amend", "AGR-0002", "--version", "4",
        "--reason", "Budget cut by the board", "--amount", "1",
    )  # fmt: skip
    assert below.exit_code == 1
    assert "is below the USD" in " ".join(below.output.split())
    stale = cli(
        "agreements", "amend", "AGR-0002", "--version", "3",
        "--reason", "Read before the extension", "--amount", "1",
    )  # fmt: skip
    assert stale.exit_code == 1 and "not 3" in stale.output
    again = cli("agreements", "cancel", "AGR-0003", "--reason", "Cancelled twice by mistake")
    assert again.exit_code == 1 and "is cancelled" in again.output
    after = {x["agreement"]["id"]: x for x in as_json(cli("agreements", "list", "--json"))}
    assert after == lines
    ledger = as_json(cli("fund", "ledger", "--json"))
    assert ledger["invariants"] == []
