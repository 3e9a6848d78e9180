"""Indicator data sets and condition rules over the store: versions by content hash, bad
files refused whole, rules that apply or propose changes, and the scorecard's money."""

from __future__ import annotations

import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from pfund.domain import ConditionStatus, TrancheStatus
from pfund.domain.scorecard import ProposalStatus
from pfund.errors import Conflict, InvalidInput
from pfund.io.dataset import bundled_dataset
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.audit import verify
from pfund.services.conditions import history
from pfund.services.demo import load_demo
from pfund.services.funding import record_contributions
from pfund.services.portfolio import run_portfolio
from pfund.services.runtime import Runtime
from pfund.services.scorecard import (
    confirm,
    evaluate,
    import_indicator_set,
    indicator_sets,
    proposals,
    reject,
)
from pfund.services.scorecard_view import scorecard
from pfund.services.tranches import approve, list_tranches, release_tranche
from pfund.store.repositories import table_counts

HEADER = "area,indicator,year,value,category,source,licence\n"
SOURCE = "Test figures,CC0-1.0"


def figures(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(f"{r},{SOURCE}\n" for r in rows), encoding="utf-8")
    return path


def counts(rt: Runtime) -> dict[str, int]:
    with rt.uow() as uow:
        return table_counts(uow.session)


def test_same_file_is_a_no_op_and_a_changed_file_a_new_version(rt: Runtime, tmp_path: Path) -> None:
    path = figures(
        tmp_path / "vdem.csv", "RU,v2x_polyarchy,2023,0.10,", "RU-MOW,turnout,2023,41.5,"
    )
    first = import_indicator_set(rt, path)
    assert (first.name, first.version, first.rows, first.unchanged) == ("vdem", 1, 2, False)
    before = counts(rt)
    again = import_indicator_set(rt, path)
    assert again.unchanged and again.sha256 == first.sha256 and counts(rt) == before
    figures(path, "RU,v2x_polyarchy,2023,0.11,", "RU-MOW,turnout,2023,41.5,")
    second = import_indicator_set(rt, path)
    assert (second.version, second.unchanged) == (2, False)
    assert second.sha256 != first.sha256
    assert [(s.version, s.sha256) for s in indicator_sets(rt)] == [
        (2, second.sha256),
        (1, first.sha256),
    ]
    with pytest.raises(InvalidInput, match="cannot name a data set"):
        import_indicator_set(rt, path, name="no spaces please")
    with rt.uow() as uow:
        assert verify(uow).intact


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ("XX,v2x_polyarchy,2023,0.1,", "area", "unknown country or region 'XX'"),
        ("RU-ZZZ,v2x_polyarchy,2023,0.1,", "area", "unknown country or region 'RU-ZZZ'"),
        ("RU,v2x_polyarchy,2023,high,", "value", "'high' is not a number"),
        ("RU,v2x_polyarchy,2023,NaN,", "value", "'NaN' is not a number"),
        ("RU,v2x_polyarchy,2023,0.1,Free", "value", "not both or neither"),
        ("RU,v2x_polyarchy,twenty,0.1,", "year", "'twenty' is not a year"),
        ("RU,v2x_polyarchy,2023,0." + "1" * 45 + ",", "value", "more than 40 digits"),
        ("RU,v2x_polyarchy,2022,0.3,", "year", "given twice (first on row 2)"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_stored(
    rt: Runtime, tmp_path: Path, row: str, field: str, reason: str
) -> None:
    before = counts(rt)
    path = figures(
        tmp_path / "bad.csv", "RU,v2x_polyarchy,2022,0.2,", "RU,freedom_status,2022,,Not Free", row
    )
    with pytest.raises(InvalidInput) as refused:
        import_indicator_set(rt, path)
    problem = refused.value.problems[0]
    assert (problem.file, problem.row, problem.field) == ("bad.csv", 4, field)
    assert reason in problem.reason
    assert "nothing was imported" in str(refused.value)
    assert counts(rt) == before


def test_the_sample_figures_fail_the_free_elections_rule_and_nothing_changes(rt: Runtime) -> None:
    import_indicator_set(rt, bundled_dataset() / "governance_indicators.csv")
    result = evaluate(rt, apply=True)
    (line,) = result.rules
    assert (line.condition, line.passed, line.proposed, line.action) == (
        "free_elections",
        False,
        None,
        "none",
    )
    assert [t.value for t in line.tests] == ["0.09", "Not Free", "11.8"]
    assert "ceasefire_holding" in result.manual
    assert proposals(rt) == []
    card = scorecard(rt)
    assert [line.indicator for line in card.lines] == [
        "v2x_polyarchy",
        "freedom_status",
        "wgi_cc_percentile",
    ]
    assert card.lines[0].trend[0].year == 2019 and card.lines[0].passed is False
    assert "ILLUSTRATIVE" in card.lines[0].source


RULE = """policy: {policy}
rules:
  - condition: ceasefire_holding
    verifier: osce_monitoring
    rule:
      all:
        - {{indicator: ceasefire_days, op: ">=", threshold: 90}}
"""


@pytest.fixture
def ruled(rt: Runtime, tmp_path: Path) -> Runtime:
    """The sample fund with one rule: the ceasefire holds when it has lasted 90 days."""
    folder = tmp_path / "fund"
    shutil.copytree(bundled_dataset(), folder)
    ruled = replace(rt, dataset=folder)
    load_demo(ruled)
    return ruled


def rules_policy(rt: Runtime, policy: str) -> None:
    assert rt.dataset is not None
    (rt.dataset / "condition_rules.yaml").write_text(RULE.format(policy=policy), encoding="utf-8")


def days(rt: Runtime, tmp_path: Path, value: str) -> None:
    import_indicator_set(
        rt, figures(tmp_path / "ceasefire.csv", f"RU,ceasefire_days,2027,{value},")
    )


def test_by_policy_apply_the_condition_follows_its_indicator_and_freezes_money(
    ruled: Runtime, tmp_path: Path
) -> None:
    rules_policy(ruled, "apply")
    days(ruled, tmp_path, "89")
    assert evaluate(ruled, apply=True).rules[0].proposed is None
    days(ruled, tmp_path, "90")
    line = evaluate(ruled, apply=True).rules[0]
    assert (line.proposed, line.action) == ("met", "applied")
    (change,) = history(ruled, "ceasefire_holding")
    assert change.new is ConditionStatus.MET and change.verifier == "osce_monitoring"
    sha = indicator_sets(ruled)[0].sha256
    assert "ceasefire_days = 90 (RU, 2027) passes" in change.evidence
    assert sha[:12] in change.evidence
    (applied,) = proposals(ruled)
    assert applied.status is ProposalStatus.APPLIED and applied.sets == [f"ceasefire@{sha}"]
    assert applied.values[0]["value"] == "90"
    record_contributions(ruled, year=2023, received=True)
    report, _ = run_portfolio(ruled, appraise_pipeline(load_inputs(ruled)))
    approve(ruled, report.record_id)
    stage1 = next(t for t in list_tranches(ruled) if t.stage == 1)
    release_tranche(ruled, stage1.id)
    card = scorecard(ruled)
    assert card.lines[0].passed is True and card.lines[0].money > Decimal(0)
    days(ruled, tmp_path, "89.9")
    line = evaluate(ruled, apply=True).rules[0]
    assert (line.proposed, line.action) == ("reversed", "applied")
    assert line.change is not None and stage1.id in line.change.frozen
    frozen = {t.id: t.status for t in list_tranches(ruled)}
    assert frozen[stage1.id] is TrancheStatus.FROZEN
    with ruled.uow() as uow:
        assert verify(uow).intact


def test_by_policy_confirm_a_proposal_waits_for_staff(ruled: Runtime, tmp_path: Path) -> None:
    rules_policy(ruled, "confirm")
    days(ruled, tmp_path, "120")
    dry = evaluate(ruled, apply=False).rules[0]
    assert dry.action == "would_ask" and proposals(ruled) == []
    line = evaluate(ruled, apply=True).rules[0]
    assert line.action == "pending" and line.proposal is not None
    assert history(ruled, "ceasefire_holding") == []
    assert evaluate(ruled, apply=True).rules[0].action == "already_pending"
    assert len(proposals(ruled, status="pending")) == 1
    with pytest.raises(InvalidInput, match="reason"):
        reject(ruled, line.proposal, reason="no")
    done = confirm(ruled, line.proposal)
    assert done.proposal.status is ProposalStatus.CONFIRMED
    assert done.change is not None and done.change.new == "met"
    assert history(ruled, "ceasefire_holding")[0].new is ConditionStatus.MET
    with pytest.raises(Conflict, match="already confirmed"):
        reject(ruled, line.proposal, reason="changed my mind after all")
    days(ruled, tmp_path, "10")
    second = evaluate(ruled, apply=True).rules[0]
    assert second.proposed == "reversed" and second.proposal is not None
    refused = reject(ruled, second.proposal, reason="one bad month is not a collapse")
    assert refused.proposal.status is ProposalStatus.REJECTED
    assert history(ruled, "ceasefire_holding")[-1].new is ConditionStatus.MET
