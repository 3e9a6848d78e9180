"""From the CLI: the demo's ECB rates, listed and shown; a bad rates file named row by row."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Invoke, as_json


def test_the_demo_imports_its_ecb_sample_and_states_a_conversion(demo_db: Invoke) -> None:
    rates = as_json(demo_db("rates", "list", "--currency", "usd", "--json"))
    assert [(r["day"], r["rate"]) for r in rates] == [
        ("2024-06-28", "1.0705"),
        ("2023-12-08", "1.0777"),
    ]
    assert rates[0]["source"].startswith("ECB euro foreign exchange reference rates")
    shown = as_json(
        demo_db("rates", "show", "EUR", "--date", "2024-06-30", "--amount", "1000", "--json")
    )
    # EUR 1,000 x 1.0705 = USD 1,070.50, at the rate of Friday 2024-06-28 (stated)
    assert shown["converted"] == "1070.5"  # JSON drops trailing zeros, as elsewhere
    assert "the latest published before 2024-06-30" in shown["stated"]
    text = demo_db("rates", "show", "GBP", "--to", "CHF", "--date", "2024-06-28")
    # 0.9634 / 0.84638 = 1.13825941... -> 1.1382594107
    assert text.exit_code == 0 and "GBP 1 = CHF 1.1382594107" in text.output
    before = demo_db("rates", "show", "EUR", "--date", "2023-01-01")
    assert before.exit_code == 1 and "no EUR->USD rate for 2023-01-01" in before.output


def test_a_bad_rates_file_is_refused_naming_file_row_and_field(
    demo_db: Invoke, tmp_path: Path
) -> None:
    bad = tmp_path / "rates.csv"
    bad.write_text("Date,USD,\n2024-07-01,0,\n", encoding="utf-8")
    result = demo_db("rates", "import", str(bad))
    assert result.exit_code == 1
    assert "rates.csv" in result.output and "row 2" in result.output and "USD" in result.output
    assert len(as_json(demo_db("rates", "list", "--json"))) == 18
