"""``pfund results units|sample|verify|payments``: on the demo, a sample drawn and
recorded, redrawn the same from the same seed, findings outside the draw refused with
nothing stored, then the verification factor."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Invoke, as_json


def test_a_sample_is_drawn_and_verified_from_the_command_line(
    demo_db: Invoke, tmp_path: Path
) -> None:
    link = as_json(demo_db("results", "link", "TRN-M12-01", "2030", "--json"))
    report = link["report_id"]
    units = tmp_path / "units.csv"
    rows = "".join(f"{report},km_built,KM{i:02d},,2\n" for i in range(25))
    units.write_text("report,indicator,unit,stratum,reported\n" + rows, encoding="utf-8")
    assert as_json(demo_db("results", "units", str(units), "--json"))["imported"] == 25
    ask = ["results", "sample", report, "--indicator", "km_built", "--seed", "5", "--json"]
    first = as_json(demo_db(*ask, "--confidence", "0.9", "--precision", "0.1"))
    again = as_json(demo_db(*ask, "--confidence", "0.9", "--precision", "0.1"))
    assert first["units"] == again["units"] and first["verification"] != again["verification"]
    # Cochran: n0 = 67.6; n = 67.6 / (1 + 66.6 / 25) = 18.5 -> 19 of 25
    assert len(first["units"]) == 19
    outsider = next(f"KM{i:02d}" for i in range(25) if f"KM{i:02d}" not in first["units"])
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "unit,recounted\n" + "".join(f"{u},2\n" for u in [*first["units"], outsider]),
        encoding="utf-8",
    )
    refused = demo_db("results", "verify", first["verification"], str(bad))
    assert refused.exit_code == 1
    assert f"unit '{outsider}' was not in the draw (seed 5)" in refused.output
    good = tmp_path / "good.csv"
    good.write_text(
        "unit,recounted\n" + "".join(f"{u},1.5\n" for u in first["units"]), encoding="utf-8"
    )
    result = as_json(demo_db("results", "verify", first["verification"], str(good), "--json"))
    # every recount is 1.5 of 2: factor 0.75, verified 0.75 x 50 = 37.5
    assert result["factor"] == 0.75 and result["verified_total"] == 37.5
    assert result["failing_units"] == len(first["units"])  # 25 % off, above the 10 % tolerance
    assert as_json(demo_db("results", "payments", "--json")) == []
