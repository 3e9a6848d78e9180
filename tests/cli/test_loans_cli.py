"""``pfund loans`` and ``pfund guarantees`` on the demo fund: the media loan's
schedule and grant-equivalent, refusals that exit 1 and store nothing, a bad file
refused naming row and field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from tests.cli.conftest import Invoke, as_json


def test_the_demo_loan_schedule_and_guarantee(demo_db: Invoke) -> None:
    view = as_json(demo_db("loans", "schedule", "GOV-MED-01", "--json"))
    # no grace: the first half-year's interest is 0.375% of USD 60 m = 225,000.00
    assert view["schedule"][0]["interest"] == "225000.00"
    assert view["schedule"][-1]["balance"] == "0.00"
    total = sum(Decimal(r["principal"]) for r in view["schedule"])
    assert total == Decimal("60000000.00")
    assert Decimal(view["grant_element"]) == Decimal("0.557456")
    words = " ".join(demo_db("loans", "list").stdout.split())
    assert "grant element 55.75% at 6%" in words
    # nothing paid out yet (no results loop): every instalment is due, none late
    table = demo_db("loans", "schedule", "GOV-MED-01", "--on", "2030-01-01").stdout
    rows = [line.split() for line in table.splitlines()]
    statuses = {r[-1] for r in rows if len(r) == 7 and r[0].isdigit()}
    assert statuses == {"due"}
    shown = as_json(demo_db("guarantees", "show", "NRS-HE-01", "--json"))
    assert Decimal(shown["expected_cost"]) == Decimal("4500000")
    assert as_json(demo_db("loans", "arrears", "GOV-MED-01", "--json"))["overdue"] == []


def test_refusals_exit_1_and_store_nothing(
    demo_db: Invoke, tmp_path: Path, today: Callable[[date], None]
) -> None:
    today(date(2029, 1, 1))  # before the helium guarantee is valid
    before = as_json(demo_db("loans", "list", "--json"))
    refused = demo_db("loans", "repay", "GOV-MED-01", "100.00")
    assert refused.exit_code == 1 and "nothing is owed yet" in " ".join(refused.output.split())
    # a repayment is stated in the loan's currency: another is refused naming the field
    other = demo_db("loans", "repay", "GOV-MED-01", "100.00", "--currency", "EUR", "--json")
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
