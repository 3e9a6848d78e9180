"""``pfund donors`` on the demo fund: the register, a receipt in another currency with
its conversion, the donor's report in two languages, and bad files refused naming
file, row and field with nothing stored."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.cli.conftest import Invoke, as_json


def test_register_receipt_and_report(demo_db: Invoke, tmp_path: Path) -> None:
    listed = as_json(demo_db("donors", "list", "--on", "2026-12-06", "--json"))
    assert [(v["agreement"]["id"], v["agreement"]["currency"]) for v in listed] == [
        ("DA-0001", "GBP"),
        ("DA-0002", "EUR"),
    ]
    booked = demo_db(
        "donors", "receive", "DA-0002", "--amount", "30000000.00", "--currency", "USD",
        "--day", "2026-11-02", "--json",
    )  # fmt: skip
    assert booked.exit_code == 0, booked.output
    receipt = as_json(booked)["receipt"]
    assert (receipt["agreement_amount"], receipt["rate"]) == ("28024287.72", "0.9341429239")
    shown = " ".join(demo_db("donors", "show", "DA-0002", "--on", "2026-12-06").output.split())
    assert "paid EUR 28.02 m (part-paid, 220 days late)" in shown
    report = demo_db("donors", "report", "DEU", "--out", str(tmp_path), "--json")
    assert report.exit_code == 0, report.output
    assert Decimal(as_json(report)["report"]["received"]) == Decimal("30000000.00")
    assert (tmp_path / "donor-DEU.ru.html").read_text(encoding="utf-8").count("Германия") >= 1


def test_a_bad_csv_exits_1_naming_row_and_field_and_stores_nothing(
    demo_db: Invoke, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "id,contributor,reference,title,currency,total,signed,admin_fee,earmark.areas,instalments\n"
        "DA-0101,NOR,NO-1,Norway for science,NOK,100.00,2027-01-01,0.01,science,2027-06-01=100.00\n"
        "DA-0102,NOR,NO-2,Norway for space,NOK,100.00,2027-01-01,0.01,space,2027-06-01=100.00\n",
        encoding="utf-8",
    )
    refused = demo_db("donors", "import", str(path))
    assert refused.exit_code == 1
    text = " ".join(refused.output.split())
    assert "bad.csv, row 3" in text and "earmark.areas" in text and "unknown area 'space'" in text
    listed = as_json(demo_db("donors", "list", "--json"))
    assert [v["agreement"]["id"] for v in listed] == ["DA-0001", "DA-0002"]
    path.write_text(path.read_text(encoding="utf-8").replace("space", "science"), encoding="utf-8")
    done = demo_db("donors", "import", str(path), "--json")
    assert as_json(done)["ids"] == ["DA-0101", "DA-0102"]


def test_a_receipt_booked_in_error_is_reversed_once(demo_db: Invoke) -> None:
    booked = demo_db(
        "donors", "receive", "DA-0002", "--amount", "30000000.00", "--currency", "USD",
        "--day", "2026-11-02", "--json",
    )  # fmt: skip
    number = as_json(booked)["receipt"]["number"]
    receipt = f"DA-0002-{number}"
    done = demo_db("donors", "reverse-receipt", receipt, "--reason", "bounced transfer", "--json")
    assert done.exit_code == 0, done.output
    answer = as_json(done)
    assert answer["receipt"]["status"] == "reversed"
    assert Decimal(answer["reversed"]) == Decimal("30000000.00")
    again = demo_db("donors", "reverse-receipt", receipt, "--reason", "bounced transfer")
    assert again.exit_code != 0 and "already reversed" in " ".join(again.output.split())
    shown = " ".join(demo_db("donors", "show", "DA-0002", "--on", "2026-12-06").output.split())
    assert f"receipt {receipt}" in shown and "REVERSED" in shown and "bounced transfer" in shown


def test_the_report_names_what_was_achieved_in_both_languages(cli: Invoke, tmp_path: Path) -> None:
    """GBR's earmark (health, education) funds EDU-FUL-02, whose scholarships the demo's
    verifier checked: 221.69 of 225 reported. The report names the indicator from the
    results framework (Scholarships / Стипендии), its unit, baseline, target and the
    verified value; an indicator not verified yet says so."""
    demo = cli("demo", "--report-dir", str(tmp_path / "board"))  # with its results loop
    assert demo.exit_code == 0, demo.output
    done = cli("donors", "report", "GBR", "--out", str(tmp_path), "--json")
    report = as_json(done)["report"]
    achieved = [a for p in report["projects"] for a in p["achieved"]]
    key = ("EDU-FUL-02", "scholarships")
    scholarships = next(a for a in achieved if (a["project"], a["code"]) == key)
    assert (scholarships["name"], scholarships["name_ru"]) == ("Scholarships", "Стипендии")
    assert Decimal(scholarships["verified"]) == Decimal("221.69")
    assert scholarships["unit"] == "people" and scholarships["target"] is not None
    assert report["verified_results"] >= 1
    assert any(a["verified"] is None for a in achieved)
    english = (tmp_path / "donor-GBR.html").read_text(encoding="utf-8")
    russian = (tmp_path / "donor-GBR.ru.html").read_text(encoding="utf-8")
    assert "What it achieved" in english and "Scholarships" in english and "221.69" in english
    assert "not verified yet" in english and "No results are verified yet" not in english
    assert "Чего удалось достичь" in russian and "Стипендии" in russian and "221,69" in russian
    assert "ещё не подтверждено" in russian and ">scholarships<" not in russian
