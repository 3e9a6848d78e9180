"""``pfund results``: the demo's indicators shown, an import all or nothing with every
problem located, a report link issued, reports imported from CSV, late reports listed."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Invoke, as_json

HEADER = "project,period,indicator,value,unit,region\n"


def test_show_gives_the_demo_projects_indicators_in_both_languages(demo_db: Invoke) -> None:
    shown = as_json(demo_db("results", "show", "TRN-M12-01", "--json"))
    first = shown["indicators"][0]["indicator"]
    assert (first["code"], first["name_ru"], first["unit"]) == ("km_built", "Построено, км", "km")
    assert first["outcome"] == "km_built"
    words = demo_db("results", "show", "TRN-M12-01")
    assert words.exit_code == 0 and "Построено, км" in words.stdout
    assert "2 indicators." in words.stdout
    one = demo_db("results", "show", "EDU-FUL-02")  # a count of one in the singular
    assert one.exit_code == 0 and "\n1 indicator.\n" in one.stdout
    missing = demo_db("results", "show", "NO-SUCH")
    assert missing.exit_code == 1 and "NO-SUCH" in missing.output


def test_import_refuses_a_file_with_a_bad_row_and_names_row_and_field(
    demo_db: Invoke, tmp_path: Path
) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text(
        "indicators:\n"
        "  - {project: TRN-M12-01, code: km_built, name: Km built, name_ru: Построено,\n"
        "     unit: km, baseline_date: 2029-01-01, targets: {'2032': 70}, outcome: km_built}\n"
        "  - {project: TRN-M12-01, code: lanes, name: Lanes, name_ru: Полосы,\n"
        "     unit: lanes, baseline_date: 2029-01-01, targets: {'2070': 4}}\n",
        encoding="utf-8",
    )
    refused = demo_db("results", "import", str(path))
    assert refused.exit_code == 1
    assert "indicators.yaml, row 2, field 'targets.2070'" in refused.output
    still = as_json(demo_db("results", "show", "TRN-M12-01", "--json"))
    assert len(still["indicators"]) == 2  # the first, good row was not written either


def test_link_report_and_late(demo_db: Invoke, tmp_path: Path) -> None:
    issued = as_json(demo_db("results", "link", "TRN-M12-01", "2030", "--json"))
    assert issued["path"] == f"/report?t={issued['token']}"
    bad = demo_db("results", "late", "--on", "nope")
    assert bad.exit_code == 1 and "'nope' is not a date as YYYY-MM-DD" in bad.output
    unknown = demo_db("results", "link", "TRN-M12-01", "2099")
    assert unknown.exit_code == 1 and "its periods: 2030, 2032" in unknown.output
    late = as_json(demo_db("results", "late", "--on", "2031-03-01", "--json"))
    assert [(r["project"], r["period"], r["days_late"]) for r in late] == [
        ("TRN-M12-01", "2030", 15)
    ]
    path = tmp_path / "reports.csv"
    path.write_text(HEADER + "TRN-M12-01,2030,km_built,31.5,km,\n", encoding="utf-8")
    assert as_json(demo_db("results", "report", str(path), "--json"))["reports"] == [
        "RPT-TRN-M12-01-2030"
    ]
    assert as_json(demo_db("results", "late", "--on", "2031-03-01", "--json")) == []
    shown = as_json(demo_db("results", "show", "TRN-M12-01", "--json"))
    assert shown["indicators"][0]["periods"][0] == {
        "period": "2030",
        "target": "35",
        "achieved": "31.5",
        "report": "RPT-TRN-M12-01-2030",
        "verified": None,  # no verifier has checked it
    }
