"""The committee's say on approving a portfolio run (issue 16): with the sample fund's
policy (``approves_portfolio: true``) a run is approved only on the joint committee's
passed decision on it, and what is approved is the committee's selection; without a
decision, with the item still open, or after a failed decision, the approval is refused
and nothing is stored. With the switch off, approval is as it always was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from pfund.errors import InvalidInput, Refusal
from pfund.io.dataset import bundled_dataset, load_dataset
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.committee import ItemRequest, cast_vote, ensure_committee, open_item
from pfund.services.committee_decide import close_item
from pfund.services.committee_gate import COMMITTEE_DECISION_NEEDED
from pfund.services.demo import load_demo
from pfund.services.demo_committee import DAY, run_committee_sample
from pfund.services.funding import record_contributions
from pfund.services.portfolio import run_portfolio
from pfund.services.runtime import Runtime
from pfund.services.tranches import approve, list_tranches
from pfund.store.repositories import table_counts

pytestmark = pytest.mark.committee_gate


@pytest.fixture
def run(rt: Runtime) -> str:
    """The sample fund with its portfolio chosen and the contributions received."""
    summary = load_demo(rt)
    assert summary.envelope_year is not None
    record_contributions(rt, year=summary.envelope_year, received=True)
    report, _ = run_portfolio(rt, appraise_pipeline(load_inputs(rt)), time_limit=20)
    return report.record_id


def counts(rt: Runtime) -> dict[str, int]:
    with rt.uow() as uow:
        return table_counts(uow.session)


def refused(rt: Runtime, run: str) -> Refusal:
    before = counts(rt)
    with pytest.raises(Refusal) as caught:
        approve(rt, run)
    assert caught.value.code == COMMITTEE_DECISION_NEEDED
    assert counts(rt) == before  # nothing approved, committed or audited
    assert "pfund " not in caught.value.message  # the service names no command
    return caught.value


def test_a_run_without_a_committee_decision_is_refused_naming_the_run(
    rt: Runtime, run: str
) -> None:
    refusal = refused(rt, run)
    assert refusal.facts == {"run": run, "committee": "joint", "state": "none"}
    assert f"run {run} cannot be approved" in refusal.message
    assert "joint committee" in refusal.message
    assert list_tranches(rt) == []


def test_approval_follows_the_committees_passed_selection_not_the_optimisers(
    rt: Runtime, run: str
) -> None:
    sample = run_committee_sample(rt, run)
    assert sample is not None and sample.dropped
    result = approve(rt, run)
    assert result.committee_record == sample.portfolio_record
    with rt.uow() as uow:
        record = uow.decisions.get(run)
        assert record is not None
        selected = record.result["selected"]
        statuses = {p: uow.projects.get(p).status.value for p in selected}  # type: ignore[union-attr]
    dropped = sample.dropped[0]
    assert statuses[dropped] != "approved"  # the committee left it out: no money for it
    assert result.projects == len(selected) - 1
    assert dropped not in {t.project_id for t in list_tranches(rt)}


def _decide(rt: Runtime, run: str, donors: str) -> None:
    """Seat the sample committee (its first item passes), then put ``run`` to it with
    every donor voting ``donors`` and the Russian seats for."""
    sample = run_committee_sample(rt, run)  # seats; its own second item approves the run
    assert sample is not None
    item = open_item(rt, ItemRequest(kind="portfolio", title="Approve again", run_id=run))
    for seat in ("Donor USA", "Donor DEU", "Donor GBR"):
        cast_vote(rt, item.id, seat, donors, on=DAY)
    for seat in ("Russian seat 1", "Russian seat 2"):
        cast_vote(rt, item.id, seat, "yes", on=DAY)
    close_item(rt, item.id, on=DAY)


def test_a_failed_decision_refuses_the_run_even_after_an_earlier_pass(
    rt: Runtime, run: str
) -> None:
    _decide(rt, run, "no")  # the latest decision on the run is the one that counts
    refusal = refused(rt, run)
    assert refusal.facts["state"] == "rejected"
    assert refusal.facts["item"] == 3 and str(refusal.facts["record"]).startswith("CMT-")
    assert "did not pass" in refusal.message


def test_an_open_item_is_not_a_decision(rt: Runtime, run: str) -> None:
    ensure_committee(rt)
    item = open_item(rt, ItemRequest(kind="portfolio", title="Approve", run_id=run))
    refusal = refused(rt, run)
    assert refusal.facts == {"run": run, "committee": "joint", "state": "open", "item": item.id}


def _dataset(tmp_path: Path, approves: list[bool]) -> Path:
    root = tmp_path / "fund"
    shutil.copytree(bundled_dataset(), root)
    manifest = yaml.safe_load((root / "fund.yaml").read_text(encoding="utf-8"))
    first = manifest["committees"][0]
    manifest["committees"] = [
        first | {"code": f"c{i}", "approves_portfolio": flag} for i, flag in enumerate(approves)
    ]
    (root / "fund.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), "utf-8")
    return root


def test_with_the_switch_off_a_run_is_approved_as_before(
    rt: Runtime, run: str, tmp_path: Path
) -> None:
    rt.dataset = _dataset(tmp_path, [False])
    result = approve(rt, run)
    with rt.uow() as uow:
        record = uow.decisions.get(run)
    assert record is not None
    assert result.projects == len(record.result["selected"])
    assert result.committee_record is None


def test_only_one_committee_may_approve_runs(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_dataset(_dataset(tmp_path, [True, True]))
    assert "only one committee may approve portfolio runs" in str(caught.value.problems[0])
