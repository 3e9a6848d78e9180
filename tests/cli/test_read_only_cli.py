"""Commands that read store nothing; the board report of any run rebuilds from its
record; frontier and report answer from a run that holds a portfolio, in words."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from pfund.store import make_engine
from tests.cli.conftest import Invoke, as_json

DATASET = Path(__file__).parents[2] / "src" / "pfund" / "data" / "rpf"


def stored(database_url: str) -> tuple[int, int]:
    """(decision records, audit events) in the store."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as c:
            records = int(c.scalar(text("SELECT count(*) FROM decision_records")) or 0)
            events = int(c.scalar(text("SELECT count(*) FROM audit_events")) or 0)
    finally:
        engine.dispose()
    return records, events


@pytest.fixture
def optimised(optimised_db: Invoke) -> Invoke:
    """The demo after ``portfolio optimize --time-limit 20`` (OPT-0001), see conftest."""
    return optimised_db


def infeasible_policy(tmp_path: Path) -> Path:
    """The fund's policy with a must-include no budget can pay for: no portfolio exists."""
    policy = yaml.safe_load((DATASET / "policy.yaml").read_text(encoding="utf-8"))
    policy["budgets"] = dict.fromkeys(policy["budgets"], 1)
    policy["must_include"] = ["TRN-M11-03"]
    path = tmp_path / "infeasible.yaml"
    path.write_text(yaml.safe_dump(policy), encoding="utf-8")
    return path


READ_ONLY = [
    ("projects", "list", "--area", "health"),
    ("projects", "show", "TRN-M11-03"),
    ("organisations", "list"),
    ("organisations", "show", "ORG-0001"),
    ("organisations", "vet", "ORG-0002"),
    ("portfolio", "explain", "TRN-M11-03"),
    ("portfolio", "frontier", "--points", "30"),
    ("portfolio", "robust", "--draws", "3", "--weight-sets", "3"),
    ("conditions", "show"),
    ("conditions", "verifiers"),
    ("conditions", "history"),
    ("match", "project", "TRN-M11-03"),
    ("screen", "lists"),
    ("screen", "review"),
    ("users", "list"),
    ("keys", "status"),
    ("fund", "size"),
    ("fund", "ledger"),
    ("tranches", "list"),
    ("audit", "verify"),
    ("audit", "log"),
    ("audit", "head"),
    ("screen", "Chruschtschow"),
]


def test_read_only_commands_store_nothing(
    optimised: Invoke, database_url: str, tmp_path: Path
) -> None:
    for command in [*READ_ONLY, ("report", str(tmp_path / "board"))]:
        before = stored(database_url)
        result = optimised(*command)
        assert result.exit_code == 0, (command, result.output)
        assert stored(database_url) == before, f"`pfund {' '.join(command)}` stored something"


def test_a_failed_report_stores_nothing(
    optimised: Invoke, database_url: str, tmp_path: Path
) -> None:
    bad = optimised("portfolio", "optimize", "--policy", str(infeasible_policy(tmp_path)))
    assert bad.exit_code == 1  # OPT-0002, infeasible: no report can be made of it
    before = stored(database_url)
    for run in ("OPT-9999", "APR-0001", "OPT-0002"):
        failed = optimised("report", str(tmp_path / "board"), "--run", run)
        assert failed.exit_code == 1, failed.output
        assert "Traceback" not in failed.output
        assert stored(database_url) == before
    assert not (tmp_path / "board" / "index.html").exists()


def test_report_of_a_run_rebuilds_after_the_pipeline_changed(
    optimised: Invoke, database_url: str, tmp_path: Path
) -> None:
    template = tmp_path / "new.csv"
    assert optimised("import", "template", "projects.csv", str(template)).exit_code == 0
    assert optimised("import", "projects", str(template)).exit_code == 0  # pipeline changed
    assert optimised("portfolio", "optimize", "--time-limit", "20").exit_code == 0  # OPT-0002
    late = tmp_path / "late.json"  # costs money in a year no budget covers
    late.write_text(
        '[{"id": "GOV-LATE-1", "title": "A late project", "area": "governance",'
        ' "regions": ["RU-SAM"], "stage": 0, "costs": {"2040": {"capital": 100000}}}]',
        encoding="utf-8",
    )
    assert optimised("import", "projects", str(late)).exit_code == 0
    before = stored(database_url)
    built = optimised("report", str(tmp_path / "old"), "--run", "OPT-0001")
    assert built.exit_code == 0, built.output
    page = (tmp_path / "old" / "index.html").read_text(encoding="utf-8")
    assert "OPT-0001" in page
    assert "TRN-EXAMPLE-01" not in page and "GOV-LATE-1</b>" not in page  # the run's projects
    assert "Not computed: today" in page  # scenarios plan today's pipeline, and say why not
    assert stored(database_url) == before


def test_frontier_answers_from_the_newest_run_with_a_portfolio(
    optimised: Invoke, tmp_path: Path
) -> None:
    bad = optimised("portfolio", "optimize", "--policy", str(infeasible_policy(tmp_path)))
    assert bad.exit_code == 1  # OPT-0002, infeasible
    front = optimised("portfolio", "frontier", "--points", "30")
    assert front.exit_code == 0, front.output
    assert "OPT-0001" in front.stdout
    assert "nan" not in front.stdout.lower()
    named = optimised("portfolio", "frontier", "--run", "OPT-0002")
    assert named.exit_code == 1
    assert "infeasible" in named.output and "OPT-0001" in named.output
    report = optimised("report", str(tmp_path / "board"))
    assert report.exit_code == 0, report.output
    assert "OPT-0001" in (tmp_path / "board" / "index.html").read_text(encoding="utf-8")


def test_frontier_says_in_words_where_no_portfolio_meets_the_rules(
    optimised: Invoke, database_url: str
) -> None:
    """After approval a new run keeps every approved project in: small budgets cannot
    hold them, and those points say so instead of printing nan."""
    assert optimised("fund", "contributions", "--year", "2023", "--received").exit_code == 0
    assert optimised("portfolio", "approve", "OPT-0001").exit_code == 0
    assert optimised("portfolio", "optimize", "--time-limit", "20").exit_code == 0  # OPT-0002
    front = optimised("portfolio", "frontier", "--points", "30")
    assert front.exit_code == 0, front.output
    assert "nan" not in front.stdout.lower()
    records, _ = stored(database_url)
    recorded = as_json(optimised("portfolio", "frontier", "--points", "30", "--record", "--json"))
    assert recorded["record_id"] == "FRN-0001"  # stored only when asked
    assert stored(database_url)[0] == records + 1
    points = recorded["budget"]
    empty = [p for p in points if p["status"] not in ("optimal", "feasible")]
    assert empty, "expected budgets too small for the approved projects"
    assert all(p["value"] is None and "no portfolio" in p["answer"] for p in empty)
    assert "no portfolio meets the rules" in front.stdout.replace("\n", " ")


def test_approval_before_contributions_names_the_step(optimised: Invoke, database_url: str) -> None:
    before = stored(database_url)
    refused = optimised("portfolio", "approve", "OPT-0001")
    assert refused.exit_code == 1
    said = " ".join(refused.output.split())
    assert "the fund holds USD 0.00" in said
    assert "record contributions first: pfund fund contributions --year 2023 --received" in said
    assert stored(database_url) == before
    assert optimised("fund", "contributions", "--year", "2023", "--received").exit_code == 0
    assert optimised("portfolio", "approve", "OPT-0001").exit_code == 0
