"""The appraisal and portfolio commands a programme officer runs, end to end."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from pfund.cli.app import app
from pfund.store import make_engine
from tests.cli.conftest import Invoke, as_json
from tests.cli.test_cli import _sample_secrets


def test_appraise_lists_every_active_project_with_probabilities(demo_db: Invoke) -> None:
    report = as_json(demo_db("appraise", "--json"))
    assert len(report["lines"]) >= 80
    assert report["record_id"].startswith("APR-")
    for line in report["lines"]:
        assert 0.0 <= line["p_npv_positive"] <= 1.0
        assert line["err_status"] in {"unique", "none", "multiple"}


def test_optimize_records_a_run_that_reruns_exactly(demo_db: Invoke) -> None:
    run = as_json(demo_db("portfolio", "optimize", "--json"))
    assert run["status"] == "optimal" and run["selected"]
    assert run["gain_over_greedy"] >= 0
    again = demo_db("portfolio", "rerun", run["record_id"])
    assert again.exit_code == 0, again.output
    assert "reproduced exactly" in again.stdout
    assert demo_db("portfolio", "rerun", "OPT-9999").exit_code == 1


def test_explain_frontier_and_robustness(demo_db: Invoke, tmp_path: Path) -> None:
    run = as_json(demo_db("portfolio", "optimize", "--json"))
    chosen = run["selected"][0]
    why = as_json(demo_db("portfolio", "explain", chosen, "--json"))
    assert why["explanations"][0]["selected"] is True
    assert chosen in why["explanations"][0]["sentence"]
    plot = tmp_path / "frontier.html"
    front = as_json(
        demo_db("portfolio", "frontier", "--points", "30", "--plot", str(plot), "--json")
    )
    assert plot.read_text("utf-8").count("<svg") == 2
    values = [p["value"] for p in front["budget"]]
    assert len(values) >= 30
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(values))
    robust = as_json(demo_db("portfolio", "robust", "--draws", "8", "--weight-sets", "8", "--json"))
    classes = {line["robustness"] for line in robust["lines"]}
    assert classes <= {"core", "borderline", "exterior"} and "core" in classes


def test_budget_file_without_a_year_exits_1_and_records_nothing(
    demo_db: Invoke, tmp_path: Path
) -> None:
    budget = tmp_path / "budget.csv"
    budget.write_text("year,budget\n2026,1e9\n2027,1e9\n", encoding="utf-8")
    result = demo_db("portfolio", "optimize", "--budget-file", str(budget))
    assert result.exit_code == 1
    assert "no budget for 2028" in result.output
    assert "Traceback" not in result.output
    assert demo_db("portfolio", "rerun", "OPT-0001").exit_code == 1  # nothing was recorded


SCORED = """id,title,area,value_score,cost.2027.capital,depends_on,excludes
S-A,Scored project A,health,10,6,,
S-B,Scored project B,health,7,4,,
S-C,Scored project C,health,7,4,,
S-D,Scored project D,education,9,5,S-A,S-E
S-E,Scored project E,education,8,5,,S-D
"""


def test_a_portfolio_appraised_elsewhere_is_optimised_on_its_scores(
    cli: Invoke, tmp_path: Path
) -> None:
    """Budget 14 in 2027: the best set is A + B + C (value 24); ranking by value per
    dollar takes B, C, then D cannot come without A, leaving E (value 22)."""
    assert cli("init").exit_code == 0
    projects = tmp_path / "scored.csv"
    projects.write_text(SCORED, encoding="utf-8")
    assert cli("import", "projects", str(projects)).exit_code == 0
    policy = tmp_path / "policy.yaml"
    policy.write_text("budgets: {2027: 14}\ndraws: 100\n", encoding="utf-8")
    run = as_json(cli("portfolio", "optimize", "--policy", str(policy), "--json"))
    assert sorted(run["selected"]) == ["S-A", "S-B", "S-C"]
    assert run["objective"] == pytest.approx(24.0)
    assert run["greedy_objective"] <= 24.0


def test_report_is_self_contained_and_leaks_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    db = f"sqlite:///{tmp_path}/report.db"
    out = tmp_path / "report"
    result = runner.invoke(app, ["--db", db, "demo", "--report-dir", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "index.html").read_text("utf-8")
    assert "OPT-0001" in html and "<svg" in html
    for section in ("Where the money comes from", "What must happen", "Scenarios"):
        assert section in html
    assert 'src="http' not in html and 'href="http' not in html and "<script" not in html
    # Charts and tables name areas, scenarios and stages; codes stay out of the text.
    for code in ("natural_resources", "ceasefire_only", "stage 1<"):
        assert code not in html, code
    for name in ("Natural resources and minerals", "Ceasefire only", "1: Ceasefire holding"):
        assert name in html, name
    leaked = [s for s in _sample_secrets() if s in html]
    assert not leaked
    # The Russian report beside it: as self-contained, and linked both ways.
    ru = (out / "index.ru.html").read_text("utf-8")
    assert 'src="http' not in ru and 'href="http' not in ru and "<script" not in ru
    assert 'href="index.ru.html"' in html and 'href="index.html"' in ru
    assert "Природные ресурсы и полезные ископаемые" in ru and "Только прекращение огня" in ru
    assert not [s for s in _sample_secrets() if s in ru]
    # --lang writes one language only.
    one = runner.invoke(app, ["--db", db, "report", str(tmp_path / "ru"), "--lang", "ru", "--json"])
    assert one.exit_code == 0, one.output
    assert json.loads(one.stdout)["files"] == [str(tmp_path / "ru" / "index.ru.html")]
    assert sorted(p.name for p in (tmp_path / "ru").iterdir()) == ["index.ru.html"]


def test_the_err_hurdle_is_a_gate_as_the_criteria_file_says(demo_db: Invoke) -> None:
    """EDU-SCH-01 (ERR 3.7%, negative NPV) was chosen before the hurdle acted as a gate."""
    appraised = as_json(demo_db("appraise", "--json"))
    below = {
        line["id"]
        for line in appraised["lines"]
        if line["err"] is not None and line["err"] < appraised["hurdle"]
    }
    assert "EDU-SCH-01" in below
    run = as_json(demo_db("portfolio", "optimize", "--json"))
    assert run["status"] == "optimal" and run["selected"]
    assert not below & set(run["selected"])
    why = as_json(demo_db("portfolio", "explain", "EDU-SCH-01", "--json"))["explanations"][0]
    assert why["reason"] == "hurdle" and why["selected"] is False
    assert "3.7%" in why["sentence"] and "below the hurdle of 10.0%" in why["sentence"]


def test_frontier_skips_an_infeasible_newest_run_and_refuses_one_named(
    demo_db: Invoke, tmp_path: Path
) -> None:
    """Before, the newest run was used even when infeasible: 31 rows of nan."""
    good = as_json(demo_db("portfolio", "optimize", "--json"))["record_id"]
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "budgets: {2026: 0, 2027: 0, 2028: 0, 2029: 0, 2030: 0, 2031: 0, 2032: 0, 2033: 0,"
        " 2034: 0, 2035: 0}\nmust_include: [TRN-M11-03]\n",
        encoding="utf-8",
    )
    infeasible = demo_db("portfolio", "optimize", "--policy", str(policy), "--json")
    bad = json.loads(infeasible.stdout)
    assert bad["status"] == "infeasible"
    front = as_json(demo_db("portfolio", "frontier", "--points", "5", "--json"))
    assert front["portfolio_run"] == good
    assert all(p["value"] == p["value"] for p in front["budget"])  # no NaN
    named = demo_db("portfolio", "frontier", "--run", bad["record_id"], "--points", "5")
    assert named.exit_code == 1 and "holds no portfolio" in named.output
    assert "Traceback" not in named.output


def _parameters(database_url: str, record_id: str) -> dict[str, object]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as c:
            found = c.scalar(
                text("SELECT parameters FROM decision_records WHERE id = :id"), {"id": record_id}
            )
    finally:
        engine.dispose()
    return dict(json.loads(str(found)))


def test_frontier_and_robustness_take_a_time_limit_per_solve_and_record_it(
    demo_db: Invoke, database_url: str
) -> None:
    """Each re-optimisation gets the limit asked (the queued jobs already took one)."""
    assert demo_db("portfolio", "optimize", "--json").exit_code == 0
    front = as_json(
        demo_db(
            "portfolio", "frontier", "--points", "5", "--time-limit", "2.5", "--record", "--json"
        )
    )
    assert _parameters(database_url, front["record_id"])["time_limit"] == 2.5
    robust = as_json(
        demo_db(
            "portfolio",
            "robust",
            "--draws",
            "2",
            "--weight-sets",
            "2",
            "--time-limit",
            "3",
            "--record",
            "--json",
        )
    )
    assert _parameters(database_url, robust["record_id"])["time_limit"] == 3.0
    refused = demo_db("portfolio", "frontier", "--time-limit", "0")
    assert refused.exit_code == 2 and "--time-limit" in refused.output
