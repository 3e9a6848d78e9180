"""``pfund loans`` and ``pfund guarantees`` on the demo fund: the highway loan's
schedule and grant-equivalent, refusals that exit 1 and store nothing, a bad file
refused naming row and field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from tests.cli.conftest import Invoke, as_json


def test_the_demo_loan_schedule_and_guarantee(demo_db: Invoke) -> None:
    view = as_json(demo_db("loans", "schedule", "TRN-M11-01", "--json"))
    # 8 half-years of grace at 0.75% of USD 75 m = 562,500.00 interest each
    assert [r["interest"] for r in view["schedule"][:8]] == ["562500.00"] * 8
    assert view["schedule"][-1]["balance"] == "0.00"
    total = sum(Decimal(r["principal"]) for r in view["schedule"])
    assert total == Decimal("75000000.00")
    assert Decimal(view["grant_element"]) == Decimal("0.374308")
    words = " ".join(demo_db("loans", "list").stdout.split())
    assert "grant element 37.43% at 6%" in words
    shown = as_json(demo_db("guarantees", "show", "NRS-HE-01", "--json"))
    assert Decimal(shown["expected_cost"]) == Decimal("4500000")
    assert as_json(demo_db("loans", "arrears", "TRN-M11-01", "--json"))["overdue"] == []


def test_refusals_exit_1_and_store_nothing(
    demo_db: Invoke, tmp_path: Path, today: Callable[[date], None]
) -> None:
    today(date(2029, 1, 1))  # before the helium guarantee is valid
    before = as_json(demo_db("loans", "list", "--json"))
    refused = demo_db("loans", "repay", "TRN-M11-01", "100.00")
    assert refused.exit_code == 1 and "nothing is owed yet" in " ".join(refused.output.split())
    # a repayment is stated in the loan's currency: another is refused naming the field
    other = demo_db("loans", "repay", "TRN-M11-01", "100.00", "--currency", "EUR", "--json")
    said = " ".join(other.output.split())
    assert other.exit_code == 1 and "currency 'EUR'" in said and "stated in USD" in said
    call = demo_db("guarantees", "call", "NRS-HE-01", "1.00", "--reason", "the venture defaulted")
    assert call.exit_code == 1 and "valid 2030-01-01" in " ".join(call.output.split())
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "loans:\n  - project_id: TRN-M11-02\n    principal: '-5'\n    annual_rate: '0.01'\n"
        "    instalments: 4\n    disbursed_on: 2029-01-01\n",
        encoding="utf-8",
    )
    refused = demo_db("loans", "import", str(bad))
    text = " ".join(refused.output.split())
    assert refused.exit_code == 1 and "bad.yaml, row 1" in text and "principal" in text
    assert as_json(demo_db("loans", "list", "--json")) == before
