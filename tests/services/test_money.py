"""Funding, conditions and tranches over the store: the money moves only as it should."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from pfund.domain import TrancheStatus
from pfund.errors import Conflict, InvalidInput, NotFound, Refusal
from pfund.funding import disburse
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.audit import AuditWriter, verify
from pfund.services.conditions import set_condition
from pfund.services.funding import fund_size, ledger_view, post_entries, record_contributions
from pfund.services.portfolio import run_portfolio
from pfund.services.runtime import Runtime
from pfund.services.scenarios import run_scenarios
from pfund.services.tranches import (
    CONTRIBUTIONS_NEEDED,
    approve,
    disburse_tranche,
    list_tranches,
    release_tranche,
)
from pfund.store.repositories import table_counts

CEASEFIRE = {"evidence": "OSCE monitoring report", "verifier": "osce_monitoring"}


@pytest.fixture
def demo(demo_rt: Runtime) -> Runtime:
    return demo_rt  # the sample fund loaded (load_demo), see tests/services/conftest.py


@pytest.fixture
def approved(approved_rt: Runtime) -> Runtime:
    """The sample fund with 2023's contributions received and a portfolio run approved: a
    copy of one made so once per process (tests/services/conftest.py)."""
    return approved_rt


def counts(rt: Runtime) -> dict[str, int]:
    with rt.uow() as uow:
        return table_counts(uow.session)


def test_fund_size_matches_the_shipped_gdp(demo: Runtime) -> None:
    size = fund_size(demo)
    assert size.total == Decimal("129363225904.50")
    capped = fund_size(demo, rule="capped_share", cap=Decimal("0.3"))
    assert max(m.share_of_total for m in capped.members) <= 0.3 + 1e-9
    assert abs(capped.total - size.total) <= Decimal("0.32")


def test_approval_commits_every_tranche_and_needs_money_first(demo: Runtime) -> None:
    report, _ = run_portfolio(demo, appraise_pipeline(load_inputs(demo)))
    before = counts(demo)
    with pytest.raises(Refusal, match="contributions must be received first") as refused:
        approve(demo, report.record_id)
    assert refused.value.code == CONTRIBUTIONS_NEEDED
    assert refused.value.facts["held"] == "0.00" and refused.value.facts["year"] == 2023
    assert "pfund " not in str(refused.value) and "--" not in str(refused.value)
    assert counts(demo) == before
    record_contributions(demo, year=2023, received=True)
    result = approve(demo, report.record_id)
    assert result.projects == len(report.selected)
    view = ledger_view(demo)
    assert view.balances["committed"] == result.committed
    assert view.invariants == []
    with pytest.raises(Conflict, match="already approved"):
        approve(demo, report.record_id)


def test_release_waits_for_conditions_and_a_reversal_freezes(approved: Runtime) -> None:
    demo = approved
    tranches = list_tranches(demo)
    stage1 = next(t for t in tranches if t.stage == 1)
    with pytest.raises(Conflict, match="ceasefire_holding"):
        release_tranche(demo, stage1.id)
    set_condition(demo, "ceasefire_holding", "met", on=date(2027, 4, 1), **CEASEFIRE)
    release_tranche(demo, stage1.id)
    disburse_tranche(demo, stage1.id)
    other = next(
        t for t in list_tranches(demo) if t.stage == 1 and t.status is TrancheStatus.PLANNED
    )
    release_tranche(demo, other.id)
    change = set_condition(demo, "ceasefire_holding", "reversed", on=date(2027, 9, 1), **CEASEFIRE)
    assert other.id in change.frozen and stage1.id not in change.frozen
    statuses = {t.id: t.status for t in list_tranches(demo)}
    assert statuses[stage1.id] is TrancheStatus.DISBURSED
    assert all(statuses[t] is TrancheStatus.FROZEN for t in change.frozen)
    view = ledger_view(demo)
    assert view.invariants == []
    assert view.balances["released"] == 0
    assert view.balances["disbursed"] == stage1.amount
    with demo.uow() as uow:
        assert verify(uow).intact


def test_forbidden_transition_and_unknown_condition_change_nothing(demo: Runtime) -> None:
    before = counts(demo)
    with pytest.raises(InvalidInput, match="allowed next statuses"):
        set_condition(demo, "free_elections", "reversed", on=date(2027, 1, 1), **CEASEFIRE)
    with pytest.raises(NotFound, match="no condition"):
        set_condition(demo, "peace_on_mars", "met", on=date(2027, 1, 1), **CEASEFIRE)
    with pytest.raises(InvalidInput, match="not a status"):
        set_condition(demo, "free_elections", "maybe", on=date(2027, 1, 1), **CEASEFIRE)
    assert counts(demo) == before


def test_paying_more_than_released_is_refused_and_writes_nothing(approved: Runtime) -> None:
    demo = approved
    tranche = next(t for t in list_tranches(demo) if t.stage == 0)
    release_tranche(demo, tranche.id)
    before = counts(demo)
    too_much = disburse(
        datetime.now(UTC),
        tranche.amount + Decimal("0.01"),
        project_id=tranche.project_id,
        tranche_id=tranche.id,
    )
    with demo.uow() as uow, pytest.raises(InvalidInput, match="ledger refuses"):
        post_entries(uow, AuditWriter(uow, demo.actor), [too_much])
    assert counts(demo) == before


def test_scenarios_choose_by_expectation_and_refuse_bad_files(
    demo: Runtime, tmp_path: Path
) -> None:
    good = tmp_path / "scenarios.yaml"
    good.write_text(
        "scenarios:\n"
        "  ceasefire_only: {stage_1: {2026: 0.5, 2027: 1.0}}\n"
        "  settlement: {path: {1: 2026, 2: 2028, 3: 2031}}\n",
        encoding="utf-8",
    )
    pa = appraise_pipeline(load_inputs(demo))
    report = run_scenarios(demo, pa, good)
    stage = {p.id: p.stage for p in pa.inputs.projects}
    ceasefire = next(s for s in report.scenarios if s.scenario == "ceasefire_only")
    assert ceasefire.chosen and all(stage[p] <= 1 for p in ceasefire.chosen)
    assert [line.max_stage for line in report.by_stage] == [0, 1, 2, 3]
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenarios:\n  odd: {stage_1: {2026: 0.8, 2027: 0.4}}\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        run_scenarios(demo, pa, bad)
    assert info.value.problems[0].file == "bad.yaml"
    assert "stage_1" in (info.value.problems[0].field or "")
